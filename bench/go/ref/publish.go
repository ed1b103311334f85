// `npm run bench -- --only publish`: N tasks to tasks.new with the same body shape, a
// Nats-Msg-Id and one user header each, timed from the first send to the last PubAck.
package main

import (
	"flag"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

func publish(args []string) {
	fs := flag.NewFlagSet("publish", flag.ExitOnError)
	subject := fs.String("subject", "tasks.new", "subject")
	count := fs.Int("n", 100000, "messages")
	prefix := fs.String("id-prefix", "go", "Nats-Msg-Id prefix")
	idLen := fs.Int("id-len", 0, "pad each id with zeros to this length (JetDeck's task ids are 26 characters)")
	nc, js, _ := connect(fs, args)
	defer nc.Close()

	createdAt := time.Now().UTC().Format(time.RFC3339Nano)
	failed := 0
	t0, cpu0 := time.Now(), cpuMicros()
	for i := 0; i < *count; i++ {
		id := paddedID(*prefix, i, *idLen)
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

// paddedID is prefix-i, zeros after the dash up to idLen characters: ids as long as the ones
// the JetDeck side sends make both sides send the same bytes.
func paddedID(prefix string, i, idLen int) string {
	n := strconv.Itoa(i)
	if pad := idLen - len(prefix) - 1 - len(n); pad > 0 {
		n = strings.Repeat("0", pad) + n
	}
	return prefix + "-" + n
}
