// The Go client as the reference of the bench groups, one program for all of them:
// `ref publish …` (bench/go/ref/publish.go) or `ref replay …` (replay.go). Each connects, sends
// through the Go client's async publish with a window of outstanding PubAcks, and prints one
// JSON line: {"msgs":N,"ms":T,"per_s":R,"cpu_us":C} (C: the client's CPU time between t0 and
// the last PubAck, all goroutines; -1 where unknown).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
)

var modes = map[string]func(args []string){
	"publish": publish,
	"replay":  replay,
}

func main() {
	if len(os.Args) < 2 || modes[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: ref publish|replay [flags]")
		os.Exit(2)
	}
	name = os.Args[1]
	modes[name](os.Args[2:])
}

// name is the running mode, for error lines.
var name string

// connect parses the common flags (-s, -window) after the mode's own and opens JetStream
// with that many PubAcks outstanding at most (the window, returned).
func connect(fs *flag.FlagSet, args []string) (*nats.Conn, nats.JetStreamContext, int) {
	url := fs.String("s", nats.DefaultURL, "server URL")
	window := fs.Int("window", 4096, "PubAcks outstanding at most")
	fail(fs.Parse(args))
	nc, err := nats.Connect(*url)
	fail(err)
	js, err := nc.JetStream(nats.PublishAsyncMaxPending(*window))
	fail(err)
	return nc, js, *window
}

// finish waits for the last PubAck and prints the rate (and the CPU used) since t0 (and cpu0,
// cpuMicros() taken at t0).
func finish(js nats.JetStreamContext, count, failed int, t0 time.Time, cpu0 float64) {
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(2 * time.Minute):
		fail(fmt.Errorf("PubAcks still outstanding: %d", js.PublishAsyncPending()))
	}
	ms := float64(time.Since(t0).Microseconds()) / 1000
	if failed > 0 {
		fail(fmt.Errorf("%d publishes failed", failed))
	}
	cpu := cpuMicros()
	if cpu >= 0 && cpu0 >= 0 {
		cpu -= cpu0
	} else {
		cpu = -1
	}
	out, _ := json.Marshal(map[string]float64{"msgs": float64(count), "ms": ms, "per_s": float64(count) * 1000 / ms, "cpu_us": cpu})
	fmt.Println(string(out))
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "go "+name+":", err)
		os.Exit(1)
	}
}
