package app

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syslogLine is a 500-byte RFC 5424 line like an sshd or firewall message, numbered.
func syslogLine(i int) string {
	head := fmt.Sprintf("<38>1 2026-11-25T10:00:00.000Z host%02d sshd %d - - ", i%50, 1000+i%9000)
	msg := fmt.Sprintf("Accepted publickey for user%03d from 10.20.%d.%d port %d ssh2: RSA SHA256:", i%300, i%250, i%200, 40000+i%20000)
	pad := 500 - len(head) - len(msg)
	return head + msg + strings.Repeat("x", max(pad, 0))
}

// startReceiverBench is startBench with the syslog TCP listener on.
func startReceiverBench(b *testing.B) *benchServer {
	return startBenchWith(b, func(c *Config) { c.Receivers.Syslog.TCP = "127.0.0.1:0" })
}

// waitTable waits until the store holds n rows of table.
func (s *benchServer) waitTable(b *testing.B, table string, n int64) {
	b.Helper()
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c, err := s.a.store.RowCounts(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if c[table] >= n {
			return
		}
	}
	b.Fatalf("store did not reach %d rows of %s", n, table)
}

// BenchmarkIngestSyslogTCP sends 500-byte RFC 5424 lines, newline-framed, over two TCP
// connections to the syslog receiver; one op is one line. After the last line it waits until
// every row is in DuckDB and reports the sending rate and the stored rate (rows in DuckDB per
// second over the whole run), the figure the aim of issue 5 (50,000 events/s) is about.
func BenchmarkIngestSyslogTCP(b *testing.B) {
	s := startReceiverBench(b)
	defer s.stop()
	const conns = 2
	lines := make([]string, 1000)
	for i := range lines {
		lines[i] = syslogLine(i) + "\n"
	}
	b.SetBytes(int64(len(lines[0])))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c := range conns {
		n := b.N / conns
		if c == 0 {
			n += b.N % conns
		}
		wg.Go(func() {
			conn, err := net.Dial("tcp", s.a.SyslogTCPAddr())
			if err != nil {
				b.Error(err)
				return
			}
			defer conn.Close()
			w := bufio.NewWriterSize(conn, 256<<10)
			for i := range n {
				if _, err := w.WriteString(lines[i%len(lines)]); err != nil {
					b.Error(err)
					return
				}
			}
			if err := w.Flush(); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	sent := time.Since(start)
	s.waitTable(b, "Syslog", int64(b.N))
	stored := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/sent.Seconds(), "sent_events/s")
	b.ReportMetric(float64(b.N)/stored.Seconds(), "stored_events/s")
}

// BenchmarkIngestHEC posts Splunk HEC requests of 500 events of ~500 bytes (string events,
// which land in Syslog) from four senders; one op is one request, answered after the bus
// stored it. It reports the acknowledged and the stored events/s.
func BenchmarkIngestHEC(b *testing.B) {
	s := startReceiverBench(b)
	defer s.stop()
	const perRequest = 500
	var body bytes.Buffer
	for i := range perRequest {
		fmt.Fprintf(&body, `{"time":1764064800,"host":"host%02d","sourcetype":"linux_secure","event":%q}`, i%50, syslogLine(i)[60:])
	}
	payload := body.Bytes()
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	b.SetParallelism(2)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", s.url+"/services/collector/event", bytes.NewReader(payload))
			req.Header.Set("Authorization", "Splunk "+s.key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	acked := time.Since(start)
	s.waitTable(b, "Syslog", int64(b.N*perRequest))
	stored := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N*perRequest)/acked.Seconds(), "acked_events/s")
	b.ReportMetric(float64(b.N*perRequest)/stored.Seconds(), "stored_events/s")
}
