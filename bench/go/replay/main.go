// The Go reference for `npm run bench -- --only replay`: reads a stream with an ordered
// consumer and re-publishes every message to a mapped subject (prefix swapped) with a
// JetDeck-Replay-Of header, through async publish with a window of outstanding PubAcks: the
// same work as JetDeck's replay. Timed from the start to the last PubAck. Prints one JSON line.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

func main() {
	url := flag.String("s", nats.DefaultURL, "server URL")
	stream := flag.String("stream", "SRC", "source stream")
	from := flag.String("from", "src.", "subject prefix to replace")
	to := flag.String("to", "goreplay.", "replacement prefix")
	count := flag.Int("n", 100000, "messages to replay (from sequence 1)")
	window := flag.Int("window", 4096, "PubAcks outstanding at most")
	flag.Parse()

	nc, err := nats.Connect(*url)
	fail(err)
	defer nc.Close()
	js, err := nc.JetStream(nats.PublishAsyncMaxPending(*window))
	fail(err)

	// Delivery runs on the subscription's goroutine; publishing on the main one keeps a full
	// PubAck window from blocking the consumer's flow control.
	msgs := make(chan *nats.Msg, *window)
	t0 := time.Now()
	sub, err := js.Subscribe(">", func(m *nats.Msg) { msgs <- m },
		nats.BindStream(*stream), nats.OrderedConsumer(), nats.DeliverAll())
	fail(err)
	defer sub.Unsubscribe()

	failed := 0
	for i := 0; i < *count; i++ {
		m := <-msgs
		meta, err := m.Metadata()
		fail(err)
		out := nats.NewMsg(*to + strings.TrimPrefix(m.Subject, *from))
		out.Data = m.Data
		out.Header.Set("JetDeck-Replay-Of", *stream+":"+strconv.FormatUint(meta.Sequence.Stream, 10))
		if _, err := js.PublishMsgAsync(out, nats.StallWait(time.Minute)); err != nil {
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
	res, _ := json.Marshal(map[string]float64{"msgs": float64(*count), "ms": ms, "per_s": float64(*count) * 1000 / ms})
	fmt.Println(string(res))
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "go replay:", err)
		os.Exit(1)
	}
}
