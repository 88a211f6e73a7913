package imap

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

// session is a connection logged in to one user's mailbox. It is used by one goroutine.
type session struct {
	c       *imapclient.Client
	account string
	cfg     Config
	stop    func() bool
}

// open connects to the server and logs in to account's mailbox as the master user. The
// connection closes when ctx ends.
func (r *Responder) open(ctx context.Context, account string) (*session, error) {
	pw, err := r.cfg.password()
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: r.cfg.Timeout}
	opts := &imapclient.Options{TLSConfig: r.tls, Dialer: d}
	var c *imapclient.Client
	switch r.cfg.TLS {
	case TLSImplicit:
		c, err = imapclient.DialTLS(r.cfg.Address, opts)
	case TLSStart:
		c, err = imapclient.DialStartTLS(r.cfg.Address, opts)
	default:
		c, err = imapclient.DialInsecure(r.cfg.Address, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", r.cfg.Address, err)
	}
	s := &session{c: c, account: account, cfg: r.cfg, stop: context.AfterFunc(ctx, func() { _ = c.Close() })}
	if err := s.login(pw); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// login opens the user's mailbox with the master user's credentials.
func (s *session) login(pw string) error {
	var err error
	if s.cfg.Auth == AuthProxy {
		err = s.c.Authenticate(sasl.NewPlainClient(s.account, s.cfg.User, pw))
	} else {
		err = s.c.Login(s.account+s.cfg.MasterSeparator+s.cfg.User, pw).Wait()
	}
	if err != nil {
		return fmt.Errorf("log in to mailbox %s as %s (%s): %w", s.account, s.cfg.User, s.cfg.Auth, err)
	}
	return nil
}

func (s *session) close() {
	s.stop()
	_ = s.c.Logout().Wait()
	_ = s.c.Close()
}

// folders returns the selectable folders of the mailbox but the quarantine.
func (s *session) folders() ([]string, error) {
	list, err := s.c.List("", "*", nil).Collect()
	if err != nil {
		return nil, fmt.Errorf("mailbox %s: list folders: %w", s.account, err)
	}
	var out []string
	for _, l := range list {
		if l.Mailbox == s.cfg.Quarantine || hasAttr(l.Attrs, goimap.MailboxAttrNoSelect, goimap.MailboxAttrNonExistent) {
			continue
		}
		out = append(out, l.Mailbox)
	}
	return out, nil
}

func hasAttr(attrs []goimap.MailboxAttr, want ...goimap.MailboxAttr) bool {
	for _, a := range attrs {
		for _, w := range want {
			if strings.EqualFold(string(a), string(w)) {
				return true
			}
		}
	}
	return false
}

// ensureQuarantine creates the quarantine folder when it is missing.
func (s *session) ensureQuarantine() error {
	list, err := s.c.List("", s.cfg.Quarantine, nil).Collect()
	if err != nil {
		return fmt.Errorf("mailbox %s: list %s: %w", s.account, s.cfg.Quarantine, err)
	}
	if len(list) > 0 {
		return nil
	}
	err = s.c.Create(s.cfg.Quarantine, nil).Wait()
	var ie *goimap.Error
	if exists := errors.As(err, &ie) && ie.Code == goimap.ResponseCodeAlreadyExists; err != nil && !exists {
		return fmt.Errorf("mailbox %s: create %s: %w", s.account, s.cfg.Quarantine, err)
	}
	return nil
}

// selectFolder opens folder for changes and returns its UIDVALIDITY.
func (s *session) selectFolder(folder string) (uint32, error) {
	d, err := s.c.Select(folder, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("mailbox %s: select %s: %w", s.account, folder, err)
	}
	return d.UIDValidity, nil
}

// byMessageID returns the UIDs of the selected folder's messages with Message-ID id.
func (s *session) byMessageID(id string) ([]goimap.UID, error) {
	crit := &goimap.SearchCriteria{Header: []goimap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: id}}}
	d, err := s.c.UIDSearch(crit, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("mailbox %s: search Message-ID: %w", s.account, err)
	}
	uids := d.AllUIDs()
	if len(uids) == 0 {
		return nil, nil
	}
	// SEARCH HEADER matches substrings: keep the exact Message-IDs.
	msgs, err := s.c.Fetch(goimap.UIDSetNum(uids...), &goimap.FetchOptions{UID: true, Envelope: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("mailbox %s: fetch envelopes: %w", s.account, err)
	}
	var out []goimap.UID
	for _, m := range msgs {
		if m.Envelope != nil && normalizeID(m.Envelope.MessageID) == normalizeID(id) {
			out = append(out, m.UID)
		}
	}
	return out, nil
}

// normalizeID drops the angle brackets and spaces around a Message-ID.
func normalizeID(id string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
}

// move moves one message of the selected folder to dest and returns its UID there (0 when
// the server does not say: no UIDPLUS).
func (s *session) move(uid goimap.UID, dest string) (goimap.UID, uint32, error) {
	d, err := s.c.Move(goimap.UIDSetNum(uid), dest).Wait()
	if err != nil {
		return 0, 0, fmt.Errorf("mailbox %s: move UID %d to %s: %w", s.account, uid, dest, err)
	}
	if set, ok := d.DestUIDs.(goimap.UIDSet); ok {
		if uids, ok := set.Nums(); ok && len(uids) == 1 {
			return uids[0], d.UIDValidity, nil
		}
	}
	return 0, d.UIDValidity, nil
}
