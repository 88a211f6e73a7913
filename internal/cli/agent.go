package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/agent"
)

// agentCmd is `vigil agent`: the Linux endpoint agent.
func agentCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "agent", Short: "Run the Linux endpoint agent, or show its state"}
	cmd.AddCommand(agentRunCmd(), agentStatusCmd())
	return cmd
}

// agentFlags are what `vigil agent run` needs.
type agentFlags struct {
	server, api, token, state, caFile string
	collect                           agent.CollectConfig
}

func agentRunCmd() *cobra.Command {
	var f agentFlags
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Enroll (once, with --enroll-token) and run the agent until stopped",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runAgent(cmd.Context(), f, cmd.ErrOrStderr()) },
	}
	cmd.Flags().StringVar(&f.server, "server", "", "the server's agent listener, nats://HOST:PORT or tls://HOST:PORT (required)")
	cmd.Flags().StringVar(&f.api, "api", "", "the server's HTTP API for enrollment (default http://HOST:8080 of --server)")
	cmd.Flags().StringVar(&f.token, "enroll-token", envOr("VIGIL_ENROLL_TOKEN", ""), "one-time enrollment token, needed on first start ($VIGIL_ENROLL_TOKEN)")
	cmd.Flags().StringVar(&f.state, "state", "/var/lib/vigil-agent", "state directory (identity, state file, quarantine)")
	cmd.Flags().StringVar(&f.caFile, "ca", "", "CA certificate file the server's TLS certificate is checked against (default: the system's)")
	cmd.Flags().StringArrayVar(&f.collect.WatchPaths, "watch", nil, "a directory tree to report file events in; repeat for more (default "+strings.Join(agent.DefaultWatchPaths, ", ")+")")
	cmd.Flags().StringSliceVar(&f.collect.Disable, "disable-collector", nil, "telemetry collectors not to run: "+strings.Join(agent.CollectorNames(), ", "))
	cmd.Flags().DurationVar(&f.collect.NetInterval, "net-interval", agent.DefaultNetInterval, "time between scans of the socket tables for new connections")
	cmd.Flags().StringVar(&f.collect.AuthLog, "auth-log", "", "the authentication log file to follow (default "+strings.Join(agent.DefaultAuthLogs, " or ")+", else the journal)")
	cmd.Flags().DurationVar(&f.collect.InventoryInterval, "inventory-interval", agent.DefaultInventoryInterval, "how often the whole software inventory is sent again (it is sent on every package change too)")
	return cmd
}

func (f agentFlags) tlsConfig() (*tls.Config, error) {
	u, err := url.Parse(f.server)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "tls" && f.caFile == "" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: u.Hostname()}
	if f.caFile != "" {
		pem, err := os.ReadFile(f.caFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca %s: no PEM certificate", f.caFile)
		}
	}
	return cfg, nil
}

// serverEndpoints resolves the hosts of the bus and API URLs to the ip:port endpoints that
// stay reachable while the device is isolated.
func serverEndpoints(urls ...string) ([]string, error) {
	var out []string
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || u.Hostname() == "" {
			return nil, fmt.Errorf("server URL %q: want SCHEME://HOST:PORT", raw)
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
		}
		ips, err := net.LookupIP(u.Hostname())
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", u.Hostname(), err)
		}
		for _, ip := range ips {
			out = append(out, net.JoinHostPort(ip.String(), port))
		}
	}
	return out, nil
}

func runAgent(ctx context.Context, f agentFlags, stderr io.Writer) error {
	if f.server == "" {
		return fmt.Errorf("%w: --server nats://HOST:PORT is required", errUsage)
	}
	if err := f.collect.Validate(); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if f.api == "" {
		u, err := url.Parse(f.server)
		if err != nil {
			return fmt.Errorf("--server: %w", err)
		}
		f.api = "http://" + net.JoinHostPort(u.Hostname(), "8080")
	}
	tlsCfg, err := f.tlsConfig()
	if err != nil {
		return err
	}
	id, err := agent.LoadIdentity(f.state)
	if errors.Is(err, os.ErrNotExist) {
		if f.token == "" {
			return fmt.Errorf("%w: the agent is not enrolled yet: give --enroll-token", errUsage)
		}
		hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}}
		if id, err = agent.Enroll(ctx, f.api, f.token, f.state, hc); err != nil {
			return err
		}
		log.Info("enrolled", "tenant", id.Tenant, "device", id.DeviceID)
	} else if err != nil {
		return err
	}
	servers, err := serverEndpoints(f.server, f.api)
	if err != nil {
		return err
	}
	dev := &agent.Device{State: &agent.StateFile{Path: filepath.Join(f.state, "state.json")},
		Quarantine: agent.Quarantine{Dir: filepath.Join(f.state, "quarantine")}, Servers: servers, Log: log,
		BufferDir: filepath.Join(f.state, "buffer"), Journal: &agent.Journal{Path: filepath.Join(f.state, "commands.json")},
		Collect: f.collect}
	if err := dev.Reapply(); err != nil {
		log.Error("re-applying isolation and blocked addresses failed", "err", err)
	}
	nc, err := agent.Connect(f.server, id, tlsCfg, log)
	if err != nil {
		return err
	}
	defer nc.Close()
	log.Info("agent running", "server", f.server, "device", id.DeviceID)
	return dev.Run(ctx, nc, id)
}

func agentStatusCmd() *cobra.Command {
	var state string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the agent's identity, isolation, blocked indicators and quarantine",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := agent.ReadStatus(state)
			if err != nil {
				return err
			}
			b, _ := json.MarshalIndent(st, "", "  ")
			fmt.Fprintln(cmd.OutOrStdout(), string(b))
			return nil
		},
	}
	cmd.Flags().StringVar(&state, "state", "/var/lib/vigil-agent", "state directory")
	return cmd
}

// adminAgentTokenCmd is `vigil admin agent-token create`.
func adminAgentTokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "agent-token", Short: "Create one-time enrollment tokens for endpoint agents"}
	var cf clientFlags
	var tenant, group string
	var expires time.Duration
	create := &cobra.Command{
		Use: "create", Short: "Create an enrollment token and print it (shown once)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			b, _ := json.Marshal(map[string]any{"deviceGroup": group, "expiresInHours": expires.Hours()})
			var out struct {
				Token      string    `json:"token"`
				Tenant     string    `json:"tenantId"`
				Expiration time.Time `json:"expirationDateTime"`
			}
			if _, err := c.do("POST", "/api/v1/agents/enrollmentTokens?tenant="+url.QueryEscape(tenant), "application/json", b, &out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\nenrolls one agent in tenant %s until %s\n", out.Token, out.Tenant, out.Expiration.Format(time.RFC3339))
			return nil
		},
	}
	cf.add(create)
	create.Flags().StringVar(&tenant, "tenant", "default", "the tenant the device joins")
	create.Flags().StringVar(&group, "device-group", "", "the device group the device joins")
	create.Flags().DurationVar(&expires, "expires", 24*time.Hour, "how long the token may be used")
	cmd.AddCommand(create)
	return cmd
}
