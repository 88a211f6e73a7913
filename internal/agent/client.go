package agent

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"

	"github.com/vigilsec/vigil/internal/bus"
)

// Identity is who the agent is on the bus, kept in identity.json (mode 0600) in the state
// directory after enrollment: its tenant, device id and NKey seed.
type Identity struct {
	Tenant   string `json:"tenantId"`
	DeviceID string `json:"deviceId"`
	Seed     string `json:"nkeySeed"`
}

// EnrollRequest is what an agent sends to POST /api/v1/agents/enroll.
type EnrollRequest struct {
	Token    string `json:"token"`
	NKey     string `json:"nkey"`
	Hostname string `json:"hostname"`
	OS       string `json:"osPlatform"`
}

// EnrollResponse is the server's answer to an enrollment.
type EnrollResponse struct {
	Tenant   string `json:"tenantId"`
	DeviceID string `json:"deviceId"`
}

// LoadIdentity reads the identity in dir; it returns an error wrapping os.ErrNotExist when
// the agent has not enrolled.
func LoadIdentity(dir string) (Identity, error) {
	var id Identity
	b, err := os.ReadFile(filepath.Join(dir, "identity.json"))
	if err != nil {
		return id, err
	}
	if err := json.Unmarshal(b, &id); err != nil {
		return id, fmt.Errorf("identity file: %w", err)
	}
	return id, nil
}

// Enroll makes a new NKey, enrolls it at the server's HTTP API (apiURL, e.g.
// https://vigil:8080) with the one-time token, and saves the identity in dir.
func Enroll(ctx context.Context, apiURL, token, dir string, client *http.Client) (Identity, error) {
	kp, err := nkeys.CreateUser()
	if err != nil {
		return Identity{}, err
	}
	pub, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	host, _ := os.Hostname()
	body, _ := json.Marshal(EnrollRequest{Token: token, NKey: pub, Hostname: host, OS: runtime.GOOS})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(apiURL, "/")+"/api/v1/agents/enroll", bytes.NewReader(body))
	if err != nil {
		return Identity{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return Identity{}, fmt.Errorf("enroll: %w", err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return Identity{}, fmt.Errorf("enroll: server answered %s: %s", resp.Status, strings.TrimSpace(string(rb)))
	}
	var er EnrollResponse
	if err := json.Unmarshal(rb, &er); err != nil || er.DeviceID == "" {
		return Identity{}, fmt.Errorf("enroll: unexpected answer %q", rb)
	}
	id := Identity{Tenant: er.Tenant, DeviceID: er.DeviceID, Seed: string(seed)}
	b, _ := json.MarshalIndent(id, "", "  ")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return id, err
	}
	if err := os.WriteFile(filepath.Join(dir, "identity.json"), b, 0o600); err != nil {
		return id, fmt.Errorf("save identity: %w", err)
	}
	return id, nil
}

// Connect connects to the server's agent listener (natsURL) as id.
func Connect(natsURL string, id Identity, tlsCfg *tls.Config, log *slog.Logger) (*nats.Conn, error) {
	kp, err := nkeys.FromSeed([]byte(id.Seed))
	if err != nil {
		return nil, fmt.Errorf("identity seed: %w", err)
	}
	pub, _ := kp.PublicKey()
	opts := []nats.Option{
		nats.Nkey(pub, kp.Sign), nats.CustomInboxPrefix(bus.AgentInboxPrefix(id.Tenant, id.DeviceID)),
		nats.Name("vigil-agent " + id.DeviceID), nats.MaxReconnects(-1), nats.ReconnectWait(2 * time.Second),
		nats.RetryOnFailedConnect(true),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { log.Warn("disconnected from server", "err", err) }),
		nats.ReconnectHandler(func(*nats.Conn) { log.Info("reconnected to server") }),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { log.Error("bus error", "err", err) }),
	}
	if tlsCfg != nil {
		opts = append(opts, nats.Secure(tlsCfg))
	}
	nc, err := nats.Connect(natsURL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", natsURL, err)
	}
	return nc, nil
}

// Serve answers the commands sent to the device until ctx ends, each in its own goroutine.
func (d *Device) Serve(ctx context.Context, nc *nats.Conn, id Identity) error {
	subj, err := bus.AgentSubject(id.Tenant, id.DeviceID, "cmd")
	if err != nil {
		return err
	}
	sub, err := nc.Subscribe(subj, func(m *nats.Msg) { go d.answer(ctx, m) })
	if err != nil {
		return fmt.Errorf("subscribe to commands: %w", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	<-ctx.Done()
	return nil
}

func (d *Device) answer(ctx context.Context, m *nats.Msg) {
	var c Command
	var r Reply
	if err := json.Unmarshal(m.Data, &c); err != nil {
		r = failed(fmt.Errorf("agent: malformed command: %w", err))
	} else {
		r = d.Handle(ctx, c)
	}
	if d.Log != nil {
		d.Log.Info("command", "action", c.ActionID, "type", c.Type, "status", r.Status, "err", r.Error)
	}
	if m.Reply == "" {
		return // sent without waiting for an answer (syncBlocklist)
	}
	b, err := json.Marshal(r)
	if err != nil {
		b, _ = json.Marshal(failed(err))
	}
	if err := m.Respond(b); err != nil && !errors.Is(err, nats.ErrConnectionClosed) && d.Log != nil {
		d.Log.Error("answer command", "action", c.ActionID, "err", err)
	}
}
