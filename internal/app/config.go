package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole server configuration. Every field has a default (Default); a YAML file
// overrides what it names and nothing else.
type Config struct {
	Data   string       `yaml:"data"`   // data directory
	Server ServerConfig `yaml:"server"` // HTTP server
	Ingest IngestConfig `yaml:"ingest"`
	Bus    BusConfig    `yaml:"bus"`
	Store  StoreConfig  `yaml:"store"`
	Meta   MetaConfig   `yaml:"meta"`
	Log    LogConfig    `yaml:"log"`

	Receivers ReceiversConfig `yaml:"receivers"`
	Detection DetectionConfig `yaml:"detection"`
	Auth      AuthConfig      `yaml:"auth"`
	Agents    AgentsConfig    `yaml:"agents"`
	// Automation configures automation rules and playbooks (the SMTP server of mail steps).
	Automation AutomationConfig `yaml:"automation"`
	// Response configures the real responders of the Action Center.
	Response ResponseConfig `yaml:"response"`
}

// DetectionConfig configures the scheduler of detection rules. It runs when rules names any
// path.
type DetectionConfig struct {
	Rules       []string      `yaml:"rules"`   // rule files and directories (Sentinel YAML/ARM, Defender JSON)
	Tenants     []string      `yaml:"tenants"` // tenants every rule runs for
	RunTimeout  time.Duration `yaml:"runTimeout"`
	Concurrency int           `yaml:"concurrency"` // most rule runs at a time
	// Sigma are Sigma rule files and directories, evaluated on every event as it arrives.
	Sigma []string `yaml:"sigma"`
	// ThreatIntelligence matches every event against the indicators of the threat
	// intelligence tables as it arrives.
	ThreatIntelligence ThreatIntelConfig `yaml:"threatIntelligence"`
	// Deception raises an alert for every event that touches a registered decoy.
	Deception DeceptionConfig `yaml:"deception"`
}

// ThreatIntelConfig configures indicator matching on the event stream.
type ThreatIntelConfig struct {
	Enabled bool `yaml:"enabled"`
	// MinConfidence is the lowest indicator confidence (0-100) that matches.
	MinConfidence int `yaml:"minConfidence"`
	// MediumConfidence and HighConfidence are where an alert's severity turns Medium and High.
	MediumConfidence int `yaml:"mediumConfidence"`
	HighConfidence   int `yaml:"highConfidence"`
}

// DeceptionConfig configures decoy tripwires on the event stream.
type DeceptionConfig struct {
	Enabled      bool          `yaml:"enabled"`
	PollInterval time.Duration `yaml:"pollInterval"` // how often decoy changes are picked up
}

// Enabled says whether any rules are configured.
func (d DetectionConfig) Enabled() bool { return len(d.Rules) > 0 }

// Validate checks the detection section.
func (d DetectionConfig) Validate() error {
	var errs []error
	if len(d.Tenants) == 0 {
		errs = append(errs, errors.New("detection.tenants: must name at least one tenant"))
	}
	for _, t := range d.Tenants {
		if !tenantIDRE.MatchString(t) {
			errs = append(errs, fmt.Errorf("detection.tenants: %q is not a tenant id (1 to 64 letters, digits, '_' or '-')", t))
		}
	}
	for _, r := range d.Rules {
		if strings.TrimSpace(r) == "" {
			errs = append(errs, errors.New("detection.rules: an empty path"))
		}
	}
	for _, r := range d.Sigma {
		if strings.TrimSpace(r) == "" {
			errs = append(errs, errors.New("detection.sigma: an empty path"))
		}
	}
	if d.RunTimeout <= 0 || d.Concurrency <= 0 || d.Concurrency > 64 {
		errs = append(errs, errors.New("detection: runTimeout must be positive, concurrency 1 to 64"))
	}
	if ti := d.ThreatIntelligence; ti.MinConfidence < 0 || ti.MinConfidence > 100 || ti.MediumConfidence < 1 ||
		ti.MediumConfidence > ti.HighConfidence || ti.HighConfidence > 100 {
		errs = append(errs, errors.New("detection.threatIntelligence: confidences are 0 to 100, with 1 <= mediumConfidence <= highConfidence"))
	}
	if d.Deception.PollInterval < 100*time.Millisecond {
		errs = append(errs, errors.New("detection.deception.pollInterval: at least 100ms"))
	}
	return errors.Join(errs...)
}

// ServerConfig configures the HTTP server.
type ServerConfig struct {
	Listen          string        `yaml:"listen"`
	ShutdownTimeout time.Duration `yaml:"shutdownTimeout"`
	MaxQueryRows    int           `yaml:"maxQueryRows"`
	QueryTimeout    time.Duration `yaml:"queryTimeout"`
	TLS             TLSConfig     `yaml:"tls"` // HTTPS from files; plain HTTP when unset
}

// IngestConfig configures the ingest receivers and the store writer.
type IngestConfig struct {
	MaxBodyBytes    ByteSize      `yaml:"maxBodyBytes"`
	MaxMessageBytes ByteSize      `yaml:"maxMessageBytes"`
	MaxRowErrors    int           `yaml:"maxRowErrors"`
	WriterBatch     int           `yaml:"writerBatch"`    // most bus messages per store transaction
	WriterMaxBytes  ByteSize      `yaml:"writerMaxBytes"` // most bytes per store transaction
	WriterMaxWait   time.Duration `yaml:"writerMaxWait"`
	DrainTimeout    time.Duration `yaml:"drainTimeout"`
}

// BusConfig configures the bus.
type BusConfig struct {
	URL      string        `yaml:"url"` // empty: embedded
	MaxBytes ByteSize      `yaml:"maxBytes"`
	MaxAge   time.Duration `yaml:"maxAge"`
	// Sync is the embedded server's fsync policy: "default" (NATS's, every 2 minutes: acknowledged
	// data survives a process crash but not a power loss), "always" (every write), or a duration.
	Sync     string `yaml:"sync"`
	Replicas int    `yaml:"replicas"`
}

// StoreConfig configures the event store.
type StoreConfig struct {
	Engine string       `yaml:"engine"` // duckdb
	DuckDB DuckDBConfig `yaml:"duckdb"`
}

// DuckDBConfig tunes the embedded DuckDB engine.
type DuckDBConfig struct {
	Threads     int    `yaml:"threads"`
	MemoryLimit string `yaml:"memoryLimit"`
}

// MetaConfig configures the state store.
type MetaConfig struct {
	Driver string `yaml:"driver"` // sqlite | postgres
	DSN    string `yaml:"dsn"`    // sqlite: file path (default DATA/meta.db); postgres: a pgx DSN
}

// ReceiversConfig configures the receivers that take data in protocols shippers speak.
type ReceiversConfig struct {
	Syslog SyslogReceiverConfig `yaml:"syslog"`
	HEC    HECReceiverConfig    `yaml:"hec"`
}

// SyslogReceiverConfig configures the syslog receiver (RFC 3164/5424 with CEF and LEEF).
// It runs when udp, tcp or tls.listen is set.
type SyslogReceiverConfig struct {
	UDP             string          `yaml:"udp"` // host:port; empty: no UDP
	TCP             string          `yaml:"tcp"` // host:port; empty: no TCP
	TLS             SyslogTLSConfig `yaml:"tls"` // RFC 5425; no TLS when listen is empty
	Tenant          string          `yaml:"tenant"`
	MaxMessageBytes ByteSize        `yaml:"maxMessageBytes"`
	MaxConnections  int             `yaml:"maxConnections"`
	BatchSize       int             `yaml:"batchSize"`
	BatchWait       time.Duration   `yaml:"batchWait"`
	// Listeners are more listeners, each storing its messages for its own tenant.
	Listeners []SyslogListenerConfig `yaml:"listeners"`
}

// Enabled says whether the syslog receiver listens anywhere.
func (s SyslogReceiverConfig) Enabled() bool {
	return s.UDP != "" || s.TCP != "" || s.TLS.Listen != "" || len(s.Listeners) > 0
}

// LogConfig configures logging.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug | info | warn | error
	Format string `yaml:"format"` // text | json
}

// Default returns the configuration used when no file is given.
func Default() Config {
	return Config{
		Data: "./vigil-data",
		Server: ServerConfig{
			Listen: "127.0.0.1:8080", ShutdownTimeout: 30 * time.Second,
			MaxQueryRows: 10000, QueryTimeout: 2 * time.Minute, TLS: TLSConfig{ReloadInterval: time.Minute},
		},
		Ingest: IngestConfig{
			MaxBodyBytes: 32 << 20, MaxMessageBytes: 4 << 20, MaxRowErrors: 100,
			WriterBatch: 1024, WriterMaxBytes: 128 << 20, WriterMaxWait: 200 * time.Millisecond, DrainTimeout: time.Minute,
		},
		Bus:   BusConfig{MaxBytes: 4 << 30, MaxAge: 7 * 24 * time.Hour, Sync: "default", Replicas: 1},
		Store: StoreConfig{Engine: "duckdb"},
		Meta:  MetaConfig{Driver: "sqlite"},
		Log:   LogConfig{Level: "info", Format: "text"},
		Receivers: ReceiversConfig{Syslog: SyslogReceiverConfig{
			Tenant: "default", MaxMessageBytes: 64 << 10, MaxConnections: 1024, BatchSize: 1000, BatchWait: 100 * time.Millisecond,
			TLS: SyslogTLSConfig{ReloadInterval: time.Minute}, Listeners: []SyslogListenerConfig{},
		}, HEC: HECReceiverConfig{Routes: []HECRoute{}}},
		Detection: DetectionConfig{Rules: []string{}, Sigma: []string{}, Tenants: []string{"default"}, RunTimeout: 5 * time.Minute, Concurrency: 4,
			ThreatIntelligence: ThreatIntelConfig{Enabled: true, MediumConfidence: 50, HighConfidence: 80},
			Deception:          DeceptionConfig{Enabled: true, PollInterval: 5 * time.Second}},
		Auth: defaultAuth(),
	}
}

// ParseConfig decodes YAML over the defaults, strictly: an unknown key is an error naming the
// key and its line. It then validates the result.
func ParseConfig(src []byte) (Config, error) {
	cfg := Default()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return cfg, configError(err)
	}
	return cfg, cfg.Validate()
}

// LoadConfig reads and parses the file at path.
func LoadConfig(path string) (Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	cfg, err := ParseConfig(src)
	if err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

var unknownFieldRE = regexp.MustCompile(`line (\d+): field (\S+) not found in type (?:app\.(\w+)|(ldap|imap|webhook)\.Config)`)

// configError rewrites yaml.v3's messages into ones that name the key and line plainly.
func configError(err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n  ")
	msg = strings.ReplaceAll(msg, "\n  ", "; ")
	msg = unknownFieldRE.ReplaceAllStringFunc(msg, func(m string) string {
		p := unknownFieldRE.FindStringSubmatch(m)
		return fmt.Sprintf("line %s: unknown key %q%s", p[1], p[2], sectionOf(p[3]+p[4]))
	})
	msg = strings.ReplaceAll(msg, "yaml: ", "")
	return fmt.Errorf("config: %s", msg)
}

func sectionOf(typ string) string {
	sections := map[string]string{
		"ServerConfig": "server", "IngestConfig": "ingest", "BusConfig": "bus", "StoreConfig": "store",
		"DuckDBConfig": "store.duckdb", "MetaConfig": "meta", "LogConfig": "log",
		"ReceiversConfig": "receivers", "SyslogReceiverConfig": "receivers.syslog", "SyslogTLSConfig": "receivers.syslog.tls", "SyslogListenerConfig": "receivers.syslog.listeners", "HECReceiverConfig": "receivers.hec", "HECRoute": "receivers.hec.routes",
		"DetectionConfig": "detection", "ThreatIntelConfig": "detection.threatIntelligence", "DeceptionConfig": "detection.deception", "AuthConfig": "auth", "Argon2Config": "auth.argon2", "OIDCConfig": "auth.oidc", "TLSConfig": "server.tls",
		"ResponseConfig": "response", "RespondersConfig": "response.responders", "ldap": "response.responders.ldap", "imap": "response.responders.imap", "webhook": "response.responders.webhooks",
	}
	if s, ok := sections[typ]; ok {
		return " in section " + s
	}
	return " at the top level"
}

// Validate checks every section.
func (c *Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Data) == "" {
		errs = append(errs, errors.New("data: must name a directory"))
	}
	errs = append(errs, c.Server.Validate(), c.Ingest.Validate(), c.Bus.Validate(), c.Store.Validate(), c.Meta.Validate(), c.Log.Validate(), c.Receivers.Validate(), c.Detection.Validate(), c.Auth.Validate(), c.Server.TLS.Validate(), c.Agents.Validate(c.Bus), c.Automation.Validate(), c.Response.Validate())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// Validate checks the server section.
func (s ServerConfig) Validate() error {
	if _, _, err := net.SplitHostPort(s.Listen); err != nil {
		return fmt.Errorf("server.listen: %q is not host:port", s.Listen)
	}
	if s.MaxQueryRows <= 0 || s.QueryTimeout <= 0 || s.ShutdownTimeout <= 0 {
		return errors.New("server: maxQueryRows, queryTimeout and shutdownTimeout must be positive")
	}
	return nil
}

// Validate checks the ingest section.
func (i IngestConfig) Validate() error {
	if i.MaxBodyBytes <= 0 || i.MaxRowErrors <= 0 || i.WriterBatch <= 0 || i.WriterMaxBytes <= 0 || i.WriterMaxWait <= 0 || i.DrainTimeout <= 0 {
		return errors.New("ingest: maxBodyBytes, maxRowErrors, writerBatch, writerMaxBytes, writerMaxWait and drainTimeout must be positive")
	}
	if i.MaxMessageBytes < 64<<10 || i.MaxMessageBytes > 6<<20 {
		return errors.New("ingest.maxMessageBytes: must be between 64KiB and 6MiB (the bus takes messages up to 8MiB)")
	}
	return nil
}

// Validate checks the bus section.
func (b BusConfig) Validate() error {
	if _, _, err := b.SyncPolicy(); err != nil {
		return err
	}
	if b.MaxBytes < 0 || b.MaxAge < 0 || b.Replicas < 0 || b.Replicas > 5 {
		return errors.New("bus: maxBytes and maxAge must not be negative; replicas is 1 to 5")
	}
	return nil
}

// SyncPolicy returns the fsync interval and whether to fsync always.
func (b BusConfig) SyncPolicy() (time.Duration, bool, error) {
	switch b.Sync {
	case "", "default":
		return 0, false, nil
	case "always":
		return 0, true, nil
	}
	d, err := time.ParseDuration(b.Sync)
	if err != nil || d <= 0 {
		return 0, false, fmt.Errorf("bus.sync: %q is not default, always or a positive duration", b.Sync)
	}
	return d, false, nil
}

// Validate checks the store section.
func (s StoreConfig) Validate() error {
	if s.Engine != "duckdb" {
		return fmt.Errorf("store.engine: %q is not supported (duckdb; clickhouse comes with the scale-out work)", s.Engine)
	}
	if s.DuckDB.Threads < 0 {
		return errors.New("store.duckdb.threads: must not be negative")
	}
	return nil
}

// Validate checks the meta section.
func (m MetaConfig) Validate() error {
	switch m.Driver {
	case "sqlite":
	case "postgres":
		if m.DSN == "" {
			return errors.New("meta.dsn: required with driver postgres")
		}
	default:
		return fmt.Errorf("meta.driver: %q is not sqlite or postgres", m.Driver)
	}
	return nil
}

var tenantIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Validate checks the receivers section.
func (r ReceiversConfig) Validate() error {
	s := r.Syslog
	var errs []error
	for _, a := range []struct{ key, addr string }{{"udp", s.UDP}, {"tcp", s.TCP}} {
		if a.addr == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(a.addr); err != nil {
			errs = append(errs, fmt.Errorf("receivers.syslog.%s: %q is not host:port", a.key, a.addr))
		}
	}
	if !tenantIDRE.MatchString(s.Tenant) {
		errs = append(errs, fmt.Errorf("receivers.syslog.tenant: %q is not a tenant id (1 to 64 letters, digits, '_' or '-')", s.Tenant))
	}
	if s.MaxMessageBytes < 480 || s.MaxMessageBytes > 1<<20 {
		errs = append(errs, errors.New("receivers.syslog.maxMessageBytes: must be between 480B (the RFC 3164 minimum) and 1MiB"))
	}
	if s.MaxConnections <= 0 || s.BatchSize <= 0 || s.BatchSize > 100000 || s.BatchWait <= 0 {
		errs = append(errs, errors.New("receivers.syslog: maxConnections and batchWait must be positive, batchSize 1 to 100000"))
	}
	errs = append(errs, s.TLS.Validate(), s.validateListeners(), r.HEC.Validate())
	return errors.Join(errs...)
}

// Validate checks the log section.
func (l LogConfig) Validate() error {
	switch l.Level {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log.level: %q is not debug, info, warn or error", l.Level)
	}
	if l.Format != "text" && l.Format != "json" {
		return fmt.Errorf("log.format: %q is not text or json", l.Format)
	}
	return nil
}

// ByteSize is a size in bytes that YAML may give as a number or as text like 32MiB or 4GB.
type ByteSize int64

var sizeRE = regexp.MustCompile(`^(\d+(?:\.\d+)?)\s*([KMGT]I?B?|B)?$`)

// UnmarshalYAML parses a number or a size with a unit.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	s := strings.TrimSpace(n.Value)
	m := sizeRE.FindStringSubmatch(strings.ToUpper(s))
	if m == nil {
		return fmt.Errorf("line %d: %q is not a size (e.g. 1048576, 512KiB, 32MiB, 4GiB)", n.Line, s)
	}
	f, _ := strconv.ParseFloat(m[1], 64)
	mult := map[byte]float64{'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40}
	if m[2] != "" && m[2] != "B" {
		f *= mult[m[2][0]]
	}
	*b = ByteSize(f)
	return nil
}
