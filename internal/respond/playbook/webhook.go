package playbook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/respond/responders/webhook"
)

// webhook sends an HTTP request; a response status of 400 or more is an error (retried per
// the step's policy). With a secret, the request is signed as the webhook responder signs
// its deliveries (X-Vigil-Timestamp, and X-Vigil-Signature over the timestamp and the body),
// so that one receiver verifies both with webhook.Verify.
func (r *Runner) webhook(ctx context.Context, x *stepCall) (any, error) {
	method := strings.ToUpper(x.str("method"))
	if method == "" {
		method = http.MethodPost
	}
	u, err := url.Parse(x.str("url"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("url %q: want an http or https URL", x.str("url"))
	}
	var body []byte
	switch b := x.args["body"].(type) {
	case nil:
	case string:
		body = []byte(b)
	default:
		if body, err = json.Marshal(b); err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
	}
	if t := x.str("timeout"); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil {
			return nil, fmt.Errorf("timeout %q: %w", t, err)
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	if h, ok := x.args["headers"].(map[string]any); ok {
		for k, v := range h {
			req.Header.Set(k, fmt.Sprint(v))
		}
	}
	if secret := x.str("secret"); secret != "" {
		ts := strconv.FormatInt(r.opts.Now().Unix(), 10)
		req.Header.Set(webhook.TimestampHeader, ts)
		req.Header.Set(webhook.SignatureHeader, webhook.Sign([]byte(secret), ts, body))
	}
	req.Header.Set("User-Agent", "vigil-playbook")
	resp, err := r.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, maxWebhookResponseBytes))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	out := map[string]any{"status": resp.StatusCode, "body": string(rb)}
	var parsed any
	if json.Unmarshal(rb, &parsed) == nil {
		out["json"] = parsed
	}
	if resp.StatusCode >= 400 {
		return out, fmt.Errorf("%s %s: status %d", method, u.Redacted(), resp.StatusCode)
	}
	return out, nil
}
