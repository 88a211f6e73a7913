package webhook

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/respond"
)

// maxResponseBytes is how much of a response is read and kept.
const maxResponseBytes = 64 << 10

// Responder delivers the actions of its types to one webhook. Execute is safe for
// concurrent use.
type Responder struct {
	cfg    Config
	types  map[respond.Type]bool
	client *http.Client
	// Now is the clock of the timestamp header (time.Now when nil).
	Now func() time.Time
}

var _ respond.Responder = (*Responder)(nil)

// New returns a webhook responder; cfg must validate.
func New(cfg Config) (*Responder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("webhook %s: %w", cfg.Name, err)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	types := map[respond.Type]bool{}
	for _, t := range cfg.Types {
		types[respond.Type(t)] = true
	}
	client := &http.Client{Timeout: cfg.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse // a POST is not replayed elsewhere: 3xx fails
	}}
	return &Responder{cfg: cfg, types: types, client: client}, nil
}

// Supports implements respond.Responder: the configured types.
func (r *Responder) Supports(t respond.Type) bool { return r.types[t] }

// Delivery is the body POSTed to the webhook.
type Delivery struct {
	// Webhook is the configured name of the webhook.
	Webhook string `json:"webhook"`
	// Attempt counts deliveries of the action, from 1; a retry repeats the action id.
	Attempt int            `json:"attempt"`
	Action  respond.Action `json:"action"`
}

// Execute implements respond.Responder: it POSTs the action and maps the response.
func (r *Responder) Execute(ctx context.Context, a respond.Action) (respond.Result, error) {
	secret, err := r.cfg.secret()
	if err != nil {
		return respond.Result{}, err
	}
	body, err := json.Marshal(Delivery{Webhook: r.cfg.Name, Attempt: a.Attempts, Action: a})
	if err != nil {
		return respond.Result{}, fmt.Errorf("webhook %s: encode the action: %w", r.cfg.Name, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return respond.Result{}, fmt.Errorf("webhook %s: %w", r.cfg.Name, err)
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Vigil-Webhook/1")
	req.Header.Set(TimestampHeader, ts)
	req.Header.Set(SignatureHeader, Sign(secret, ts, body))
	req.Header.Set(ActionHeader, a.ID)
	resp, err := r.client.Do(req)
	if err != nil {
		return respond.Result{}, fmt.Errorf("webhook %s: post to %s: %w: %w", r.cfg.Name, r.cfg.URL, err, respond.ErrTransient)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	return r.outcome(resp, text)
}

// outcome maps a response: 2xx completes, 5xx, 408 and 429 are transient, others fail.
func (r *Responder) outcome(resp *http.Response, text []byte) (respond.Result, error) {
	first := firstLine(text)
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		data := map[string]any{"webhook": r.cfg.Name, "status": code}
		var v any
		if json.Valid(text) && json.Unmarshal(text, &v) == nil {
			data["response"] = v
		} else if first != "" {
			data["response"] = first
		}
		detail := fmt.Sprintf("webhook %s accepted the action: %s", r.cfg.Name, resp.Status)
		if first != "" {
			detail += ": " + first
		}
		return respond.Result{Detail: detail, Data: data}, nil
	case code >= 500 || code == http.StatusRequestTimeout || code == http.StatusTooManyRequests:
		return respond.Result{}, fmt.Errorf("webhook %s: %s: %s: %w", r.cfg.Name, resp.Status, first, respond.ErrTransient)
	case code >= 300 && code < 400:
		return respond.Result{}, fmt.Errorf("webhook %s: %s to %q: configure the final URL", r.cfg.Name, resp.Status, resp.Header.Get("Location"))
	default:
		return respond.Result{}, fmt.Errorf("webhook %s: %s: %s", r.cfg.Name, resp.Status, first)
	}
}

// firstLine returns the first non-blank line of a response, at most 300 bytes of it.
func firstLine(b []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), maxResponseBytes)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if len(line) > 300 {
			line = line[:300]
			for !utf8.ValidString(line) {
				line = line[:len(line)-1]
			}
			line += "..."
		}
		return line
	}
	return ""
}
