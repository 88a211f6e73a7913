package incident

import (
	"context"
	"testing"

	"github.com/vigilsec/vigil/internal/detect/alert"
)

func TestFeedRingAndResume(t *testing.T) {
	f := NewFeed(3)
	ctx := context.Background()
	for i := range 5 {
		f.Notify(ctx, []Change{{Tenant: "t1", Kind: IncidentUpdated, IncidentID: int64(i + 1)}, {Tenant: "t2", Kind: IncidentCreated}})
	}
	// t1 holds its last 3 events (ids 5, 7, 9); t2's are numbered in between.
	backlog, _, cancel, complete := f.Subscribe("t1", 5)
	cancel()
	if !complete || len(backlog) != 2 || backlog[0].ID != 7 || backlog[1].ID != 9 || backlog[1].IncidentID != 5 {
		t.Fatalf("resume after 5: %+v complete=%v", backlog, complete)
	}
	if _, _, cancel, complete := f.Subscribe("t1", 2); complete {
		t.Error("resume after a dropped event reported complete")
	} else {
		cancel()
	}
	if _, _, cancel, complete := f.Subscribe("t1", 99); complete {
		t.Error("resume after an id from the future (a restart) reported complete")
	} else {
		cancel()
	}
	// A live subscriber gets new events of its tenant only; a slow one is closed.
	_, ch, cancel, _ := f.Subscribe("t2", f.Last())
	defer cancel()
	f.Notify(ctx, []Change{{Tenant: "t1", Kind: CommentAdded}, {Tenant: "t2", Kind: AlertCreated}})
	if ev := <-ch; ev.Kind != AlertCreated || ev.Tenant != "t2" {
		t.Fatalf("live event = %+v", ev)
	}
	for range subscriberBuffer + 1 {
		f.Notify(ctx, []Change{{Tenant: "t2", Kind: AlertCreated}})
	}
	n := 0
	for range ch {
		n++
	}
	if n != subscriberBuffer {
		t.Errorf("slow subscriber got %d events before being closed, want %d", n, subscriberBuffer)
	}
}

func TestBuildStory(t *testing.T) {
	s := openState(t)
	c := New(MetaState{s}, Options{})
	a1 := al("a1", "phish", 0, "Medium", "Mailbox=MailboxPrimaryAddress=bob@corp.com", "Host=HostName=WS1")
	a1.Tactics, a1.Techniques = []string{"InitialAccess"}, []string{"T1566"}
	a2 := al("a2", "edr", 5, "High", "Host=HostName=WS1")
	a2.Tactics, a2.Techniques = []string{"Execution"}, []string{"T1059.001"}
	if err := c.Put(context.Background(), []alert.Alert{a2, a1}); err != nil {
		t.Fatal(err)
	}
	in, _ := s.Incident(context.Background(), "t1", 1)
	as, _ := s.IncidentAlerts(context.Background(), "t1", 1)
	st := BuildStory(in, as)
	want := `High-severity incident with 2 alert(s) between 2026-05-01 10:00 and 2026-05-01 10:05 UTC. ` +
		`It began with "Rule phish" at 10:00 (Initial access) on mailbox bob@corp.com, device WS1. ` +
		`Then "Rule edr" at 10:05 (Execution) on device WS1. Assets involved: mailbox bob@corp.com, device WS1. ` +
		`MITRE ATT&CK techniques: T1566, T1059.001. Status: active.`
	if st.Summary != want {
		t.Errorf("summary:\n got  %s\n want %s", st.Summary, want)
	}
	if len(st.Timeline) != 2 || st.Timeline[0].AlertID != "a1" || len(st.Assets) != 2 {
		t.Errorf("story = %+v", st)
	}
}
