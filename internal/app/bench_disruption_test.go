package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	vigilagent "github.com/vigilsec/vigil/internal/agent"
)

// BenchmarkDisruptionLatency measures attack disruption's action latency, alert to device
// isolated (issue 8 aims under 5 s): each operation puts the two alerts of a fresh
// credential-theft scenario through the real server's alert path (tuning, alert tables,
// correlation into an incident) and waits until the isolateDevice action that disruption
// requests reaches completed. The latency is from just before the alerts are put to the
// action's completion time; it reports p50, p95 and max in milliseconds. Without agents the
// simulated responder carries the action out. Run it with -benchtime=50x.
func BenchmarkDisruptionLatency(b *testing.B) {
	s := startBench(b)
	defer s.stop()
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	req := make([]time.Duration, 0, b.N) // alert to action requested
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := strconv.Itoa(i)
		start := time.Now()
		if err := s.a.alerts.Put(ctx, credentialTheftAlerts(n, start.UTC())); err != nil {
			b.Fatal(err)
		}
		a, err := waitIsolated(ctx, s.a.meta, "ws-"+n+".corp.example", 30*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, a.FinishedAt.Sub(start))
		req = append(req, a.CreatedAt.Sub(start))
	}
	b.StopTimer()
	ms := func(l []time.Duration, q int) float64 {
		slices.Sort(l)
		return float64(l[min(len(l)-1, len(l)*q/100)]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(lat, 50), "p50_ms")
	b.ReportMetric(ms(lat, 95), "p95_ms")
	b.ReportMetric(ms(lat, 100), "max_ms")
	b.ReportMetric(ms(req, 50), "p50_requested_ms")
	// Let the accounts' disableAccount actions finish before the server stops.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if open, err := s.a.meta.ActionsInStatus(ctx, "approved", "sent", "running"); err != nil || len(open) == 0 {
			break
		}
	}
}

// BenchmarkDisruptionLatencyAgent is BenchmarkDisruptionLatency with real agents carrying
// the isolation out: per operation a fresh agent is enrolled through the API, connected to
// the server's agent listener and serving commands, and the scenario names its device. The
// agents' nftables rules go to a network namespace of their own (ip netns, root only), so the
// benchmark never isolates the machine it runs on.
func BenchmarkDisruptionLatencyAgent(b *testing.B) {
	nsFd := benchNetns(b)
	s := startBenchWith(b, func(c *Config) { c.Agents.Listen = "127.0.0.1:0" })
	defer s.stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	devices := make([]string, b.N)
	for i := range devices {
		devices[i] = benchAgent(ctx, b, s, nsFd)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i, dev := range devices {
		start := time.Now()
		if err := s.a.alerts.Put(ctx, credentialTheftOn(dev, "agent-"+strconv.Itoa(i), start.UTC())); err != nil {
			b.Fatal(err)
		}
		a, err := waitIsolated(ctx, s.a.meta, dev, 30*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		if !strings.Contains(a.Result, "device isolated: only 127.0.0.1 reachable") || strings.Contains(a.Result, "simulated") {
			b.Fatalf("isolation of %s not by its agent: %s", dev, a.Result)
		}
		lat = append(lat, a.FinishedAt.Sub(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50_ms")
	b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*95/100)]), "p95_ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max_ms")
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if open, err := s.a.meta.ActionsInStatus(ctx, "approved", "sent", "running"); err != nil || len(open) == 0 {
			break
		}
	}
}

// benchNetns makes a network namespace for the agents' firewall rules and returns its fd;
// the benchmark is skipped when one cannot be made (not root, no ip command).
func benchNetns(b *testing.B) int {
	b.Helper()
	name := fmt.Sprintf("vigil-disrupt-%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		b.Skipf("no network namespace for the agents' rules: %v %s", err, out)
	}
	b.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	f, err := os.Open(filepath.Join("/run/netns", name))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = f.Close() })
	return int(f.Fd())
}

// benchAgent enrolls an agent, connects it and serves its commands until ctx ends; it
// returns the agent's device id.
func benchAgent(ctx context.Context, b *testing.B, s *benchServer, nsFd int) string {
	b.Helper()
	req, _ := http.NewRequest("POST", s.url+"/api/v1/agents/enrollmentTokens", strings.NewReader(`{"expiresInHours":1}`))
	req.Header.Set("Authorization", "Bearer "+s.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var tok struct{ Token string }
	err = json.NewDecoder(resp.Body).Decode(&tok)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated {
		b.Fatalf("enrollment token: %d %v", resp.StatusCode, err)
	}
	state := b.TempDir()
	id, err := vigilagent.Enroll(ctx, s.url, tok.Token, state, nil)
	if err != nil {
		b.Fatal(err)
	}
	nc, err := vigilagent.Connect("nats://"+s.a.bus.AgentAddr(), id, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nc.Close)
	dev := &vigilagent.Device{State: &vigilagent.StateFile{Path: filepath.Join(state, "state.json")},
		Quarantine: vigilagent.Quarantine{Dir: filepath.Join(state, "quarantine")}, Servers: []string{"127.0.0.1"},
		Firewall: vigilagent.Firewall{NetNSFd: nsFd}}
	go func() { _ = dev.Serve(ctx, nc, id) }()
	return id.DeviceID
}
