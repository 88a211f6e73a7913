// Package responders holds the real responders of the Action Center, one package each:
// ldap (directory accounts), imap (mailboxes) and webhook (any action type handed to an
// HTTP endpoint). Each implements respond.Responder; internal/app registers the configured
// ones ahead of the simulated responder.
package responders
