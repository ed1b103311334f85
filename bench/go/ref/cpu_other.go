//go:build !unix

package main

// cpuMicros is unknown here (no getrusage): -1.
func cpuMicros() float64 { return -1 }
