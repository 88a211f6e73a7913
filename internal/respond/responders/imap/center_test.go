package imap

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
)

// TestActionCenterUndo runs softDeleteEmail and purgeAttachment through the Action Center
// and its dispatcher, then undoes them: the undo is a restoreEmail that reads the undone
// action back from the state store.
func TestActionCenterUndo(t *testing.T) {
	addr := startDovecot(t)
	ctx, cancel := context.WithCancel(context.Background())
	st, err := meta.Open(ctx, meta.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "vigil.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	svc := respond.New(st, respond.Options{})
	r := testResponder(t, addr, AuthMaster)
	r.Original = svc.Get
	d := respond.NewDispatcher(svc, respond.DispatcherOptions{Timeout: 30 * time.Second, Sweep: 50 * time.Millisecond}, r)
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	alice := respond.Actor{Name: "alice", Kind: auth.KindUser}
	if _, err := svc.SetPolicy(ctx, "t1", alice, respond.Policy{Level: respond.Full}); err != nil {
		t.Fatal(err)
	}
	run := func(a respond.Action, err error) respond.Action {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			got, err := svc.Get(ctx, "t1", a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status.Terminal() {
				if got.Status != respond.Completed {
					t.Fatalf("action %s (%s) ended %s: %s", got.ID, got.Type, got.Status, got.Result.Error)
				}
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("action %s still %s", got.ID, got.Status)
			}
		}
	}

	bad := []byte("dropper bytes")
	deliver(t, addr, "carol", "Receipts", message("c1@evil", "receipt", nil, ""))
	deliver(t, addr, "carol", "INBOX", message("c2@evil", "invoice", bad, "base64"))

	del := run(svc.Request(ctx, "t1", alice, respond.Request{Type: respond.SoftDeleteEmail,
		Target: respond.Target{MessageID: "c1@evil", Account: "carol"}, Reason: "phish"}))
	wantIn(t, addr, "carol", "Receipts", map[string]bool{"c1@evil": false})
	undo := run(svc.Undo(ctx, "t1", del.ID, alice, ""))
	if undo.Type != respond.RestoreEmail {
		t.Fatalf("undo type = %s", undo.Type)
	}
	wantIn(t, addr, "carol", "Receipts", map[string]bool{"c1@evil": true})

	purge := run(svc.Request(ctx, "t1", alice, respond.Request{Type: respond.PurgeAttachment,
		Target: respond.Target{FileHash: sha(bad)}, Parameters: map[string]any{MailboxesParam: []string{"carol", "alice"}}}))
	wantIn(t, addr, "carol", "Quarantine", map[string]bool{"c2@evil": true})
	run(svc.Undo(ctx, "t1", purge.ID, alice, ""))
	wantIn(t, addr, "carol", "INBOX", map[string]bool{"c2@evil": true})
	wantIn(t, addr, "carol", "Quarantine", map[string]bool{"c2@evil": false})
}
