//go:build unix

package main

import "syscall"

// cpuMicros is the CPU time (user + system) this process has used so far, in µs.
func cpuMicros() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1000
}
