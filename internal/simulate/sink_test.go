package simulate

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHTTPSinkRetriesOn503(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if r.Header.Get("Authorization") != "Bearer k" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if calls == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		paths = append(paths, r.URL.Path+" "+string(b))
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	s := &HTTPSink{BaseURL: srv.URL + "/", APIKey: "k"}
	ctx := context.Background()
	if err := s.Send(ctx, FormatEntraSignin, []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, FormatIdentityInfo, []byte(`{"b":2}`)); err != nil {
		t.Fatal(err)
	}
	want := []string{`/api/v1/ingest/format/entra-signin {"a":1}`, `/api/v1/ingest/IdentityInfo {"b":2}`}
	if calls != 3 || strings.Join(paths, "|") != strings.Join(want, "|") {
		t.Fatalf("calls %d, paths %q", calls, paths)
	}
	if err := s.Send(ctx, FormatCEF, []byte("x")); err == nil {
		t.Fatal("cef over HTTP accepted")
	}
	bad := &HTTPSink{BaseURL: srv.URL, APIKey: "wrong"}
	if err := bad.Send(ctx, FormatEntraSignin, []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("unauthorized: %v", err)
	}
}

func TestSyslogSinkOctetCounting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		br := bufio.NewReader(c)
		var msgs []string
		for len(msgs) < 3 {
			n, err := br.ReadString(' ')
			if err != nil {
				break
			}
			size, _ := strconv.Atoi(strings.TrimSpace(n))
			b := make([]byte, size)
			if _, err := io.ReadFull(br, b); err != nil {
				break
			}
			msgs = append(msgs, string(b))
		}
		got <- msgs
	}()
	s := &SyslogSink{Addr: ln.Addr().String()}
	defer s.Close()
	if err := s.Send(context.Background(), FormatSyslog, []byte("<13>1 - h a - - - one\n<13>1 - h a - - - two")); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), FormatCEF, []byte("CEF:0|a|b|1|c|d|1|src=1.2.3.4")); err != nil {
		t.Fatal(err)
	}
	msgs := <-got
	if len(msgs) != 3 || msgs[1] != "<13>1 - h a - - - two" || !strings.HasPrefix(msgs[2], "CEF:0") {
		t.Fatalf("frames: %q", msgs)
	}
}

func TestStreamRate(t *testing.T) {
	var c collect
	g := New(1, Options{BatchSize: 100})
	if err := g.Stream(context.Background(), 2000, 300*time.Millisecond, &c); err != nil {
		t.Fatal(err)
	}
	n := strings.Count(c.buf.String(), "\n")
	// 3 ticks of 200 records; each record is one line plus a format line per batch.
	if n < 600 {
		t.Fatalf("stream sent %d lines, want >= 600", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.Stream(ctx, 10, 0, &c); err == nil {
		t.Fatal("a cancelled stream returned nil")
	}
}

// discard is a Sink that drops everything.
type discard struct{ n int }

func (d *discard) Send(_ context.Context, _ string, p []byte) error {
	d.n += len(p)
	return nil
}

// BenchmarkStream measures the generation rate behind Stream (records per second), without
// its pacing: noise records batched per format into a sink that drops them.
func BenchmarkStream(b *testing.B) {
	n := newNoise(NewOrg(1, 60), newRand(1, 5))
	bt := newBatcher(&discard{}, 500)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	records := 0
	for i := 0; b.Loop(); i++ {
		for _, r := range n.next(t0.Add(time.Duration(i) * time.Millisecond)) {
			_ = bt.add(ctx, r)
			records++
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "events/s")
}
