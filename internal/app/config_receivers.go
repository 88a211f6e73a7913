package app

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// SyslogTLSConfig is the syslog receiver's TLS listener (RFC 5425: octet-counted frames; newline
// framing, rsyslog's gtls default, is taken too). The certificate and key are reloaded when
// their files change, checked at most once per reloadInterval. With clientCAFile, clients must
// present a certificate signed by one of its CAs (mutual TLS).
type SyslogTLSConfig struct {
	Listen         string        `yaml:"listen"` // host:port, e.g. 0.0.0.0:6514; empty: no TLS
	CertFile       string        `yaml:"certFile"`
	KeyFile        string        `yaml:"keyFile"`
	ClientCAFile   string        `yaml:"clientCAFile"` // PEM CAs for client certificates; empty: none asked
	ReloadInterval time.Duration `yaml:"reloadInterval"`
}

// Validate checks the receivers.syslog.tls section.
func (t SyslogTLSConfig) Validate() error {
	var errs []error
	if t.Listen != "" {
		if _, _, err := net.SplitHostPort(t.Listen); err != nil {
			errs = append(errs, fmt.Errorf("receivers.syslog.tls.listen: %q is not host:port", t.Listen))
		}
		if t.CertFile == "" || t.KeyFile == "" {
			errs = append(errs, errors.New("receivers.syslog.tls: listen needs certFile and keyFile"))
		}
	}
	if t.ReloadInterval <= 0 {
		errs = append(errs, errors.New("receivers.syslog.tls.reloadInterval: must be positive"))
	}
	return errors.Join(errs...)
}

// SyslogListenerConfig is a syslog listener of its own tenant: an MSSP gives every customer
// its own ports. TLS uses the certificate of receivers.syslog.tls.
type SyslogListenerConfig struct {
	Tenant string `yaml:"tenant"`
	UDP    string `yaml:"udp"`
	TCP    string `yaml:"tcp"`
	TLS    string `yaml:"tls"`
}

// validateListeners checks receivers.syslog.listeners.
func (s SyslogReceiverConfig) validateListeners() error {
	var errs []error
	for i, l := range s.Listeners {
		at := fmt.Sprintf("receivers.syslog.listeners[%d]", i)
		if !tenantIDRE.MatchString(l.Tenant) {
			errs = append(errs, fmt.Errorf("%s.tenant: %q is not a tenant id (1 to 64 letters, digits, '_' or '-')", at, l.Tenant))
		}
		if l.UDP == "" && l.TCP == "" && l.TLS == "" {
			errs = append(errs, errors.New(at+": set udp, tcp or tls"))
		}
		for _, a := range []struct{ key, addr string }{{"udp", l.UDP}, {"tcp", l.TCP}, {"tls", l.TLS}} {
			if _, _, err := net.SplitHostPort(a.addr); a.addr != "" && err != nil {
				errs = append(errs, fmt.Errorf("%s.%s: %q is not host:port", at, a.key, a.addr))
			}
		}
		if l.TLS != "" && (s.TLS.CertFile == "" || s.TLS.KeyFile == "") {
			errs = append(errs, errors.New(at+".tls: needs receivers.syslog.tls.certFile and keyFile"))
		}
	}
	return errors.Join(errs...)
}

// tlsWanted says whether any syslog listener takes TLS.
func (s SyslogReceiverConfig) tlsWanted() bool {
	if s.TLS.Listen != "" {
		return true
	}
	for _, l := range s.Listeners {
		if l.TLS != "" {
			return true
		}
	}
	return false
}

// HECReceiverConfig configures the Splunk HEC endpoints (/services/collector/...), served by
// the HTTP server.
type HECReceiverConfig struct {
	// Routes send events by sourcetype (and optionally index) to a table or through a source
	// format; events without a matching route (or with fields.vigil_table) are unchanged.
	Routes []HECRoute `yaml:"routes"`
}

// HECRoute sends HEC events of one sourcetype, and of one index when index is set, either to a
// table (JSON object events decoded as its rows) or through a source format (the formats of
// /api/v1/ingest/format, or syslog to parse each event as a syslog line).
type HECRoute struct {
	Sourcetype string `yaml:"sourcetype"`
	Index      string `yaml:"index"`
	Table      string `yaml:"table"`
	Format     string `yaml:"format"`
}

// Validate checks the receivers.hec section; table and format names are checked against the
// registry and the normalizers when the server starts.
func (h HECReceiverConfig) Validate() error {
	var errs []error
	seen := map[string]bool{}
	for i, r := range h.Routes {
		at := fmt.Sprintf("receivers.hec.routes[%d]", i)
		if r.Sourcetype == "" {
			errs = append(errs, errors.New(at+": sourcetype is required"))
		}
		if (r.Table == "") == (r.Format == "") {
			errs = append(errs, errors.New(at+": set one of table and format"))
		}
		key := strings.ToLower(r.Sourcetype) + "\x00" + strings.ToLower(r.Index)
		if seen[key] {
			errs = append(errs, fmt.Errorf("%s: sourcetype %q and index %q are routed twice", at, r.Sourcetype, r.Index))
		}
		seen[key] = true
	}
	return errors.Join(errs...)
}
