package app

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/normalize"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
	agentresp "github.com/vigilsec/vigil/internal/respond/responders/agent"
	"github.com/vigilsec/vigil/internal/respond/responders/fleet"
	"github.com/vigilsec/vigil/internal/schema"
)

// AgentsConfig configures endpoint agents (`vigil agent run`, docs/agent.md). They connect
// to a listener of the embedded bus, each authenticating with the NKey it enrolled; an
// external NATS cluster cannot take agents yet.
type AgentsConfig struct {
	// Listen is the host:port of the bus listener agents connect to; empty: agents are off
	// and every device action goes to the simulated responder. It uses server.tls when set.
	Listen string `yaml:"listen"`
	// Scripts is the live-response script library: a directory of scripts runScript names.
	Scripts string `yaml:"scripts"`
}

// Enabled reports whether agents may connect.
func (c AgentsConfig) Enabled() bool { return c.Listen != "" }

// Validate checks the agents section.
func (c AgentsConfig) Validate(b BusConfig) error {
	if !c.Enabled() {
		return nil
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("agents.listen: %q is not host:port", c.Listen)
	}
	if b.URL != "" {
		return errors.New("agents.listen: agents need the embedded bus; with bus.url (an external NATS cluster) leave it empty")
	}
	return nil
}

// agentService serves enrollment and keeps the bus's agent users in step with the agents
// enrolled in the state store.
type agentService struct {
	meta *meta.Store
	bus  *bus.Bus
	pkgs *agentresp.ObjectPackages
	svc  *ingest.Service // where telemetry goes
	list fleet.List      // the fleet block list agents ask for
	mu   sync.Mutex      // serializes syncs
}

var _ api.Agents = (*agentService)(nil)

// agentListener returns the bus's agent listener configuration, nil when agents are off.
func (a *App) agentListener() (*bus.AgentListener, error) {
	if !a.cfg.Agents.Enabled() {
		return nil, nil
	}
	var tlsCfg *tls.Config
	tlsCfg, err := a.tlsConfig()
	if err != nil {
		return nil, err
	}
	return &bus.AgentListener{Listen: a.cfg.Agents.Listen, TLS: tlsCfg}, nil
}

// openAgents loads the enrolled agents into the bus; it does nothing when agents are off.
func (a *App) openAgents(ctx context.Context) error {
	if !a.cfg.Agents.Enabled() {
		return nil
	}
	pkgs, err := agentresp.NewObjectPackages(ctx, a.bus.Conn())
	if err != nil {
		return err
	}
	a.agents = &agentService{meta: a.meta, bus: a.bus, pkgs: pkgs}
	if err := a.agents.sync(ctx); err != nil {
		return err
	}
	a.log.Info("agent listener up", "addr", a.bus.AgentAddr())
	return nil
}

// responders returns the responders in the order the dispatcher tries them: the agent
// responder for devices with an enrolled agent, the fleet responder for indicators blocked
// on every device (it writes the tenant's block indicators through svc and tells the
// agents), then the simulated one. Agent telemetry is ingested through svc.
func (a *App) responders(svc *ingest.Service, sim *respond.SimulatedResponder) []respond.Responder {
	fr := &fleet.Responder{List: fleet.List{Registry: a.reg, Store: a.store}, Ingest: svc}
	if a.agents == nil {
		return []respond.Responder{fr, sim}
	}
	a.agents.svc, a.agents.list = svc, fr.List
	fr.Notify = &agentresp.FleetNotifier{Conn: a.bus.Conn(), Agents: a.meta}
	ar := &agentresp.Responder{Conn: a.bus.Conn(), Agents: a.meta, Scripts: a.cfg.Agents.Scripts, Packages: a.agents.pkgs}
	return []respond.Responder{ar, fr, sim}
}

// agentAPI returns what serves the agent routes; nil (no routes) when agents are off.
func (a *App) agentAPI() api.Agents {
	if a.agents == nil {
		return nil
	}
	return a.agents
}

// sync gives the bus the keys of every enrolled agent.
func (s *agentService) sync(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	as, err := s.meta.Agents(ctx, "")
	if err != nil {
		return err
	}
	users := make([]bus.AgentUser, 0, len(as))
	for _, ag := range as {
		users = append(users, bus.AgentUser{NKey: ag.NKey, Tenant: ag.Tenant, Device: ag.DeviceID})
	}
	return s.bus.SetAgents(users)
}

// CreateEnrollmentToken implements api.Agents.
func (s *agentService) CreateEnrollmentToken(ctx context.Context, tenant, group, by string, ttl time.Duration) (meta.EnrollmentToken, error) {
	if _, err := bus.AgentSubject(tenant, "x", "cmd"); err != nil {
		return meta.EnrollmentToken{}, fmt.Errorf("tenant %q cannot take agents: %w", tenant, err)
	}
	return s.meta.CreateEnrollmentToken(ctx, tenant, group, by, ttl)
}

// Enroll implements api.Agents.
func (s *agentService) Enroll(ctx context.Context, token string, a meta.Agent) (meta.Agent, error) {
	ag, err := s.meta.EnrollAgent(ctx, token, a)
	if err != nil {
		return ag, err
	}
	if err := s.sync(ctx); err != nil {
		_ = s.meta.DeleteAgent(ctx, ag.Tenant, ag.DeviceID)
		return meta.Agent{}, fmt.Errorf("enroll agent: %w", err)
	}
	return ag, nil
}

// Agents implements api.Agents.
func (s *agentService) Agents(ctx context.Context, tenant string) ([]meta.Agent, error) {
	return s.meta.Agents(ctx, tenant)
}

// RemoveAgent implements api.Agents.
func (s *agentService) RemoveAgent(ctx context.Context, tenant, deviceID string) error {
	if err := s.meta.DeleteAgent(ctx, tenant, deviceID); err != nil {
		return err
	}
	return s.sync(ctx)
}

// Package implements api.Agents.
func (s *agentService) Package(ctx context.Context, tenant, actionID string) (io.ReadCloser, error) {
	rc, err := s.pkgs.Package(ctx, tenant, actionID)
	if errors.Is(err, agentresp.ErrNoPackage) {
		return nil, api.ErrNoPackage
	}
	return rc, err
}

// agentTables are the tables agents may send rows of.
var agentTables = map[string]bool{
	"DeviceProcessEvents": true, "DeviceNetworkEvents": true, "DeviceFileEvents": true, "DeviceLogonEvents": true,
	"DeviceInfo": true, "DeviceNetworkInfo": true, "DeviceTvmSoftwareInventory": true, "DeviceEvents": true,
	"Syslog": true, // authentication log lines (docs/agent.md): see ingestAuthLines
}

// agentTelemetryConsumer names the durable consumer of agent telemetry.
const agentTelemetryConsumer = "agent-telemetry"

// runAgents moves agent telemetry into the ingest path while ctx lasts (a producer: it
// publishes to the ingest stream, so the writer drains after it stops).
func (a *App) runAgents(ctx context.Context, producers *sync.WaitGroup) {
	if a.agents == nil || a.agents.svc == nil {
		return
	}
	producers.Go(func() {
		if err := a.agents.runTelemetry(ctx, a.agents.svc, a.log.With("component", "agent-telemetry")); err != nil {
			a.log.Error("agent telemetry stopped", "err", err)
		}
	})
	producers.Go(func() {
		if err := agentresp.ServeBlocklists(ctx, a.bus.Conn(), a.agents.list, a.log.With("component", "fleet-blocklist")); err != nil {
			a.log.Error("fleet block list service stopped", "err", err)
		}
	})
}

func (s *agentService) runTelemetry(ctx context.Context, svc *ingest.Service, log *slog.Logger) error {
	auth, err := normalize.NewParser(svc.Registry())
	if err != nil {
		return err
	}
	cons, err := s.bus.AgentTelemetryConsumer(ctx, agentTelemetryConsumer)
	if err != nil {
		return err
	}
	for ctx.Err() == nil {
		msgs, err := cons.Fetch(ctx, 100, 16<<20, time.Second)
		if err != nil && ctx.Err() == nil {
			log.Warn("fetch agent telemetry", "err", err)
			time.Sleep(time.Second)
		}
		for _, m := range msgs {
			if err := ingestTelemetry(ctx, svc, auth, m); err != nil {
				log.Warn("agent telemetry not ingested yet; it is redelivered", "subject", m.Subject, "err", err)
				break // not acknowledged: redelivered after the ack wait
			}
			if err := cons.Ack(ctx, m); err != nil && ctx.Err() == nil {
				log.Warn("acknowledge agent telemetry", "err", err)
			}
		}
	}
	return nil
}

// ingestTelemetry ingests one telemetry message: its tenant, device and table come from
// the subject (which the bus lets only that device publish to), never from the rows, whose
// DeviceId is overwritten and TenantId dropped. Rows that do not fit the table reach
// IngestionErrors through the ingest path; an error means "try again later". Syslog rows
// (the device's authentication log) also yield the rows auth derives from them.
func ingestTelemetry(ctx context.Context, svc *ingest.Service, auth *normalize.Parser, m bus.Msg) error {
	tenant, device, table, err := bus.ParseAgentTelemetrySubject(m.Subject)
	if err != nil {
		return nil // cannot happen for the stream's subjects; nothing to retry
	}
	source := "agent:" + device
	var rows []map[string]any
	if !agentTables[table] {
		_, err := svc.Ingest(ctx, ingest.Request{Tenant: tenant, Table: "agent table " + table, Source: source, Body: m.Data})
		return transientOnly(err)
	}
	if table == normalize.SyslogTable {
		return ingestAuthLines(ctx, svc, auth, tenant, device, source, m.Data)
	}
	body := m.Data
	if json.Unmarshal(m.Data, &rows) == nil {
		for _, r := range rows {
			r["DeviceId"] = device
			delete(r, "TenantId")
		}
		body, _ = json.Marshal(rows)
	}
	_, err = svc.Ingest(ctx, ingest.Request{Tenant: tenant, Table: table, Source: source, Body: body})
	return transientOnly(err)
}

// ingestAuthLines ingests an agent's Syslog rows and, as the syslog receivers do for the
// lines they receive, the DeviceLogonEvents and DeviceProcessEvents rows auth derives from
// sshd and sudo lines (one parser, one behaviour, wherever a line comes from). The derived
// rows get the device of the subject as DeviceId, like the agent's other telemetry. The Syslog
// table has no DeviceId or TenantId to overwrite: TenantId is the subject's, stamped by the
// ingest path. A message redelivered after a failure halfway may store some rows twice.
func ingestAuthLines(ctx context.Context, svc *ingest.Service, auth *normalize.Parser, tenant, device, source string, body []byte) error {
	tbl := auth.SyslogTable()
	dec, err := ingest.Decode(tbl, body)
	if err != nil {
		// Not JSON: the ingest path records it in IngestionErrors whole.
		_, err := svc.Ingest(ctx, ingest.Request{Tenant: tenant, Table: tbl.Name, Source: source, Body: body})
		return transientOnly(err)
	}
	type derivedRows struct {
		t       *schema.Table
		rows    [][]schema.Value
		rejects []ingest.RowError
	}
	var order []*derivedRows
	byTable := map[string]*derivedRows{}
	for i, row := range dec.Rows {
		for _, rec := range auth.Derive(normalize.Record{Table: tbl, Row: row}) {
			d := byTable[rec.Table.Name]
			if d == nil {
				d = &derivedRows{t: rec.Table}
				byTable[rec.Table.Name] = d
				order = append(order, d)
			}
			if rec.Err != nil {
				d.rejects = append(d.rejects, ingest.RowError{Row: i, Reason: "derived from Syslog row: " + rec.Err.Error()})
				continue
			}
			if c, ok := rec.Table.Column("DeviceId"); ok {
				rec.Row[c] = device
			}
			d.rows = append(d.rows, rec.Row)
		}
	}
	if _, err := svc.IngestRows(ctx, tenant, source, tbl, dec.Rows, dec.Errors); err != nil {
		return err
	}
	for _, d := range order {
		if _, err := svc.IngestRows(ctx, tenant, source, d.t, d.rows, d.rejects); err != nil {
			return err
		}
	}
	return nil
}

// transientOnly keeps the errors worth retrying (the bus full or unreachable); rows
// rejected by the ingest path are in IngestionErrors already.
func transientOnly(err error) error {
	var unknown *ingest.UnknownTableError
	var syntax *ingest.SyntaxError
	if err == nil || errors.As(err, &unknown) || errors.As(err, &syntax) {
		return nil
	}
	return err
}
