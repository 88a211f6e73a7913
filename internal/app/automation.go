package app

import (
	"context"
	"fmt"
	"sync"

	"github.com/vigilsec/vigil/content"
	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/respond/automation"
	"github.com/vigilsec/vigil/internal/respond/playbook"
)

// AutomationConfig configures automation rules and playbooks.
type AutomationConfig struct {
	// SMTP is the mail server of emailNotification steps; no host leaves mail off (those
	// steps fail with a reason).
	SMTP playbook.SMTPConfig `yaml:"smtp"`
}

// Validate checks the section.
func (c AutomationConfig) Validate() error {
	if err := c.SMTP.Validate(); err != nil {
		return fmt.Errorf("automation.%w", err)
	}
	return nil
}

// incidentsRef is the incident service automation changes incidents through; it is set once
// the incident service is built (after automation, whose Notify the service announces to).
type incidentsRef struct{ *incident.Service }

// newAutomation builds the playbook runner (with the built-in playbooks of content/playbooks)
// and the automation rule service, which reacts to the incident service's changes.
func (a *App) newAutomation(actions *respond.Service, auditor *auth.Service) error {
	builtin, err := playbook.LoadBuiltin(content.Playbooks)
	if err != nil {
		return fmt.Errorf("built-in playbooks: %w", err)
	}
	a.autoIncidents = &incidentsRef{}
	popts := playbook.Options{Store: a.meta, Incidents: a.autoIncidents, Actions: actions, Builtin: builtin,
		SMTP: a.cfg.Automation.SMTP, Log: a.log.With("component", "playbooks")}
	aopts := automation.Options{Store: a.meta, Incidents: a.autoIncidents, Log: a.log.With("component", "automation")}
	if auditor != nil {
		popts.Auditor, aopts.Auditor = auditor, auditor
	}
	a.playbooks = playbook.New(popts)
	aopts.Playbooks = a.playbooks
	a.automation = automation.New(aopts)
	return nil
}

// runAutomation runs the automation rules and the playbook runner until ctx ends.
func (a *App) runAutomation(ctx context.Context, producers *sync.WaitGroup) {
	producers.Go(func() {
		if err := a.automation.Run(ctx); err != nil {
			a.log.Error("automation rules stopped", "err", err)
		}
	})
	producers.Go(func() {
		if err := a.playbooks.Run(ctx); err != nil {
			a.log.Error("playbook runner stopped", "err", err)
		}
	})
}
