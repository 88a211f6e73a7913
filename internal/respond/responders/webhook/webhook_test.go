package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/respond"
)

const secret = "s3cret-for-the-test"

// receiver is a webhook endpoint that checks every delivery's signature by hand (not with
// Verify) and answers with the status and body the test sets.
type receiver struct {
	t      *testing.T
	mu     sync.Mutex
	status int
	body   string
	delay  time.Duration
	got    []Delivery
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ts := r.Header.Get(TimestampHeader)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	sec, err := strconv.ParseInt(ts, 10, 64)
	if r.Header.Get(SignatureHeader) != want || err != nil || time.Since(time.Unix(sec, 0)).Abs() > time.Minute {
		rc.t.Errorf("bad delivery: signature %q, want %q; timestamp %q", r.Header.Get(SignatureHeader), want, ts)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var d Delivery
	if err := json.Unmarshal(body, &d); err != nil || r.Method != http.MethodPost || r.Header.Get(ActionHeader) != d.Action.ID {
		rc.t.Errorf("bad delivery %s %q: %v", r.Method, body, err)
	}
	rc.mu.Lock()
	rc.got = append(rc.got, d)
	status, text, delay := rc.status, rc.body, rc.delay
	rc.mu.Unlock()
	time.Sleep(delay)
	if status == http.StatusFound {
		w.Header().Set("Location", "https://elsewhere.example/hook")
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, text)
}

func newResponder(t *testing.T, url string) *Responder {
	t.Helper()
	f := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(f, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := New(Config{Name: "soar", URL: url, SecretFile: f, Types: []string{"blockIndicator", "isolateDevice"}, Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestExecute(t *testing.T) {
	rc := &receiver{t: t}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	r := newResponder(t, srv.URL)
	a := respond.Action{Tenant: "default", ID: "act-1", Type: respond.BlockIndicator, Attempts: 2,
		Target: respond.Target{Indicator: "203.0.113.9"}, Reason: "C2"}
	tests := []struct {
		name      string
		status    int
		body      string
		delay     time.Duration
		detail    string
		err       string
		transient bool
	}{
		{"200 with JSON", 200, `{"ticket":"SOAR-42"}`, 0, `webhook soar accepted the action: 200 OK: {"ticket":"SOAR-42"}`, "", false},
		{"204", 204, "", 0, "webhook soar accepted the action: 204 No Content", "", false},
		{"500 is retried", 500, "database down\nstack...", 0, "", "webhook soar: 500 Internal Server Error: database down", true},
		{"429 is retried", 429, "slow down", 0, "", "429 Too Many Requests: slow down", true},
		{"400 fails with the first line", 400, "\n  unknown indicator kind  \nmore detail", 0, "", "webhook soar: 400 Bad Request: unknown indicator kind", false},
		{"302 fails", 302, "", 0, "", `302 Found to "https://elsewhere.example/hook": configure the final URL`, false},
		{"timeout is retried", 200, "", 2 * time.Second, "", "post to " + srv.URL, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc.mu.Lock()
			rc.status, rc.body, rc.delay, rc.got = tt.status, tt.body, tt.delay, nil
			rc.mu.Unlock()
			res, err := r.Execute(context.Background(), a)
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err) || errors.Is(err, respond.ErrTransient) != tt.transient):
				t.Fatalf("err = %v, want %q (transient %v)", err, tt.err, tt.transient)
			case res.Detail != tt.detail:
				t.Fatalf("detail = %q, want %q", res.Detail, tt.detail)
			}
			rc.mu.Lock()
			defer rc.mu.Unlock()
			if len(rc.got) != 1 || rc.got[0].Webhook != "soar" || rc.got[0].Attempt != 2 || rc.got[0].Action.Target.Indicator != "203.0.113.9" {
				t.Fatalf("deliveries = %+v", rc.got)
			}
		})
	}
	t.Run("JSON response is kept in the data", func(t *testing.T) {
		rc.mu.Lock()
		rc.status, rc.body, rc.delay = 201, `{"ticket":"SOAR-43"}`, 0
		rc.mu.Unlock()
		res, err := r.Execute(context.Background(), a)
		if err != nil || res.Data["status"] != 201 || res.Data["response"].(map[string]any)["ticket"] != "SOAR-43" {
			t.Fatalf("result = %+v, %v", res, err)
		}
	})
	t.Run("unreachable is retried", func(t *testing.T) {
		down := httptest.NewServer(rc)
		down.Close()
		_, err := newResponder(t, down.URL).Execute(context.Background(), a)
		if !errors.Is(err, respond.ErrTransient) {
			t.Fatalf("err = %v, want transient", err)
		}
	})
}

func TestVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"action":{}}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := Sign([]byte(secret), ts, body)
	old := strconv.FormatInt(now.Add(-10*time.Minute).Unix(), 10)
	tests := []struct {
		name, secret, ts, sig string
		body                  []byte
		want                  string
	}{
		{"valid", secret, ts, sig, body, ""},
		{"tampered body", secret, ts, sig, []byte(`{"action":{"x":1}}`), ErrSignature.Error()},
		{"wrong secret", "other", ts, sig, body, ErrSignature.Error()},
		{"replayed later", secret, old, Sign([]byte(secret), old, body), body, "more than 5m0s: a replay or a wrong clock"},
		{"timestamp changed", secret, strconv.FormatInt(now.Unix()+1, 10), sig, body, ErrSignature.Error()},
		{"not a timestamp", secret, "yesterday", sig, body, `X-Vigil-Timestamp "yesterday" is not Unix seconds`},
		{"no prefix", secret, ts, strings.TrimPrefix(sig, "sha256="), body, "does not start with sha256="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify([]byte(tt.secret), tt.ts, tt.sig, tt.body, now, 5*time.Minute)
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Verify = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Name: "soar", URL: "https://soar.example/hook", SecretEnv: "X", Types: []string{"isolateDevice"}}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"valid", func(*Config) {}, ""},
		{"name", func(c *Config) { c.Name = " " }, "name: required"},
		{"url", func(c *Config) { c.URL = "ftp://x" }, `url: "ftp://x" is not an http:// or https:// URL`},
		{"secret", func(c *Config) { c.SecretFile = "/s" }, "secretFile, secretEnv: set one"},
		{"no types", func(c *Config) { c.Types = nil }, "types: name at least one action type"},
		{"unknown type", func(c *Config) { c.Types = []string{"isolateDevice", "nukeSite"} }, `types[1]: "nukeSite" is not an action type`},
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
