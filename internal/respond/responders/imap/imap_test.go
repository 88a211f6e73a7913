package imap

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/respond"
)

// message renders a MIME message; with an attachment, multipart/mixed with the attachment
// in the given transfer encoding.
func message(id, subject string, attachment []byte, encoding string) string {
	head := fmt.Sprintf("From: mallory@evil.example\nTo: victim@example.org\nSubject: %s\nMessage-ID: <%s>\nDate: Thu, 26 Nov 2026 00:00:00 +0000\nMIME-Version: 1.0\n", subject, id)
	if attachment == nil {
		return head + "Content-Type: text/plain\n\nhello\n"
	}
	var body string
	switch encoding {
	case "base64":
		enc := base64.StdEncoding.EncodeToString(attachment)
		for len(enc) > 76 {
			body += enc[:76] + "\n"
			enc = enc[76:]
		}
		body += enc + "\n"
	default:
		var b strings.Builder
		w := quotedprintable.NewWriter(&b)
		_, _ = w.Write(attachment)
		_ = w.Close()
		body = b.String() + "\n"
	}
	return head + "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\nsee attached\n" +
		"--b1\nContent-Type: application/octet-stream; name=\"invoice.docm\"\nContent-Disposition: attachment; filename=\"invoice.docm\"\n" +
		"Content-Transfer-Encoding: " + encoding + "\n\n" + body + "--b1--\n"
}

// testResponder returns a responder logging in through the master user with auth.
func testResponder(t *testing.T, addr, auth string) *Responder {
	t.Helper()
	pw := filepath.Join(t.TempDir(), "master-password")
	if err := os.WriteFile(pw, []byte(masterPW+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := New(Config{Address: addr, TLS: TLSNone, Auth: auth, User: masterUser, PasswordFile: pw,
		Accounts: mailUsers, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// stored returns a as the Action Center returns it from the state store: its result
// through JSON.
func stored(t *testing.T, a respond.Action, res respond.Result) respond.Action {
	t.Helper()
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	a.Result = respond.Result{}
	if err := json.Unmarshal(b, &a.Result); err != nil {
		t.Fatal(err)
	}
	return a
}

// undoOf returns the restoreEmail action that undoes orig, and makes r find orig.
func undoOf(r *Responder, orig respond.Action) respond.Action {
	r.Original = func(_ context.Context, tenant, id string) (respond.Action, error) {
		if tenant != orig.Tenant || id != orig.ID {
			return respond.Action{}, fmt.Errorf("no action %s/%s", tenant, id)
		}
		return orig, nil
	}
	return respond.Action{Tenant: orig.Tenant, ID: orig.ID + "-undo", Type: respond.RestoreEmail, Target: orig.Target, UndoOf: orig.ID}
}

// wantIn checks which of ids a folder of a user's mailbox holds.
func wantIn(t *testing.T, addr, user, folder string, in map[string]bool) {
	t.Helper()
	got := messageIDs(t, addr, user, folder)
	for id, want := range in {
		if slices.Contains(got, id) != want {
			t.Errorf("%s/%s holds %q: want %s in it: %v", user, folder, got, id, want)
		}
	}
}

func TestSoftDeleteAndRestore(t *testing.T) {
	addr := startDovecot(t)
	ctx := context.Background()
	for _, auth := range []string{AuthMaster, AuthProxy} {
		t.Run(auth, func(t *testing.T) {
			r := testResponder(t, addr, auth)
			m1, m2, m3 := auth+"-1@evil.example", auth+"-2@evil.example", auth+"-3@evil.example"
			projects := "Projects/" + auth
			deliver(t, addr, "alice", "INBOX", message(m1, "phish", nil, ""))
			deliver(t, addr, "alice", "INBOX", message(m2, "ok", nil, ""))
			deliver(t, addr, "alice", projects, message(m3, "phish again", nil, ""))
			deliver(t, addr, "alice", projects, message(m3+".other", "a longer id containing the first", nil, ""))

			del1 := respond.Action{Tenant: "default", ID: auth + "-del1", Type: respond.SoftDeleteEmail,
				Target: respond.Target{MessageID: "<" + m1 + ">", Account: "alice"}}
			res1, err := r.Execute(ctx, del1)
			if err != nil {
				t.Fatal(err)
			}
			moves, _ := movesOf(res1)
			if len(moves) != 1 || moves[0].Account != "alice" || moves[0].Folder != "INBOX" || moves[0].MessageID != m1 ||
				moves[0].To != "Quarantine" || moves[0].UID == 0 || moves[0].UIDValidity == 0 {
				t.Fatalf("moves = %+v", moves)
			}
			wantIn(t, addr, "alice", "INBOX", map[string]bool{m1: false, m2: true})
			wantIn(t, addr, "alice", "Quarantine", map[string]bool{m1: true})

			// Again (a retry whose first attempt lost its connection after the move).
			again, err := r.Execute(ctx, del1)
			if moves, _ := movesOf(again); err != nil || len(moves) != 1 || !moves[0].Already || moves[0].Folder != "INBOX" {
				t.Fatalf("soft delete of a quarantined message = %+v, %v", again, err)
			}

			// The mailbox from the parameter; the message in another folder; a Message-ID
			// that another one contains is not taken for it.
			del3 := respond.Action{Tenant: "default", ID: auth + "-del3", Type: respond.SoftDeleteEmail,
				Target: respond.Target{MessageID: m3}, Parameters: map[string]any{MailboxParam: "alice"}}
			res3, err := r.Execute(ctx, del3)
			if err != nil {
				t.Fatal(err)
			}
			wantIn(t, addr, "alice", projects, map[string]bool{m3: false, m3 + ".other": true})

			res, err := r.Execute(ctx, undoOf(r, stored(t, del3, res3)))
			if err != nil {
				t.Fatal(err)
			}
			if back, _ := movesOf(res); len(back) != 1 || back[0].To != projects || back[0].Folder != "Quarantine" {
				t.Fatalf("restore moves = %+v", back)
			}
			wantIn(t, addr, "alice", projects, map[string]bool{m3: true})
			wantIn(t, addr, "alice", "Quarantine", map[string]bool{m3: false, m1: true})

			// Without the undone action: from the quarantine to INBOX.
			r.Original = nil
			undo1 := respond.Action{Tenant: "default", ID: "u1", Type: respond.RestoreEmail, Target: del1.Target}
			if _, err := r.Execute(ctx, undo1); err != nil {
				t.Fatal(err)
			}
			wantIn(t, addr, "alice", "INBOX", map[string]bool{m1: true})
			wantIn(t, addr, "alice", "Quarantine", map[string]bool{m1: false})

			_, err = r.Execute(ctx, respond.Action{Type: respond.SoftDeleteEmail, Target: respond.Target{MessageID: "nope@x", Account: "alice"}})
			if err == nil || !strings.Contains(err.Error(), "message nope@x: not in any folder of mailbox alice") || errors.Is(err, respond.ErrTransient) {
				t.Fatalf("soft delete of a missing message: err = %v", err)
			}
		})
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestPurgeAttachmentAndRestore(t *testing.T) {
	addr := startDovecot(t)
	ctx := context.Background()
	bad := []byte("PK\x03\x04 macro dropper " + strings.Repeat("payload=line\r\n", 50))
	other := []byte("a harmless spreadsheet")
	deliver(t, addr, "alice", "INBOX", message("a1@evil", "invoice", bad, "base64"))
	deliver(t, addr, "alice", "INBOX", message("a2@ok", "sheet", other, "base64"))
	deliver(t, addr, "alice", "INBOX", message("a3@ok", "text", nil, ""))
	deliver(t, addr, "bob", "Work", message("b1@evil", "invoice (fwd)", bad, "quoted-printable"))
	deliver(t, addr, "bob", "INBOX", message("b2@ok", "hello", nil, ""))

	r := testResponder(t, addr, AuthMaster)
	purge := respond.Action{Tenant: "default", ID: "p1", Type: respond.PurgeAttachment, Target: respond.Target{FileHash: strings.ToUpper(sha(bad))}}
	res, err := r.Execute(ctx, purge)
	if err != nil {
		t.Fatal(err)
	}
	moves, _ := movesOf(res)
	got := map[string]string{}
	for _, m := range moves {
		got[m.Account+"/"+m.MessageID] = m.Folder
	}
	if want := map[string]string{"alice/a1@evil": "INBOX", "bob/b1@evil": "Work"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("purge moved %v, want %v (result %+v)", got, want, res)
	}
	if res.Data["mailboxesSearched"] != 3 {
		t.Errorf("mailboxesSearched = %v, want 3", res.Data["mailboxesSearched"])
	}
	wantIn(t, addr, "alice", "INBOX", map[string]bool{"a1@evil": false, "a2@ok": true, "a3@ok": true})
	wantIn(t, addr, "bob", "Work", map[string]bool{"b1@evil": false})
	wantIn(t, addr, "bob", "Quarantine", map[string]bool{"b1@evil": true})

	if _, err := r.Execute(ctx, undoOf(r, stored(t, purge, res))); err != nil {
		t.Fatal(err)
	}
	wantIn(t, addr, "alice", "INBOX", map[string]bool{"a1@evil": true})
	wantIn(t, addr, "bob", "Work", map[string]bool{"b1@evil": true})
	wantIn(t, addr, "bob", "Quarantine", map[string]bool{"b1@evil": false})

	// Narrowed to one mailbox by the parameter.
	purge.Parameters = map[string]any{MailboxesParam: []any{"bob"}}
	res, err = r.Execute(ctx, purge)
	if moves, _ := movesOf(res); err != nil || len(moves) != 1 || moves[0].Account != "bob" {
		t.Fatalf("narrowed purge = %+v, %v", res, err)
	}
}

func TestErrors(t *testing.T) {
	addr := startDovecot(t)
	ctx := context.Background()
	pw := filepath.Join(t.TempDir(), "pw")
	_ = os.WriteFile(pw, []byte("wrong-master-xyz"), 0o600)
	wrong, _ := New(Config{Address: addr, TLS: TLSNone, User: masterUser, PasswordFile: pw})
	down := testResponder(t, "127.0.0.1:1", AuthMaster)
	r := testResponder(t, addr, AuthMaster)
	tests := []struct {
		name      string
		r         *Responder
		a         respond.Action
		want      string
		transient bool
	}{
		{"wrong master password", wrong, respond.Action{Type: respond.SoftDeleteEmail, Target: respond.Target{MessageID: "x@y", Account: "alice"}},
			"log in to mailbox alice as vigil (master)", false},
		{"server down", down, respond.Action{Type: respond.SoftDeleteEmail, Target: respond.Target{MessageID: "x@y", Account: "alice"}},
			"connect to 127.0.0.1:1", true},
		{"no mailbox", r, respond.Action{Type: respond.SoftDeleteEmail, Target: respond.Target{MessageID: "x@y"}},
			"softDeleteEmail needs parameters.mailbox or target.account", false},
		{"bad hash", r, respond.Action{Type: respond.PurgeAttachment, Target: respond.Target{FileHash: "abc"}},
			`target.fileSha256 "abc" is not 64 hex digits`, false},
		{"bad mailboxes", r, respond.Action{Type: respond.PurgeAttachment, Target: respond.Target{FileHash: sha(nil)},
			Parameters: map[string]any{MailboxesParam: []any{"bob", 3}}}, "parameters.mailboxes[1] is not a mailbox name", false},
		{"unknown user in purge", r, respond.Action{Type: respond.PurgeAttachment, Target: respond.Target{FileHash: sha(nil)},
			Parameters: map[string]any{MailboxesParam: []any{"bob", "nobody"}}}, "1 of 2 mailboxes failed: log in to mailbox nobody", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.r.Execute(ctx, tt.a)
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, respond.ErrTransient) != tt.transient ||
				strings.Contains(err.Error(), "wrong-master-xyz") || strings.Contains(err.Error(), masterPW) {
				t.Fatalf("err = %v, want %q (transient %v)", err, tt.want, tt.transient)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Address: "mail:143", User: "vigil", PasswordEnv: "X"}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"valid", func(*Config) {}, ""},
		{"address", func(c *Config) { c.Address = "mail" }, `address: "mail" is not host:port`},
		{"tls", func(c *Config) { c.TLS = "ssl" }, `tls: "ssl" is not none, tls or starttls`},
		{"auth", func(c *Config) { c.Auth = "oauth" }, `auth: "oauth" is not master or proxy`},
		{"user", func(c *Config) { c.User = "" }, "user: required"},
		{"passwords", func(c *Config) { c.PasswordEnv = "" }, "passwordFile, passwordEnv: set one"},
		{"inbox quarantine", func(c *Config) { c.Quarantine = "inbox" }, `quarantine: "inbox" cannot be`},
		{"account", func(c *Config) { c.Accounts = []string{"a", "b c"} }, `accounts[1]: "b c" is not a user name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			err := c.Validate()
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestAccountsFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "accounts")
	_ = os.WriteFile(f, []byte("# mailboxes\nbob\n\ncarol\nalice\n"), 0o600)
	got, err := Config{Accounts: []string{"alice"}, AccountsFile: f}.accounts()
	if err != nil || !slices.Equal(got, []string{"alice", "bob", "carol"}) {
		t.Fatalf("accounts = %q, %v", got, err)
	}
	_ = os.WriteFile(f, []byte("bob\nnot one\n"), 0o600)
	if _, err := (Config{AccountsFile: f}).accounts(); err == nil || !strings.Contains(err.Error(), f+`:2: "not one" is not a user name`) {
		t.Fatalf("err = %v", err)
	}
}
