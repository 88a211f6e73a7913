package bus

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
)

// AgentSubjectPrefix starts every subject of an endpoint agent:
// vigil.agent.<tenant>.<device>.<kind>.
const AgentSubjectPrefix = "vigil.agent."

// AgentListener configures the TCP listener of the embedded server that endpoint agents
// connect to. Agents authenticate with their NKey (see SetAgents); Vigil's own in-process
// connection uses a password made at start that is refused on any network connection.
type AgentListener struct {
	Listen string      // host:port
	TLS    *tls.Config // nil: plain TCP
}

// AgentUser is an enrolled agent's bus identity.
type AgentUser struct {
	NKey   string // the public user NKey ("U...")
	Tenant string
	Device string
}

// ErrNoAgentListener is returned by SetAgents when the bus has no agent listener: an
// external NATS cluster, or an embedded server configured without one.
var ErrNoAgentListener = errors.New("the bus has no agent listener (agents need the embedded server's listener)")

// AgentSubject returns the subject of kind ("cmd", "telemetry.<table>", "results") for
// tenant's device, or an error when tenant or device cannot be a subject token.
func AgentSubject(tenant, device, kind string) (string, error) {
	for _, tok := range []string{tenant, device} {
		if tok == "" || strings.ContainsAny(tok, ".*> \t\r\n") {
			return "", fmt.Errorf("%q cannot name an agent subject: empty, or has '.', '*', '>' or white space", tok)
		}
	}
	return AgentSubjectPrefix + tenant + "." + device + "." + kind, nil
}

// AgentInboxPrefix is the inbox prefix an agent's connection must use
// (nats.CustomInboxPrefix): it may subscribe to nothing else but its command subject.
func AgentInboxPrefix(tenant, device string) string {
	return "_INBOX." + tenant + "." + device
}

// agentPermissions lets an agent publish under its own subjects only (but not to its command
// subject), subscribe to its command subject and its inbox, and answer the commands it gets.
func agentPermissions(u AgentUser) (*server.Permissions, error) {
	cmd, err := AgentSubject(u.Tenant, u.Device, "cmd")
	if err != nil {
		return nil, err
	}
	own, _ := AgentSubject(u.Tenant, u.Device, ">")
	return &server.Permissions{
		Publish:   &server.SubjectPermission{Allow: []string{own}, Deny: []string{cmd}},
		Subscribe: &server.SubjectPermission{Allow: []string{cmd, AgentInboxPrefix(u.Tenant, u.Device) + ".>"}},
		Response:  &server.ResponsePermission{MaxMsgs: 1, Expires: time.Hour},
	}, nil
}

// agentAuth is the embedded server's authentication when agents connect.
type agentAuth struct {
	password string // Vigil's in-process user
}

// configureAgentListener makes so listen for agents, with Vigil's in-process user.
func configureAgentListener(so *server.Options, l *AgentListener) (*agentAuth, error) {
	host, port, err := net.SplitHostPort(l.Listen)
	if err != nil {
		return nil, fmt.Errorf("agent listener %q: %w", l.Listen, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return nil, fmt.Errorf("agent listener %q: bad port: %w", l.Listen, err)
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if p == 0 {
		p = server.RANDOM_PORT // the server reads 0 as its default port
	}
	auth := &agentAuth{password: hex.EncodeToString(b)}
	so.DontListen, so.Host, so.Port = false, host, p
	if l.TLS != nil {
		so.TLSConfig, so.TLS, so.TLSVerify = l.TLS, true, false
	}
	so.Users = []*server.User{{Username: "vigil", Password: auth.password,
		AllowedConnectionTypes: map[string]struct{}{jwt.ConnectionTypeInProcess: {}}}}
	return auth, nil
}

// SetAgents replaces the agents allowed to connect: each by its NKey, with permissions on
// its own subjects only. The server reloads its authorization at once and disconnects the
// agents no longer listed.
func (b *Bus) SetAgents(users []AgentUser) error {
	if b.srv == nil || b.agentAuth == nil {
		return ErrNoAgentListener
	}
	b.reloadMu.Lock()
	defer b.reloadMu.Unlock()
	opts := b.opts.Clone()
	opts.Nkeys = make([]*server.NkeyUser, 0, len(users))
	for _, u := range users {
		if !nkeys.IsValidPublicUserKey(u.NKey) {
			return fmt.Errorf("agent %s/%s: %q is not an NKey user public key", u.Tenant, u.Device, u.NKey)
		}
		perms, err := agentPermissions(u)
		if err != nil {
			return err
		}
		opts.Nkeys = append(opts.Nkeys, &server.NkeyUser{Nkey: u.NKey, Permissions: perms,
			AllowedConnectionTypes: map[string]struct{}{jwt.ConnectionTypeStandard: {}}})
	}
	if err := b.srv.ReloadOptions(opts); err != nil {
		return fmt.Errorf("reload agent users: %w", err)
	}
	b.opts = opts
	return nil
}

// AgentAddr returns the address the agent listener listens on ("" when there is none),
// with the port the system chose when configured with port 0.
func (b *Bus) AgentAddr() string {
	if b.srv == nil || b.agentAuth == nil {
		return ""
	}
	if a, ok := b.srv.Addr().(*net.TCPAddr); ok {
		return a.String()
	}
	return ""
}

// Conn returns Vigil's own connection to the bus, for request/reply with agents.
func (b *Bus) Conn() *nats.Conn { return b.nc }

// AgentTelemetryStream is the JetStream stream agents send telemetry to, on
// vigil.agent.<tenant>.<device>.telemetry.<table>; the server moves it into the ingest path.
const AgentTelemetryStream = "VIGIL_AGENT_TELEMETRY"

// agentTelemetryMaxBytes bounds the telemetry stream: when consumers are that far behind,
// agents' publishes are refused and the agents keep the rows in their own buffers.
const agentTelemetryMaxBytes = 1 << 30

func (b *Bus) ensureAgentStream(ctx context.Context) error {
	_, err := b.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        AgentTelemetryStream,
		Description: "telemetry from endpoint agents, before ingestion",
		Subjects:    []string{AgentSubjectPrefix + "*.*.telemetry.*"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.WorkQueuePolicy,
		Discard:     jetstream.DiscardNew,
		MaxBytes:    agentTelemetryMaxBytes,
		MaxMsgSize:  MaxMessageBytes,
	})
	if err != nil {
		return fmt.Errorf("create stream %s: %w", AgentTelemetryStream, err)
	}
	return nil
}

// AgentTelemetryConsumer returns the durable consumer (name) of the agent telemetry stream,
// creating it on first use; it delivers what has not been acknowledged.
func (b *Bus) AgentTelemetryConsumer(ctx context.Context, name string) (*Consumer, error) {
	if b.agentAuth == nil {
		return nil, ErrNoAgentListener
	}
	c, err := b.js.CreateOrUpdateConsumer(ctx, AgentTelemetryStream, jetstream.ConsumerConfig{
		Durable: name, AckPolicy: jetstream.AckExplicitPolicy, AckWait: time.Minute, MaxAckPending: 10_000,
	})
	if err != nil {
		return nil, fmt.Errorf("consumer %s: %w", name, err)
	}
	return &Consumer{c: c}, nil
}

// ParseAgentTelemetrySubject returns the tenant, device and table an agent telemetry
// subject names.
func ParseAgentTelemetrySubject(subject string) (tenant, device, table string, err error) {
	parts := strings.Split(strings.TrimPrefix(subject, AgentSubjectPrefix), ".")
	if !strings.HasPrefix(subject, AgentSubjectPrefix) || len(parts) != 4 || parts[2] != "telemetry" {
		return "", "", "", fmt.Errorf("%q is not an agent telemetry subject", subject)
	}
	return parts[0], parts[1], parts[3], nil
}
