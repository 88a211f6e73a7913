package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/vigilsec/vigil/internal/bus"
)

func TestBufferSegments(t *testing.T) {
	dir := t.TempDir()
	b := &Buffer{Dir: dir, SegmentBytes: 200, MaxBytes: 1000}
	for i := range 30 {
		if err := b.Append("DeviceProcessEvents", Row{"ProcessId": i, "Pad": "xxxxxxxxxxxxxxxxxxxxxxxx"}); err != nil {
			t.Fatal(err)
		}
	}
	dropped := b.TakeDropped()
	if dropped == 0 {
		t.Fatal("nothing dropped past MaxBytes")
	}
	// A restarted agent finds the segments; a torn last line is skipped.
	segs, _ := b.segments()
	last := b.segPath(segs[len(segs)-1])
	f, _ := os.OpenFile(last, os.O_APPEND|os.O_WRONLY, 0)
	_, _ = f.WriteString(`{"t":"DeviceProcessEvents","r":{"Proc`)
	_ = f.Close()
	b2 := &Buffer{Dir: dir, SegmentBytes: 200, MaxBytes: 1000}
	var got []float64
	for {
		n, rows, ok, err := b2.Oldest()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		for _, r := range rows {
			got = append(got, r.Row["ProcessId"].(float64))
		}
		if err := b2.Done(n); err != nil {
			t.Fatal(err)
		}
	}
	if int64(len(got))+dropped != 30 {
		t.Fatalf("kept %d + dropped %d rows, want 30", len(got), dropped)
	}
	for i, v := range got { // the newest rows are kept, in order
		if want := float64(30 - len(got) + i); v != want {
			t.Fatalf("row %d is %v, want %v (got %v)", i, v, want, got)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("segments left after all were acknowledged: %d", len(ents))
	}
}

// TestTelemetryBufferedUntilAck sends buffered rows while the server's stream refuses them
// (it does not exist yet), then once it exists, and expects every row exactly once and the
// buffer empty: on disk and in memory.
func TestTelemetryBufferedUntilAck(t *testing.T) {
	for _, onDisk := range []bool{true, false} {
		t.Run(fmt.Sprintf("onDisk=%v", onDisk), func(t *testing.T) { testTelemetryBuffered(t, onDisk) })
	}
}

func testTelemetryBuffered(t *testing.T, onDisk bool) {
	ctx := context.Background()
	b, err := bus.Open(ctx, bus.Config{StoreDir: t.TempDir(), Agents: &bus.AgentListener{Listen: "127.0.0.1:0"}}, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	kp, _ := nkeys.CreateUser()
	pub, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	if err := b.SetAgents([]bus.AgentUser{{NKey: pub, Tenant: "t1", Device: "d1"}}); err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(b.Conn())
	if err := js.DeleteStream(ctx, bus.AgentTelemetryStream); err != nil { // the server "is down"
		t.Fatal(err)
	}
	id := Identity{Tenant: "t1", DeviceID: "d1", Seed: string(seed)}
	nc, err := Connect("nats://"+b.AgentAddr(), id, nil, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	tel, _ := NewTelemetry(nc, id)
	dir := filepath.Join(t.TempDir(), "buffer")
	pending := func() int { // segments on disk, or rows in memory
		if !onDisk {
			tel.mu.Lock()
			defer tel.mu.Unlock()
			return len(tel.queue)
		}
		n, _ := os.ReadDir(dir)
		return len(n)
	}
	if onDisk {
		tel.Buffer = &Buffer{Dir: dir}
	}
	for i := range 5 {
		tel.Add("DeviceProcessEvents", Row{"ProcessId": i})
	}
	if err := tel.flush(ctx); err == nil {
		t.Fatal("flush succeeded with no stream to take the rows")
	}
	if want := map[bool]int{true: 1, false: 5}[onDisk]; pending() != want {
		t.Fatalf("pending after a failed send: %d, want %d", pending(), want)
	}
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: bus.AgentTelemetryStream, Subjects: []string{bus.AgentSubjectPrefix + "*.*.telemetry.*"}})
	if err != nil {
		t.Fatal(err)
	}
	tel.Add("DeviceInfo", Row{"OSPlatform": "Linux"})
	if err := tel.flush(ctx); err != nil {
		t.Fatal(err)
	}
	if pending() != 0 {
		t.Errorf("pending after acknowledgement: %d", pending())
	}
	s, _ := js.Stream(ctx, bus.AgentTelemetryStream)
	info, _ := s.Info(ctx)
	if info.State.Msgs != 2 { // one DeviceProcessEvents batch, one DeviceInfo
		t.Errorf("stream holds %d messages, want 2", info.State.Msgs)
	}
	msg, err := s.GetMsg(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	if err := json.Unmarshal(msg.Data, &rows); err != nil || msg.Subject != "vigil.agent.t1.d1.telemetry.DeviceProcessEvents" || len(rows) != 5 {
		t.Errorf("first message on %s: %d rows, %v", msg.Subject, len(rows), err)
	}
}
