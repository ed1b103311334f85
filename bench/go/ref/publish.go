// `npm run bench -- --only publish`: N tasks to tasks.new with the same body shape, a
// Nats-Msg-Id and one user header each, timed from the first send to the last PubAck.
package main

import (
	"flag"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
)

func publish(args []string) {
	fs := flag.NewFlagSet("publish", flag.ExitOnError)
	subject := fs.String("subject", "tasks.new", "subject")
	count := fs.Int("n", 100000, "messages")
	prefix := fs.String("id-prefix", "go", "Nats-Msg-Id prefix")
	nc, js, _ := connect(fs, args)
	defer nc.Close()

	createdAt := time.Now().UTC().Format(time.RFC3339Nano)
	failed := 0
	t0, cpu0 := time.Now(), cpuMicros()
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
	finish(js, *count, failed, t0, cpu0)
}
