// Package responders holds the real responders of the Action Center, one package each:
// agent (device actions through the endpoint agent), fleet (indicators blocked on every
// device), ldap (directory accounts), imap (mailboxes) and webhook (any action type handed
// to an HTTP endpoint). Each implements respond.Responder; internal/app registers the configured
// ones ahead of the simulated responder.
package responders
