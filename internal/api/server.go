package api

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/receiver/hec"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/web"
)

// TableAdmin creates and extends custom tables across the registry, the event store and the
// state store.
type TableAdmin interface {
	PutCustomTable(ctx context.Context, name, description string, cols []schema.ColumnDef) (t *schema.Table, created bool, err error)
}

// Options are the server's limits.
type Options struct {
	Listen       string
	MaxBodyBytes int64
	MaxQueryRows int
	QueryTimeout time.Duration
	Auth         AuthOptions
	TLS          *tls.Config             // nil: plain HTTP
	HECRoutes    []hec.Rule              // Splunk HEC sourcetype routes; events without one land in Syslog
	Receivers    *ingest.ReceiverMetrics // per-receiver metrics of the HTTP receivers; nil: not counted
}

// Deps are what the API serves from.
type Deps struct {
	Registry *schema.Registry
	Ingest   *ingest.Service
	Store    store.Store
	Tables   TableAdmin
	// Incidents serves the security incident and alert API; nil leaves those routes out.
	Incidents Incidents
	// Rules serves the detection rules API; nil leaves those routes out.
	Rules Rules
	// Tuning serves the alert tuning API; nil leaves those routes out.
	Tuning Tuning
	// Decoys serves the deception decoy API; nil leaves those routes out.
	Decoys Decoys
	// Actions serves the Action Center (response actions) API; nil leaves those routes out.
	Actions Actions
	// Investigations serves automated investigations; nil leaves those routes out.
	Investigations Investigations
	// Agents serves endpoint agent enrollment; nil leaves those routes out.
	Agents Agents
	// Automation serves the automation rules API; nil leaves those routes out.
	Automation Automation
	// Playbooks serves the playbooks and playbook runs API; nil leaves those routes out.
	Playbooks Playbooks
	// HuntingQueries keeps saved hunting queries; nil leaves those routes out.
	HuntingQueries HuntingQueries
	// Watchlists keeps watchlists (served at /api/v1/security/watchlists and read by
	// _GetWatchlist() in queries); nil leaves those routes out.
	Watchlists Watchlists
	// SavedFilters keeps saved incident queue filters; nil leaves those routes out.
	SavedFilters SavedFilters
	Keys         *KeyRing
	// Auth authenticates users, sessions and stored API keys and keeps the
	// audit log; nil leaves only the key ring (and the auth routes out).
	Auth *auth.Service
	// Devices places devices in device groups (device group members, scoped
	// hunting); nil leaves the device group routes out.
	Devices *auth.Devices
	Ready   func(ctx context.Context) error // nil when ready to take data
	Metrics http.Handler
	// Portal serves the web portal at / (internal/web); nil leaves it out.
	Portal http.Handler
	Log    *slog.Logger
}

// Server is the HTTP API server.
type Server struct {
	opts  Options
	d     Deps
	perms map[string]auth.Permission // route pattern -> what it requires
	srv   *http.Server
	ln    net.Listener
}

// New builds the server and binds its listener, so that the address is known (and a port in
// use is reported) before Run.
func New(opts Options, d Deps) (*Server, error) {
	s := &Server{opts: opts, d: d}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", opts.Listen, err)
	}
	if opts.TLS != nil {
		ln = tls.NewListener(ln, opts.TLS)
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(d.Log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Handler returns the server's handler, for tests.
func (s *Server) Handler() http.Handler { return s.srv.Handler }

// Run serves until ctx ends, then stops taking requests and waits for those in flight, up to
// the shutdown timeout carried by the context given to Shutdown.
func (s *Server) Run(ctx context.Context, shutdownTimeout time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.perms = routePermissions()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.d.Metrics != nil {
		mux.Handle("GET /metrics", s.d.Metrics)
	}
	auth := s.authenticate
	mux.Handle("POST /api/v1/ingest/{table}", auth(http.HandlerFunc(s.ingestNative)))
	mux.Handle("POST /dataCollectionRules/{dcr}/streams/{stream}", auth(http.HandlerFunc(s.ingestDCR)))
	mux.Handle("GET /api/v1/tables", auth(http.HandlerFunc(s.listTables)))
	mux.Handle("GET /api/v1/tables/{name}", auth(http.HandlerFunc(s.getTable)))
	mux.Handle("PUT /api/v1/tables/{name}", auth(http.HandlerFunc(s.putTable)))
	mux.Handle("POST /api/v1/admin/sql", auth(http.HandlerFunc(s.sql)))
	mux.Handle("POST /api/v1/security/runHuntingQuery", auth(http.HandlerFunc(s.runHuntingQuery)))
	if s.d.Incidents != nil {
		s.incidentRoutes(mux)
	}
	if s.d.Rules != nil {
		s.ruleRoutes(mux)
	}
	if s.d.Tuning != nil {
		s.tuningRoutes(mux)
	}
	if s.d.Decoys != nil {
		s.decoyRoutes(mux)
	}
	if s.d.Actions != nil {
		s.actionRoutes(mux)
	}
	if s.d.Investigations != nil {
		s.investigationRoutes(mux)
	}
	if s.d.Agents != nil {
		s.agentRoutes(mux)
	}
	if s.d.Automation != nil {
		s.automationRoutes(mux)
	}
	if s.d.Playbooks != nil {
		s.playbookRoutes(mux)
	}
	if s.d.HuntingQueries != nil {
		s.huntingQueryRoutes(mux)
	}
	if s.d.Watchlists != nil {
		s.watchlistRoutes(mux)
	}
	if s.d.SavedFilters != nil {
		s.savedFilterRoutes(mux)
	}
	if s.d.Devices != nil && s.d.Auth != nil {
		s.deviceGroupRoutes(mux)
	}
	s.tiRoutes(mux)
	s.tiIndicatorRoutes(mux)
	s.authRoutes(mux)
	s.auditRoutes(mux)
	s.hecRoutes(mux)
	s.esRoutes(mux)
	s.formatRoutes(mux)
	s.otlpRoutes(mux)
	mux.HandleFunc("POST /api/logs", s.ingestDataCollector)
	if s.d.Portal != nil {
		mux.Handle("GET /", s.d.Portal)
		return s.recoverer(web.Root(mux, s.d.Portal))
	}
	return s.recoverer(mux)
}

// recoverer turns a panic in a handler into an internal error with the stack logged: input
// never takes the process down.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
					panic(v)
				}
				s.d.Log.Error("panic in handler", "path", r.URL.Path, "panic", v, "stack", stack())
				writeError(w, s.d.Log, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.d.Ready != nil {
		if err := s.d.Ready(r.Context()); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
