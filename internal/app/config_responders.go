package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/respond/responders/imap"
	"github.com/vigilsec/vigil/internal/respond/responders/ldap"
	"github.com/vigilsec/vigil/internal/respond/responders/webhook"
)

// ResponseConfig configures how the Action Center carries actions out.
type ResponseConfig struct {
	Responders RespondersConfig `yaml:"responders"`
}

// RespondersConfig configures the real responders (docs/responders.md). Each configured
// one takes the action types it supports ahead of the agent and simulated responders;
// webhooks come first, in order, then the directory, then the mail server.
type RespondersConfig struct {
	LDAP     *ldap.Config     `yaml:"ldap"`     // the directory: disableAccount, enableAccount, resetPassword
	IMAP     *imap.Config     `yaml:"imap"`     // the mail server: softDeleteEmail, purgeAttachment, restoreEmail
	Webhooks []webhook.Config `yaml:"webhooks"` // HTTP endpoints, each for the action types it names
}

// Validate checks the response section.
func (r ResponseConfig) Validate() error {
	c := r.Responders
	var errs []error
	if c.LDAP != nil {
		errs = append(errs, prefixErrs("response.responders.ldap.", c.LDAP.Validate()))
	}
	if c.IMAP != nil {
		errs = append(errs, prefixErrs("response.responders.imap.", c.IMAP.Validate()))
	}
	names, owner := map[string]bool{}, map[string]string{}
	for i, w := range c.Webhooks {
		at := fmt.Sprintf("response.responders.webhooks[%d].", i)
		errs = append(errs, prefixErrs(at, w.Validate()))
		if names[w.Name] && w.Name != "" {
			errs = append(errs, fmt.Errorf("%sname: %q is the name of another webhook", at, w.Name))
		}
		names[w.Name] = true
		for _, t := range w.Types {
			if o, ok := owner[t]; ok {
				errs = append(errs, fmt.Errorf("%stypes: %s goes to webhook %q already; an action type goes to one webhook", at, t, o))
			}
			owner[t] = w.Name
		}
	}
	return errors.Join(errs...)
}

// prefixErrs puts prefix before each of the joined errors err holds.
func prefixErrs(prefix string, err error) error {
	if err == nil {
		return nil
	}
	var out []error
	for _, line := range strings.Split(err.Error(), "\n") {
		out = append(out, errors.New(prefix+line))
	}
	return errors.Join(out...)
}

// configuredResponders builds the responders of response.responders, in the order they
// take actions: webhooks, the directory, the mail server. The mail responder reads the
// actions it undoes from svc.
func (a *App) configuredResponders(svc *respond.Service) ([]respond.Responder, error) {
	c := a.cfg.Response.Responders
	var out []respond.Responder
	for _, w := range c.Webhooks {
		r, err := webhook.New(w)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if c.LDAP != nil {
		r, err := ldap.New(*c.LDAP)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if c.IMAP != nil {
		r, err := imap.New(*c.IMAP)
		if err != nil {
			return nil, err
		}
		r.Original = svc.Get
		out = append(out, r)
	}
	return out, nil
}
