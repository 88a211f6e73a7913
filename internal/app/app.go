package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/deception"
	"github.com/vigilsec/vigil/internal/detect/ruleset"
	"github.com/vigilsec/vigil/internal/detect/schedule"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/detect/tuning"
	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/ingest"
	syslogrecv "github.com/vigilsec/vigil/internal/ingest/receiver/syslog"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/respond/automation"
	"github.com/vigilsec/vigil/internal/respond/investigate"
	"github.com/vigilsec/vigil/internal/respond/playbook"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store/duckdb"
	"github.com/vigilsec/vigil/internal/web"
)

// App is a running Vigil server: every component, opened and wired.
type App struct {
	cfg     Config
	log     *slog.Logger
	lock    *dataLock
	meta    *meta.Store
	reg     *schema.Registry
	store   *duckdb.Store
	bus     *bus.Bus
	writer  *ingest.Writer
	api     *api.Server
	syslog  *syslogrecv.Receiver      // nil when not configured
	sched   *schedule.Scheduler       // runs the rules of rules
	rules   *ruleset.Set              // content rules and rules created through the API
	runs    *ruleset.Recorder         // records rule runs
	stream  *stream.Consumer          // nil when no stream detector is configured
	decoys  *deception.Detector       // nil when deception is off
	clock   schedule.Clock            // the scheduler's clock; nil means the system clock (tests set it)
	alerts  alert.Sink                // the alert path: tuning, alert tables, then correlation into incidents
	tuning  *tuning.Service           // alert tuning rules
	resp    *respond.Dispatcher       // runs approved response actions
	audit   *auditJobs                // copies audit records to VigilAudit and prunes the audit log
	disrupt *respond.Disruption       // automatic attack disruption
	air     *investigate.Investigator // automated investigation
	actions *respond.Service          // the Action Center
	agents  *agentService             // endpoint agents; nil when agents are off
	closed  bool

	automation    *automation.Service // automation rules
	playbooks     *playbook.Runner    // playbooks and their runs
	autoIncidents *incidentsRef       // the incident service automation acts through
}

// New opens every component in dependency order; on failure it closes what it opened.
func New(ctx context.Context, cfg Config, log *slog.Logger) (_ *App, err error) {
	a := &App{cfg: cfg, log: log, reg: schema.NewRegistry()}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if a.lock, err = lockDataDir(cfg.Data); err != nil {
		return nil, err
	}
	if err := a.openStores(ctx); err != nil {
		return nil, err
	}
	if err := a.openBus(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *App) openStores(ctx context.Context) (err error) {
	mcfg := meta.Config{Driver: a.cfg.Meta.Driver, DSN: a.cfg.Meta.DSN}
	if mcfg.Driver == "sqlite" && mcfg.DSN == "" {
		mcfg.DSN = filepath.Join(a.cfg.Data, "meta.db")
	}
	if a.meta, err = meta.Open(ctx, mcfg); err != nil {
		return fmt.Errorf("state store: %w", err)
	}
	custom, err := a.meta.CustomTables(ctx)
	if err != nil {
		return fmt.Errorf("read custom tables: %w", err)
	}
	for _, ct := range custom {
		t, err := schema.NewTable(ct.Name, schema.KindCustom, metaColumns(ct.Columns))
		if err != nil {
			return fmt.Errorf("custom table %s: %w", ct.Name, err)
		}
		t.Description = ct.Description
		a.reg.Register(t)
	}
	dcfg := a.cfg.Store.DuckDB
	a.store, err = duckdb.Open(ctx, filepath.Join(a.cfg.Data, "events.duckdb"), duckdb.Options{Threads: dcfg.Threads, MemoryLimit: dcfg.MemoryLimit})
	if err != nil {
		return fmt.Errorf("event store: %w", err)
	}
	return a.store.EnsureTables(ctx, a.reg.Tables())
}

func (a *App) openBus(ctx context.Context) (err error) {
	interval, always, _ := a.cfg.Bus.SyncPolicy()
	agents, err := a.agentListener()
	if err != nil {
		return err
	}
	a.bus, err = bus.Open(ctx, bus.Config{
		URL: a.cfg.Bus.URL, StoreDir: filepath.Join(a.cfg.Data, "bus"),
		MaxBytes: int64(a.cfg.Bus.MaxBytes), MaxAge: a.cfg.Bus.MaxAge,
		SyncInterval: interval, SyncAlways: always, Replicas: a.cfg.Bus.Replicas, Agents: agents,
	}, a.log)
	if err != nil {
		return fmt.Errorf("bus: %w", err)
	}
	return a.openAgents(ctx)
}

func metaColumns(cs []meta.Column) []schema.ColumnDef {
	out := make([]schema.ColumnDef, len(cs))
	for i, c := range cs {
		out[i] = schema.ColumnDef{Name: c.Name, Type: c.Type}
	}
	return out
}

// Run serves until ctx ends, then shuts down in order: the HTTP server stops taking requests
// and finishes those in flight, then the writer drains the bus into the store, then every
// store closes.
func (a *App) Run(ctx context.Context, ready func(addr string)) error {
	defer a.Close()
	promReg := prometheus.NewRegistry()
	promReg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := ingest.NewMetrics(promReg)
	recvMetrics := ingest.NewReceiverMetrics(promReg)
	off, err := a.store.Offset(ctx, ingest.WriterConsumer)
	if err != nil {
		return fmt.Errorf("read writer offset: %w", err)
	}
	cons, err := a.bus.ResumeConsumer(ctx, ingest.WriterConsumer, bus.IngestSubjectPrefix+">", off)
	if err != nil {
		return err
	}
	ic := a.cfg.Ingest
	a.writer = ingest.NewWriter(cons, a.store, a.reg, ingest.WriterOptions{
		MaxMessages: ic.WriterBatch, MaxBytes: int(ic.WriterMaxBytes), MaxWait: ic.WriterMaxWait, DrainTimeout: ic.DrainTimeout,
	}, a.log, m)
	keys, err := a.keys()
	if err != nil {
		return err
	}
	svc := ingest.NewService(a.reg, a.bus, ingest.Options{MaxMessageBytes: int(ic.MaxMessageBytes), MaxErrors: ic.MaxRowErrors}, m)
	authSvc, authOpts, err := a.authService(svc)
	if err != nil {
		return err
	}
	tlsCfg, err := a.tlsConfig()
	if err != nil {
		return err
	}
	actions, err := a.responseService(svc, authSvc)
	if err != nil {
		return err
	}
	a.actions = actions
	if err := a.newAutomation(actions, authSvc); err != nil {
		return err
	}
	incidents, err := a.incidentService(svc, actions)
	if err != nil {
		return err
	}
	a.autoIncidents.Service = incidents
	if err := a.newDetection(ctx, svc, promReg); err != nil {
		return err
	}
	hecRoutes, err := a.hecRoutes()
	if err != nil {
		return err
	}
	a.api, err = api.New(api.Options{
		Listen: a.cfg.Server.Listen, MaxBodyBytes: int64(ic.MaxBodyBytes),
		MaxQueryRows: a.cfg.Server.MaxQueryRows, QueryTimeout: a.cfg.Server.QueryTimeout, Auth: authOpts, TLS: tlsCfg,
		HECRoutes: hecRoutes, Receivers: recvMetrics,
	}, api.Deps{
		Registry: a.reg, Ingest: svc, Store: a.store, Tables: a, Incidents: incidents, Rules: a.rules, Tuning: a.tuning, Decoys: a.meta, Actions: actions,
		Investigations: investigate.Reader{Store: a.meta, Actions: actions}, Agents: a.agentAPI(), Automation: a.automation, Playbooks: a.playbooks, HuntingQueries: a.meta, SavedFilters: a.meta, Watchlists: a.meta, Keys: keys, Auth: authSvc, Devices: a.devices(), Ready: a.ready,
		Metrics: promhttp.HandlerFor(promReg, promhttp.HandlerOpts{}), Log: a.log, Portal: web.New(),
	})
	if err != nil {
		return err
	}
	if sc := a.cfg.Receivers.Syslog; sc.Enabled() {
		stls, err := a.syslogTLS()
		if err != nil {
			return err
		}
		a.syslog, err = syslogrecv.New(syslogrecv.Config{
			UDP: sc.UDP, TCP: sc.TCP, TLS: sc.TLS.Listen, TLSConfig: stls, Tenant: sc.Tenant, Listeners: syslogListeners(sc.Listeners),
			MaxMessageBytes: int(sc.MaxMessageBytes), MaxConnections: sc.MaxConnections, BatchSize: sc.BatchSize, BatchWait: sc.BatchWait, Metrics: promReg, Receivers: recvMetrics,
		}, svc, a.log)
		if err != nil {
			return err
		}
	}
	return a.serve(ctx, ready)
}

// incidentService builds the alert path (tuning, then the huntable alert tables and
// correlation, both of which must succeed, then the response actions rules ask for, through
// actions) and the incident service the API serves, whose changes go to the live feed and
// the SecurityIncident table.
func (a *App) incidentService(svc *ingest.Service, actions *respond.Service) (*incident.Service, error) {
	table, err := alert.NewTableSink(a.reg, svc)
	if err != nil {
		return nil, err
	}
	itable, err := incident.NewTableWriter(a.reg, svc, a.meta, a.log.With("component", "incidents"))
	if err != nil {
		return nil, err
	}
	feed := incident.NewFeed(incident.DefaultFeedSize)
	notify := incident.Notifiers{feed, itable, a.disrupt, a.automation}
	// Alert tuning sits first: suppressed alerts go nowhere, resolved ones only to the tables.
	a.tuning = tuning.New(a.meta, a.log.With("component", "tuning"))
	a.alerts = &tuning.Sink{Service: a.tuning, Resolved: table,
		Next: incident.FanOut{table, incident.New(incident.MetaState{Store: a.meta}, incident.Options{Notify: notify,
			Identities: &incident.IdentityInfo{Registry: a.reg, Store: a.store}}),
			&respond.RuleActions{Service: actions, Log: a.log.With("component", "rule-actions")}, a.air}}
	return &incident.Service{Store: a.meta, Sink: a.alerts, Notify: notify, Feed: feed}, nil
}

func (a *App) serve(ctx context.Context, ready func(addr string)) error {
	writerCtx, stopWriter := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWriter()
	apiCtx, stopAPI := context.WithCancel(ctx)
	defer stopAPI()
	g := new(errgroup.Group)
	writerDone := make(chan struct{})
	g.Go(func() error {
		defer close(writerDone)
		err := a.writer.Run(writerCtx)
		if err != nil {
			stopAPI() // a server that cannot store must not take data
		}
		return err
	})
	// The writer drains only after the last request is answered and the receivers have
	// published what they hold.
	var producers sync.WaitGroup
	var apiErr error
	producers.Go(func() {
		if apiErr = a.api.Run(apiCtx, a.cfg.Server.ShutdownTimeout); apiErr != nil {
			stopAPI() // stop the receivers too
		}
	})
	if a.syslog != nil {
		producers.Go(func() {
			if err := a.syslog.Run(apiCtx); err != nil {
				a.log.Error("syslog receiver stopped; stopping the server", "err", err)
				stopAPI()
			}
		})
		for _, addr := range a.syslog.Addrs() {
			a.log.Info("syslog receiver listening", "udp", addr.UDP, "tcp", addr.TCP, "tls", addr.TLS, "tenant", addr.Tenant)
		}
	}
	a.runDetection(apiCtx, &producers)
	a.runAudit(apiCtx, &producers)
	a.runResponse(apiCtx, &producers)
	a.runAutomation(apiCtx, &producers)
	a.runAgents(apiCtx, &producers)
	g.Go(func() error {
		producers.Wait()
		stopWriter()
		return apiErr
	})
	// Announce the server once it is ready to take data (readyz answers 200 from then on).
	select {
	case <-a.writer.Ready():
		a.log.Info("vigil server listening", "addr", a.api.Addr(), "data", a.cfg.Data)
		if ready != nil {
			ready(a.api.Addr())
		}
	case <-writerDone:
	case <-ctx.Done():
	}
	err := g.Wait()
	a.log.Info("vigil server stopped")
	return err
}

func (a *App) keys() (*api.KeyRing, error) {
	key, err := api.LoadOrCreateAdminKey(filepath.Join(a.cfg.Data, "admin.key"))
	if err != nil {
		return nil, err
	}
	kr := api.NewKeyRing()
	// The admin key also signs Data Collector API requests (SharedKey) for its tenant.
	kr.AddSigning(key, meta.DefaultTenantID, api.Principal{Name: "admin", Tenant: meta.DefaultTenantID, Admin: true})
	return kr, nil
}

func (a *App) ready(ctx context.Context) error {
	if !a.bus.Healthy() {
		return errors.New("bus disconnected")
	}
	select {
	case <-a.writer.Ready():
		return nil
	default:
		return errors.New("store writer starting")
	}
}

// PutCustomTable creates or extends a custom table: checked by the registry, created in the
// event store, recorded in the state store, and only then registered for ingest.
func (a *App) PutCustomTable(ctx context.Context, name, description string, cols []schema.ColumnDef) (*schema.Table, bool, error) {
	t, err := a.reg.NewCustom(name, description, cols)
	if err != nil {
		return nil, false, &api.Error{Status: 400, Code: "invalidTable", Msg: err.Error()}
	}
	if err := a.store.EnsureTables(ctx, []*schema.Table{t}); err != nil {
		return nil, false, err
	}
	mc := meta.CustomTable{Name: t.Name, Description: description}
	for _, c := range t.Columns {
		if !c.Hidden {
			mc.Columns = append(mc.Columns, meta.Column{Name: c.Name, Type: c.Type.String()})
		}
	}
	created, err := a.meta.PutCustomTable(ctx, mc)
	if err != nil {
		return nil, false, err
	}
	a.reg.Register(t)
	return t, created, nil
}

// Close closes every component that is open, in reverse order.
func (a *App) Close() {
	if a.closed {
		return
	}
	a.closed = true
	if a.bus != nil {
		a.bus.Close()
	}
	if a.store != nil {
		if err := a.store.Close(); err != nil {
			a.log.Error("close event store", "err", err)
		}
	}
	if a.meta != nil {
		if err := a.meta.Close(); err != nil {
			a.log.Error("close state store", "err", err)
		}
	}
	if a.lock != nil {
		_ = a.lock.release()
	}
}
