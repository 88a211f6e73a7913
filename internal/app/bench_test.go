package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest/sample"
)

// benchServer runs the whole server in process, with its real bus, stores and HTTP listener.
type benchServer struct {
	a    *App
	url  string
	key  string
	stop func()
}

func startBench(b *testing.B) *benchServer { return startBenchWith(b, nil) }

// startBenchWith is startBench with mutate applied to the configuration first.
func startBenchWith(b *testing.B, mutate func(*Config)) *benchServer {
	b.Helper()
	cfg := Default()
	cfg.Data = b.TempDir()
	cfg.Server.Listen = "127.0.0.1:0"
	if mutate != nil {
		mutate(&cfg)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := New(ctx, cfg, log)
	if err != nil {
		b.Fatal(err)
	}
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, func(s string) { addr <- s }) }()
	s := &benchServer{a: a, url: "http://" + <-addr}
	key, err := os.ReadFile(filepath.Join(cfg.Data, "admin.key"))
	if err != nil {
		b.Fatal(err)
	}
	s.key = strings.TrimSpace(string(key))
	s.stop = func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("server: %v", err)
		}
	}
	return s
}

func (s *benchServer) post(body []byte) error {
	req, _ := http.NewRequest("POST", s.url+"/api/v1/ingest/DeviceProcessEvents", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// waitStored waits until the store holds n rows of DeviceProcessEvents.
func (s *benchServer) waitStored(b *testing.B, n int64) {
	b.Helper()
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c, err := s.a.store.RowCounts(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if c["DeviceProcessEvents"] >= n {
			return
		}
	}
	b.Fatalf("store did not reach %d rows", n)
}

// BenchmarkIngestHTTP measures end-to-end ingest over HTTP of ~1 KB DeviceProcessEvents rows:
// each operation is one request of batch rows, answered after JetStream stored it; after the
// last answer the benchmark waits until the writer has put every row in DuckDB. It reports the
// acknowledged rate (rows/s, MB/s) and the stored rate (stored_rows/s: rows in DuckDB per
// second over the whole run).
func BenchmarkIngestHTTP(b *testing.B) {
	for _, batch := range []int{1, 100, 5000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s := startBench(b)
			defer s.stop()
			base := time.Now()
			bodies := make([][]byte, 64)
			for i := range bodies {
				bodies[i] = sample.ProcessEvents(int64(i*batch), batch, base)
			}
			b.SetBytes(int64(len(bodies[0])))
			b.ReportAllocs()
			var sent atomic.Int64
			b.SetParallelism(2) // 2×GOMAXPROCS concurrent senders
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if err := s.post(bodies[i%len(bodies)]); err != nil {
						b.Error(err)
						return
					}
					sent.Add(int64(batch))
					i++
				}
			})
			acked := time.Since(start)
			s.waitStored(b, sent.Load())
			stored := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(sent.Load())/acked.Seconds(), "rows/s")
			b.ReportMetric(float64(sent.Load())/stored.Seconds(), "stored_rows/s")
		})
	}
}

// BenchmarkStorage ingests 200,000 ~1 KB rows and reports the bytes DuckDB takes per row and
// the ratio of raw JSON to disk bytes (aim: at least 5). Run it with -benchtime=1x.
func BenchmarkStorage(b *testing.B) {
	const rows, batch = 200_000, 5000
	for i := 0; i < b.N; i++ {
		s := startBench(b)
		base := time.Now()
		var raw int64
		for first := 0; first < rows; first += batch {
			body := sample.ProcessEvents(int64(first), batch, base)
			raw += int64(len(body))
			if err := s.post(body); err != nil {
				b.Fatal(err)
			}
		}
		s.waitStored(b, rows)
		if err := s.a.store.Checkpoint(context.Background()); err != nil {
			b.Fatal(err)
		}
		disk, err := s.a.store.DiskBytes()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(raw)/rows, "raw_bytes/row")
		b.ReportMetric(float64(disk)/rows, "disk_bytes/row")
		b.ReportMetric(float64(raw)/float64(disk), "raw/disk")
		s.stop()
	}
}
