package ldap

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
)

// The directory flavours.
const (
	ActiveDirectory = "activeDirectory"
	OpenLDAP        = "openldap"
)

// The password reset modes.
const (
	// ResetForceChange makes the user change the password at the next sign-in
	// (pwdLastSet 0 in Active Directory, pwdReset TRUE in OpenLDAP). Whoever knows the
	// current password can still sign in once to change it.
	ResetForceChange = "forceChange"
	// ResetRandom sets a random password nobody knows.
	ResetRandom = "random"
	// ResetBoth sets a random password and forces a change at the next sign-in: the
	// default, because it also locks out whoever stole the old one.
	ResetBoth = "both"
)

// Config configures the directory responder: the `response.responders.ldap` section.
type Config struct {
	// Flavor is activeDirectory or openldap.
	Flavor string `yaml:"flavor"`
	// URL is ldap://host[:port] or ldaps://host[:port].
	URL string `yaml:"url"`
	// StartTLS upgrades an ldap:// connection to TLS before binding.
	StartTLS bool `yaml:"startTLS"`
	// CAFile is a PEM bundle of the CAs that sign the server's certificate; empty: the
	// system's.
	CAFile string `yaml:"caFile"`
	// ServerName is the name the server's certificate must carry; empty: the URL's host.
	ServerName string `yaml:"serverName"`
	// BindDN is the service account's DN (or, in Active Directory, its UPN).
	BindDN string `yaml:"bindDN"`
	// PasswordFile or PasswordEnv hold the service account's password; set one.
	PasswordFile string `yaml:"passwordFile"`
	PasswordEnv  string `yaml:"passwordEnv"`
	// BaseDN is where accounts are searched for, with the whole subtree.
	BaseDN string `yaml:"baseDN"`
	// Filter finds an account; {account} is the target as given, {name} its user part
	// (sam of DOMAIN\sam, local part of a UPN) and {domain} its domain part, each escaped.
	// Empty: the flavour's default (DefaultFilter).
	Filter string `yaml:"filter"`
	// Timeout bounds the connection and each request (default 10s).
	Timeout time.Duration `yaml:"timeout"`
	// Reset is how resetPassword resets: forceChange, random or both (default).
	Reset string `yaml:"reset"`
	// RevealPassword puts a random password in the action's result data (newPassword),
	// so that the help desk can hand it to the user. Off by default: the result is kept in
	// the state store, the VigilActions table and the audit log.
	RevealPassword bool `yaml:"revealPassword"`
}

// DefaultFilter returns the account filter of a flavour.
func DefaultFilter(flavor string) string {
	if flavor == ActiveDirectory {
		return "(&(objectCategory=person)(objectClass=user)(|(userPrincipalName={account})(sAMAccountName={name})))"
	}
	return "(&(objectClass=*)(|(uid={name})(uid={account})(mail={account})))"
}

// WithDefaults returns c with its empty fields defaulted.
func (c Config) WithDefaults() Config {
	if c.Filter == "" {
		c.Filter = DefaultFilter(c.Flavor)
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Reset == "" {
		c.Reset = ResetBoth
	}
	return c
}

// Validate checks c (with its defaults) and says what is wrong, field by field.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	if c.Flavor != ActiveDirectory && c.Flavor != OpenLDAP {
		errs = append(errs, fmt.Errorf("flavor: %q is not %s or %s", c.Flavor, ActiveDirectory, OpenLDAP))
	}
	u, err := url.Parse(c.URL)
	switch {
	case err != nil || u.Host == "":
		errs = append(errs, fmt.Errorf("url: %q is not ldap://host[:port] or ldaps://host[:port]", c.URL))
	case u.Scheme != "ldap" && u.Scheme != "ldaps":
		errs = append(errs, fmt.Errorf("url: scheme %q is not ldap or ldaps", u.Scheme))
	case u.Scheme == "ldaps" && c.StartTLS:
		errs = append(errs, errors.New("startTLS: not with an ldaps:// url, which is TLS already"))
	case c.Flavor == ActiveDirectory && c.Reset != ResetForceChange && u.Scheme != "ldaps" && !c.StartTLS:
		errs = append(errs, fmt.Errorf("reset: %s sets unicodePwd, which Active Directory takes only over TLS: use ldaps:// or startTLS, or reset %s", c.Reset, ResetForceChange))
	}
	if c.BindDN == "" || c.BaseDN == "" {
		errs = append(errs, errors.New("bindDN and baseDN: required"))
	}
	if (c.PasswordFile == "") == (c.PasswordEnv == "") {
		errs = append(errs, errors.New("passwordFile, passwordEnv: set one"))
	}
	if err := checkFilter(c.Filter); err != nil {
		errs = append(errs, err)
	}
	if c.Reset != ResetForceChange && c.Reset != ResetRandom && c.Reset != ResetBoth {
		errs = append(errs, fmt.Errorf("reset: %q is not %s, %s or %s", c.Reset, ResetForceChange, ResetRandom, ResetBoth))
	}
	return errors.Join(errs...)
}

// checkFilter checks that a filter template names the account and compiles.
func checkFilter(tmpl string) error {
	if !strings.Contains(tmpl, "{account}") && !strings.Contains(tmpl, "{name}") {
		return fmt.Errorf("filter: %q names neither {account} nor {name}", tmpl)
	}
	if _, err := goldap.CompileFilter(expand(tmpl, parseAccount(`EXAMPLE\jdoe`))); err != nil {
		return fmt.Errorf("filter: %q: %w", tmpl, err)
	}
	return nil
}

// password reads the service account's password: the file's first line, or the variable.
func (c Config) password() (string, error) {
	if c.PasswordEnv != "" {
		p, ok := os.LookupEnv(c.PasswordEnv)
		if !ok || p == "" {
			return "", fmt.Errorf("ldap: environment variable %s (passwordEnv) is empty", c.PasswordEnv)
		}
		return p, nil
	}
	b, err := os.ReadFile(c.PasswordFile)
	if err != nil {
		return "", fmt.Errorf("ldap: passwordFile: %w", err)
	}
	p, _, _ := strings.Cut(string(b), "\n")
	p = strings.TrimRight(p, "\r")
	if p == "" {
		return "", fmt.Errorf("ldap: passwordFile %s is empty", c.PasswordFile)
	}
	return p, nil
}

// account is an account name split into its parts.
type account struct{ full, name, domain string }

// parseAccount splits DOMAIN\sam and user@domain; any other name is all name.
func parseAccount(s string) account {
	a := account{full: s, name: s}
	if d, n, ok := strings.Cut(s, `\`); ok {
		a.domain, a.name = d, n
	} else if i := strings.LastIndexByte(s, '@'); i > 0 {
		a.name, a.domain = s[:i], s[i+1:]
	}
	return a
}

// expand fills a filter template with a's parts, escaped.
func expand(tmpl string, a account) string {
	return strings.NewReplacer("{account}", goldap.EscapeFilter(a.full), "{name}", goldap.EscapeFilter(a.name),
		"{domain}", goldap.EscapeFilter(a.domain)).Replace(tmpl)
}
