package simulate

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HTTPSink sends batches to a Vigil server: source formats to
// POST {BaseURL}/api/v1/ingest/format/{format}, "table:T" to POST {BaseURL}/api/v1/ingest/T.
// Syslog formats (cef, syslog) are refused: send them with a SyslogSink. A 503 or 429 is
// retried after its Retry-After (or a growing pause), up to MaxRetries times.
type HTTPSink struct {
	BaseURL    string
	APIKey     string
	Client     *http.Client // http.DefaultClient when nil
	MaxRetries int          // 10 when 0
}

// Send implements Sink.
func (s *HTTPSink) Send(ctx context.Context, format string, payload []byte) error {
	path := "/api/v1/ingest/format/" + format
	if t, ok := strings.CutPrefix(format, "table:"); ok {
		path = "/api/v1/ingest/" + t
	} else if format == FormatCEF || format == FormatSyslog {
		return fmt.Errorf("format %s goes to the syslog receiver, not HTTP", format)
	}
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	tries := s.MaxRetries
	if tries <= 0 {
		tries = 10
	}
	for attempt := 0; ; attempt++ {
		wait, err := s.post(ctx, client, path, payload)
		if err == nil {
			return nil
		}
		if wait < 0 || attempt >= tries {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// post makes one request; on failure it says how long to wait before a retry, or -1 when a
// retry cannot help.
func (s *HTTPSink) post(ctx context.Context, client *http.Client, path string, payload []byte) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(s.BaseURL, "/")+path, bytes.NewReader(payload))
	if err != nil {
		return -1, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if s.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+s.APIKey)
	}
	resp, err := client.Do(req)
	if err != nil {
		return time.Second, fmt.Errorf("post %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode < 300:
		return 0, nil
	case resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests:
		wait := time.Second
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
			wait = time.Duration(secs) * time.Second
		}
		return wait, fmt.Errorf("post %s: %s", path, resp.Status)
	default:
		return -1, fmt.Errorf("post %s: %s: %s", path, resp.Status, strings.TrimSpace(string(body)))
	}
}

// SyslogSink sends cef and syslog batches to a syslog receiver over TCP, one RFC 6587
// octet-counted frame per message. It dials on first use and redials after an error.
type SyslogSink struct {
	Addr string
	conn net.Conn
	w    *bufio.Writer
}

// Send implements Sink.
func (s *SyslogSink) Send(ctx context.Context, format string, payload []byte) error {
	if format != FormatCEF && format != FormatSyslog {
		return fmt.Errorf("format %s is not a syslog format", format)
	}
	if s.conn == nil {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", s.Addr)
		if err != nil {
			return fmt.Errorf("dial syslog: %w", err)
		}
		s.conn, s.w = c, bufio.NewWriterSize(c, 64<<10)
	}
	for len(payload) > 0 {
		line := payload
		if i := bytes.IndexByte(payload, '\n'); i >= 0 {
			line, payload = payload[:i], payload[i+1:]
		} else {
			payload = nil
		}
		if len(line) == 0 {
			continue
		}
		// A bufio.Writer keeps its first error and returns it from Flush.
		_, _ = s.w.WriteString(strconv.Itoa(len(line)))
		_ = s.w.WriteByte(' ')
		_, _ = s.w.Write(line)
	}
	if err := s.w.Flush(); err != nil {
		_ = s.Close()
		return fmt.Errorf("write syslog: %w", err)
	}
	return nil
}

// Close closes the connection.
func (s *SyslogSink) Close() error {
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn, s.w = nil, nil
	return err
}

// MultiSink routes syslog formats to Syslog and everything else to HTTP.
type MultiSink struct {
	HTTP   Sink
	Syslog Sink
}

// Send implements Sink.
func (m MultiSink) Send(ctx context.Context, format string, payload []byte) error {
	if format == FormatCEF || format == FormatSyslog {
		return m.Syslog.Send(ctx, format, payload)
	}
	return m.HTTP.Send(ctx, format, payload)
}
