package imap

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// The transport security modes.
const (
	TLSNone     = "none"
	TLSImplicit = "tls"
	TLSStart    = "starttls"
)

// The ways to reach another user's mailbox.
const (
	// AuthMaster logs in as user<separator>masterUser with the master password (Dovecot
	// master users).
	AuthMaster = "master"
	// AuthProxy authenticates with SASL PLAIN as the admin, with the user as the
	// authorization identity (Dovecot master users, Cyrus and Stalwart admins).
	AuthProxy = "proxy"
)

// Config configures the mail responder: the `response.responders.imap` section.
type Config struct {
	// Address is the IMAP server's host:port.
	Address string `yaml:"address"`
	// TLS is none, tls (implicit, port 993) or starttls (default).
	TLS string `yaml:"tls"`
	// CAFile is a PEM bundle of the CAs that sign the server's certificate; empty: the
	// system's.
	CAFile string `yaml:"caFile"`
	// ServerName is the name the server's certificate must carry; empty: the address's host.
	ServerName string `yaml:"serverName"`
	// Auth is master (default) or proxy.
	Auth string `yaml:"auth"`
	// User is the master or admin user; PasswordFile or PasswordEnv hold its password.
	User         string `yaml:"user"`
	PasswordFile string `yaml:"passwordFile"`
	PasswordEnv  string `yaml:"passwordEnv"`
	// MasterSeparator joins the mailbox owner and the master user (Dovecot's
	// auth_master_user_separator; default "*").
	MasterSeparator string `yaml:"masterSeparator"`
	// Quarantine is the folder, in each mailbox, messages are moved to (default
	// "Quarantine"); it is created when missing.
	Quarantine string `yaml:"quarantine"`
	// Accounts are the mailboxes purgeAttachment searches, with those of AccountsFile (one
	// a line, # comments, read at every purge).
	Accounts     []string `yaml:"accounts"`
	AccountsFile string   `yaml:"accountsFile"`
	// Timeout bounds connecting (default 10s); the action's timeout (the dispatcher's)
	// bounds the rest.
	Timeout time.Duration `yaml:"timeout"`
	// MaxAttachmentBytes is the largest attachment purgeAttachment hashes (default 50MiB);
	// larger ones are skipped and counted.
	MaxAttachmentBytes int64 `yaml:"maxAttachmentBytes"`
}

// WithDefaults returns c with its empty fields defaulted.
func (c Config) WithDefaults() Config {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.TLS, TLSStart)
	def(&c.Auth, AuthMaster)
	def(&c.MasterSeparator, "*")
	def(&c.Quarantine, "Quarantine")
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.MaxAttachmentBytes <= 0 {
		c.MaxAttachmentBytes = 50 << 20
	}
	return c
}

// Validate checks c (with its defaults) and says what is wrong, field by field.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	if _, _, err := net.SplitHostPort(c.Address); err != nil {
		errs = append(errs, fmt.Errorf("address: %q is not host:port", c.Address))
	}
	if c.TLS != TLSNone && c.TLS != TLSImplicit && c.TLS != TLSStart {
		errs = append(errs, fmt.Errorf("tls: %q is not none, tls or starttls", c.TLS))
	}
	if c.Auth != AuthMaster && c.Auth != AuthProxy {
		errs = append(errs, fmt.Errorf("auth: %q is not master or proxy", c.Auth))
	}
	if c.User == "" {
		errs = append(errs, errors.New("user: required (the master or admin user)"))
	}
	if (c.PasswordFile == "") == (c.PasswordEnv == "") {
		errs = append(errs, errors.New("passwordFile, passwordEnv: set one"))
	}
	if strings.TrimSpace(c.Quarantine) == "" || strings.EqualFold(c.Quarantine, "INBOX") {
		errs = append(errs, fmt.Errorf("quarantine: %q cannot be the quarantine folder", c.Quarantine))
	}
	for i, a := range c.Accounts {
		if strings.TrimSpace(a) == "" || strings.ContainsAny(a, " \t\r\n") {
			errs = append(errs, fmt.Errorf("accounts[%d]: %q is not a user name", i, a))
		}
	}
	return errors.Join(errs...)
}

// password reads the master user's password: the file's first line, or the variable.
func (c Config) password() (string, error) {
	if c.PasswordEnv != "" {
		p := os.Getenv(c.PasswordEnv)
		if p == "" {
			return "", fmt.Errorf("imap: environment variable %s (passwordEnv) is empty", c.PasswordEnv)
		}
		return p, nil
	}
	b, err := os.ReadFile(c.PasswordFile)
	if err != nil {
		return "", fmt.Errorf("imap: passwordFile: %w", err)
	}
	p, _, _ := strings.Cut(string(b), "\n")
	if p = strings.TrimRight(p, "\r"); p == "" {
		return "", fmt.Errorf("imap: passwordFile %s is empty", c.PasswordFile)
	}
	return p, nil
}

// accounts returns the configured mailboxes and those of the accounts file, once each.
func (c Config) accounts() ([]string, error) {
	out := append([]string(nil), c.Accounts...)
	if c.AccountsFile != "" {
		b, err := os.ReadFile(c.AccountsFile)
		if err != nil {
			return nil, fmt.Errorf("imap: accountsFile: %w", err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if strings.ContainsAny(line, " \t") {
				return nil, fmt.Errorf("imap: accountsFile %s:%d: %q is not a user name", c.AccountsFile, n, line)
			}
			out = append(out, line)
		}
	}
	seen := map[string]bool{}
	uniq := out[:0]
	for _, a := range out {
		if !seen[a] {
			seen[a] = true
			uniq = append(uniq, a)
		}
	}
	return uniq, nil
}

// tlsConfig returns the TLS configuration of the connection.
func (c Config) tlsConfig() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName}
	if tc.ServerName == "" {
		tc.ServerName, _, _ = net.SplitHostPort(c.Address)
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("caFile: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("caFile %s: no PEM certificate in it", c.CAFile)
		}
	}
	return tc, nil
}
