// The Go reference for `npm run bench -- --only publish`: N tasks to tasks.new with the same
// body shape, a Nats-Msg-Id and one user header each, through the Go client's async publish
// (a window of outstanding PubAcks), timed from the first send to the last PubAck. Prints one
// JSON line: {"msgs":N,"ms":T,"per_s":R}.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
)

func main() {
	url := flag.String("s", nats.DefaultURL, "server URL")
	subject := flag.String("subject", "tasks.new", "subject")
	count := flag.Int("n", 100000, "messages")
	window := flag.Int("window", 4096, "PubAcks outstanding at most")
	prefix := flag.String("id-prefix", "go", "Nats-Msg-Id prefix")
	flag.Parse()

	nc, err := nats.Connect(*url)
	fail(err)
	defer nc.Close()
	js, err := nc.JetStream(nats.PublishAsyncMaxPending(*window))
	fail(err)

	createdAt := time.Now().UTC().Format(time.RFC3339Nano)
	failed := 0
	t0 := time.Now()
	for i := 0; i < *count; i++ {
		id := *prefix + "-" + strconv.Itoa(i)
		body := `{"id":"` + id + `","type":"echo","payload":{"n":1,"note":"bench"},"created_at":"` + createdAt + `"}`
		m := nats.NewMsg(*subject)
		m.Data = []byte(body)
		m.Header.Set("X-Bench", "publish")
		// A full window stalls the send; wait as long as it takes, as the JS bench does.
		if _, err := js.PublishMsgAsync(m, nats.MsgId(id), nats.StallWait(time.Minute)); err != nil {
			failed++
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(2 * time.Minute):
		fail(fmt.Errorf("PubAcks still outstanding: %d", js.PublishAsyncPending()))
	}
	ms := float64(time.Since(t0).Microseconds()) / 1000
	if failed > 0 {
		fail(fmt.Errorf("%d publishes failed", failed))
	}
	out, _ := json.Marshal(map[string]float64{"msgs": float64(*count), "ms": ms, "per_s": float64(*count) * 1000 / ms})
	fmt.Println(string(out))
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "go publish:", err)
		os.Exit(1)
	}
}
