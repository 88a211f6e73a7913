package webhook

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/respond"
)

// Config is one webhook: an entry of `response.responders.webhooks`.
type Config struct {
	// Name identifies the webhook in results and errors.
	Name string `yaml:"name"`
	// URL is the http:// or https:// endpoint actions are POSTed to.
	URL string `yaml:"url"`
	// SecretFile or SecretEnv hold the signing secret; set one. The file is read at every
	// delivery, so that the secret can be rotated without a restart.
	SecretFile string `yaml:"secretFile"`
	SecretEnv  string `yaml:"secretEnv"`
	// Types are the action types the webhook carries out.
	Types []string `yaml:"types"`
	// Timeout bounds a delivery (default 10s).
	Timeout time.Duration `yaml:"timeout"`
}

// Validate checks c and says what is wrong, field by field.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Name) == "" {
		errs = append(errs, errors.New("name: required"))
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("url: %q is not an http:// or https:// URL", c.URL))
	}
	if (c.SecretFile == "") == (c.SecretEnv == "") {
		errs = append(errs, errors.New("secretFile, secretEnv: set one"))
	}
	if len(c.Types) == 0 {
		errs = append(errs, errors.New("types: name at least one action type"))
	}
	known := map[respond.Type]bool{}
	for _, t := range respond.Types() {
		known[t] = true
	}
	for i, t := range c.Types {
		if !known[respond.Type(t)] {
			errs = append(errs, fmt.Errorf("types[%d]: %q is not an action type", i, t))
		}
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("timeout: must not be negative"))
	}
	return errors.Join(errs...)
}

// secret reads the signing secret: the file's first line, or the variable.
func (c Config) secret() ([]byte, error) {
	if c.SecretEnv != "" {
		s := os.Getenv(c.SecretEnv)
		if s == "" {
			return nil, fmt.Errorf("webhook %s: environment variable %s (secretEnv) is empty", c.Name, c.SecretEnv)
		}
		return []byte(s), nil
	}
	b, err := os.ReadFile(c.SecretFile)
	if err != nil {
		return nil, fmt.Errorf("webhook %s: secretFile: %w", c.Name, err)
	}
	s, _, _ := strings.Cut(string(b), "\n")
	if s = strings.TrimRight(s, "\r"); s == "" {
		return nil, fmt.Errorf("webhook %s: secretFile %s is empty", c.Name, c.SecretFile)
	}
	return []byte(s), nil
}
