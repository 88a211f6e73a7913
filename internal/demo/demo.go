package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigilsec/vigil/content"
	"github.com/vigilsec/vigil/internal/app"
	"github.com/vigilsec/vigil/internal/simulate"
)

// Scenario is the scenario file `vigil demo` replays, under content/scenarios.
const Scenario = "phish-to-exfil.yaml"

// Options configure a demo run.
type Options struct {
	Data      string        // data directory (created)
	Listen    string        // HTTP address
	Seed      int64         // the organization and its noise
	NoBrowser bool          // do not try to open the portal
	Rate      int           // events/s of steady load after the scenario; 0 for none
	Duration  time.Duration // how long the load runs; 0 until the demo stops
	Out       io.Writer     // where the story is told
	Log       *slog.Logger
}

// Run starts the server with embedded defaults and the built-in content, replays the
// scenario through the real receivers, evaluates the rules at once, tells what happened and
// keeps serving until ctx ends.
func Run(ctx context.Context, opts Options) error {
	started := time.Now()
	cfg, err := config(opts)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, opts.Log)
	if err != nil {
		return err
	}
	srvCtx, stopServer := context.WithCancel(ctx)
	defer stopServer()
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- a.Run(srvCtx, func(addr string) { ready <- addr }) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-errc:
		return err
	}
	d := &driver{a: a, base: "http://" + addr, out: opts.Out}
	if err := d.play(srvCtx, opts); err != nil {
		stopServer() // the server drains and closes its stores before the demo fails
		return errors.Join(fmt.Errorf("demo: %w", err), <-errc)
	}
	d.tell(srvCtx, started, opts)
	if opts.Rate > 0 {
		go d.load(srvCtx, opts)
	}
	return <-errc
}

// config is the server's configuration for the demo: defaults, the built-in rules extracted
// under the data directory, and a syslog listener for the firewall's CEF.
func config(opts Options) (app.Config, error) {
	cfg := app.Default()
	cfg.Data, cfg.Server.Listen = opts.Data, opts.Listen
	if err := os.MkdirAll(opts.Data, 0o700); err != nil {
		return cfg, err
	}
	rules, _, err := content.Extract(filepath.Join(opts.Data, "content"))
	if err != nil {
		return cfg, fmt.Errorf("extract content: %w", err)
	}
	cfg.Detection.Rules = []string{rules}
	cfg.Receivers.Syslog.TCP = "127.0.0.1:0"
	// A laptop's demo: DuckDB's buffer pool would otherwise grow to 80% of memory under load.
	cfg.Store.DuckDB.MemoryLimit = "512MB"
	return cfg, cfg.Validate()
}

// driver plays the scenario against the running server through its HTTP API, as any client.
type driver struct {
	a    *app.App
	base string
	key  string
	out  io.Writer
	gen  *simulate.Generator
	sink simulate.Sink
}

func (d *driver) play(ctx context.Context, opts Options) error {
	key, err := os.ReadFile(filepath.Join(opts.Data, "admin.key"))
	if err != nil {
		return err
	}
	d.key = strings.TrimSpace(string(key))
	src, err := content.FS.ReadFile("scenarios/" + Scenario)
	if err != nil {
		return err
	}
	sc, err := simulate.ParseScenario(Scenario, src)
	if err != nil {
		return err
	}
	d.gen = simulate.New(opts.Seed, simulate.Options{})
	if err := d.gen.Scenario(sc); err != nil {
		return err
	}
	if err := d.seed(ctx); err != nil {
		return err
	}
	d.sink = simulate.MultiSink{HTTP: &simulate.HTTPSink{BaseURL: d.base, APIKey: d.key},
		Syslog: &simulate.SyslogSink{Addr: d.a.SyslogTCPAddr()}}
	fmt.Fprintf(d.out, "Replaying %q: %d people, their devices, a day's benign noise and the attack...\n", sc.Name, len(d.gen.Org().Users))
	if err := d.gen.Replay(ctx, d.gen.StartFor(time.Now()), d.sink); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	if err := d.a.Settle(ctx); err != nil {
		return err
	}
	for _, ri := range d.a.RunRulesNow(ctx, time.Now()) {
		if ri.Err != nil {
			opts.Log.Warn("rule run failed", "rule", ri.RuleID, "err", ri.Err)
		}
	}
	return d.a.Settle(ctx)
}

// seed registers the scenario's decoys and imports its threat intelligence, as an analyst
// would before the attack.
func (d *driver) seed(ctx context.Context) error {
	for _, dc := range d.gen.Decoys() {
		body, _ := json.Marshal(map[string]string{"kind": dc.Kind, "value": dc.Value, "description": dc.Description})
		if err := d.post(ctx, "/api/v1/deception/decoys", body, http.StatusCreated, http.StatusConflict); err != nil {
			return fmt.Errorf("register decoy: %w", err)
		}
	}
	if err := d.post(ctx, "/api/v1/threatIntelligence/indicators:import", d.gen.Indicators(), http.StatusOK); err != nil {
		return fmt.Errorf("import indicators: %w", err)
	}
	if err := d.a.Settle(ctx); err != nil {
		return err
	}
	return d.a.ReloadDecoys(ctx)
}

// login creates the portal account the newcomer signs in with, with a one-time password the
// server generates; on a data directory that has it already, it says so.
func (d *driver) login(ctx context.Context) (user, password string) {
	body := []byte(`{"username":"demo","displayName":"Demo analyst","roles":[{"role":"global-admin","tenant":"default"}]}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.base+"/api/v1/users", bytes.NewReader(body))
	if err != nil {
		return "demo", ""
	}
	req.Header.Set("Authorization", "Bearer "+d.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "demo", ""
	}
	defer resp.Body.Close()
	var out struct {
		Password string `json:"password"`
	}
	if resp.StatusCode != http.StatusCreated || json.NewDecoder(resp.Body).Decode(&out) != nil {
		return "demo", ""
	}
	return "demo", out.Password
}

func (d *driver) post(ctx context.Context, path string, body []byte, ok ...int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+d.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, s := range ok {
		if resp.StatusCode == s {
			return nil
		}
	}
	return fmt.Errorf("%s: HTTP %d: %s", path, resp.StatusCode, bytes.TrimSpace(b))
}

// load runs the steady stream after the story.
func (d *driver) load(ctx context.Context, opts Options) {
	fmt.Fprintf(d.out, "Generating %d events/s of benign activity", opts.Rate)
	if opts.Duration > 0 {
		fmt.Fprintf(d.out, " for %s", opts.Duration)
	}
	fmt.Fprintln(d.out, ".")
	if err := d.gen.Stream(ctx, opts.Rate, opts.Duration, d.sink); err != nil && ctx.Err() == nil {
		opts.Log.Error("load generator stopped", "err", err)
	}
}

// openBrowser tries the desktop's opener; a headless machine simply has none.
func openBrowser(url string) {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return
	}
	if p, err := exec.LookPath("xdg-open"); err == nil {
		_ = exec.Command(p, url).Start() //nolint:gosec // the opener and our own URL
	}
}
