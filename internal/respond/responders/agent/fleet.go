package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	endpoint "github.com/vigilsec/vigil/internal/agent"
	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond/responders/fleet"
)

// Lister lists a tenant's enrolled agents (*meta.Store).
type Lister interface {
	Agents(ctx context.Context, tenant string) ([]meta.Agent, error)
}

// FleetNotifier tells agents that their tenant's fleet block list changed: a
// syncBlocklist command on each enrolled agent's command subject, sent without waiting for
// an answer. An agent that is not connected gets the list at its next poll.
type FleetNotifier struct {
	Conn   *nats.Conn
	Agents Lister
}

var _ fleet.Notifier = (*FleetNotifier)(nil)

// NotifyAgents implements fleet.Notifier.
func (n *FleetNotifier) NotifyAgents(ctx context.Context, tenant string) (int, error) {
	as, err := n.Agents.Agents(ctx, tenant)
	if err != nil {
		return 0, err
	}
	body, _ := json.Marshal(endpoint.Command{Type: endpoint.CmdSyncBlocklist})
	told := 0
	for _, ag := range as {
		subj, err := bus.AgentSubject(ag.Tenant, ag.DeviceID, "cmd")
		if err != nil {
			continue // cannot be enrolled with such a name; nothing to tell
		}
		if err := n.Conn.Publish(subj, body); err != nil {
			return told, fmt.Errorf("tell agent of device %s: %w", ag.DeviceName, err)
		}
		told++
	}
	return told, n.Conn.FlushWithContext(ctx)
}

// BlocklistSource reads a tenant's fleet block list (fleet.List).
type BlocklistSource interface {
	Blocked(ctx context.Context, tenant string) ([]fleet.Indicator, bool, error)
}

// blocklistWorkers bounds the block list requests answered at once: each reads the event
// store, and every agent asks when it starts.
const blocklistWorkers = 4

// ServeBlocklists answers agents' requests for their tenant's fleet block list
// (vigil.agent.<tenant>.<device>.blocklist) until ctx ends. The tenant comes from the
// subject, which the bus lets only that tenant's device publish to.
func ServeBlocklists(ctx context.Context, nc *nats.Conn, src BlocklistSource, log *slog.Logger) error {
	sem := make(chan struct{}, blocklistWorkers)
	sub, err := nc.Subscribe(bus.AgentSubjectPrefix+"*.*."+endpoint.BlocklistSubjectKind, func(m *nats.Msg) {
		go func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			answerBlocklist(ctx, m, src, log)
		}()
	})
	if err != nil {
		return fmt.Errorf("serve fleet block lists: %w", err)
	}
	<-ctx.Done()
	if err := sub.Unsubscribe(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		return err
	}
	return nil
}

func answerBlocklist(ctx context.Context, m *nats.Msg, src BlocklistSource, log *slog.Logger) {
	tenant, ok := blocklistTenant(m.Subject)
	if !ok || m.Reply == "" {
		return
	}
	qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ins, truncated, err := src.Blocked(qctx, tenant)
	list := BlocklistOf(ins, truncated)
	if err != nil {
		log.Error("read the fleet block list for an agent", "tenant", tenant, "err", err)
		list = endpoint.Blocklist{Error: err.Error()}
	}
	b, _ := json.Marshal(list)
	if err := m.Respond(b); err != nil && ctx.Err() == nil {
		log.Warn("answer an agent's block list request", "subject", m.Subject, "err", err)
	}
}

// BlocklistOf is the answer to an agent holding ins.
func BlocklistOf(ins []fleet.Indicator, truncated bool) endpoint.Blocklist {
	list := endpoint.Blocklist{Indicators: make([]endpoint.BlocklistEntry, 0, len(ins)), Truncated: truncated}
	for _, in := range ins {
		list.Indicators = append(list.Indicators, endpoint.BlocklistEntry{ID: in.ID, Kind: string(in.Kind), Value: in.Value})
	}
	return list
}

// blocklistTenant returns the tenant of a block list request subject.
func blocklistTenant(subject string) (string, bool) {
	parts := strings.Split(strings.TrimPrefix(subject, bus.AgentSubjectPrefix), ".")
	if !strings.HasPrefix(subject, bus.AgentSubjectPrefix) || len(parts) != 3 || parts[2] != endpoint.BlocklistSubjectKind || parts[0] == "" {
		return "", false
	}
	return parts[0], true
}
