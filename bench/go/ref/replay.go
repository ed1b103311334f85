// `npm run bench -- --only replay`: reads a stream with an ordered consumer and re-publishes
// every message to a mapped subject (prefix swapped) with a JetDeck-Replay-Of header: the same
// work as JetDeck's replay. Timed from the start to the last PubAck.
package main

import (
	"flag"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

func replay(args []string) {
	fs := flag.NewFlagSet("replay", flag.ExitOnError)
	stream := fs.String("stream", "SRC", "source stream")
	from := fs.String("from", "src.", "subject prefix to replace")
	to := fs.String("to", "goreplay.", "replacement prefix")
	count := fs.Int("n", 100000, "messages to replay (from sequence 1)")
	nc, js, window := connect(fs, args)
	defer nc.Close()

	// Delivery runs on the subscription's goroutine; publishing on the main one keeps a full
	// PubAck window from blocking the consumer's flow control.
	msgs := make(chan *nats.Msg, window)
	t0, cpu0 := time.Now(), cpuMicros()
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
	finish(js, *count, failed, t0, cpu0)
}
