package imap

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	goimap "github.com/emersion/go-imap/v2"

	"github.com/vigilsec/vigil/internal/respond"
)

// MailboxParam is the action parameter naming the mailbox of softDeleteEmail (default:
// target.account). MailboxesParam (a list of names) narrows purgeAttachment to some
// mailboxes instead of all configured ones.
const (
	MailboxParam   = "mailbox"
	MailboxesParam = "mailboxes"
)

// Responder carries out softDeleteEmail, purgeAttachment and restoreEmail on an IMAP
// server. Execute is safe for concurrent use: each action opens its own connections.
type Responder struct {
	cfg Config
	tls *tls.Config
	// Original returns the action a restoreEmail undoes, to put its messages back where
	// they were (respond.Service.Get). Without it, restoreEmail moves the target message
	// from the quarantine to INBOX.
	Original func(ctx context.Context, tenant, id string) (respond.Action, error)
}

var _ respond.Responder = (*Responder)(nil)

// New returns a mail responder; cfg must validate and its CA file, if any, load.
func New(cfg Config) (*Responder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("imap responder: %w", err)
	}
	cfg = cfg.WithDefaults()
	tc, err := cfg.tlsConfig()
	if err != nil {
		return nil, fmt.Errorf("imap responder: %w", err)
	}
	return &Responder{cfg: cfg, tls: tc}, nil
}

// Move is one message the responder moved.
type Move struct {
	Account string `json:"account"`
	// Folder is where the message was, and is put back by restoreEmail.
	Folder    string `json:"folder"`
	MessageID string `json:"messageId,omitempty"`
	// UID and UIDValidity locate the message in the folder it was moved to.
	UID         uint32 `json:"uid,omitempty"`
	UIDValidity uint32 `json:"uidValidity,omitempty"`
	// To is where the message is now.
	To string `json:"to"`
	// Already says the message was in the quarantine already; Folder is then INBOX.
	Already bool `json:"alreadyQuarantined,omitempty"`
}

// operations is the table of the mail actions.
var operations = map[respond.Type]func(*Responder, context.Context, respond.Action) (respond.Result, error){
	respond.SoftDeleteEmail: (*Responder).softDelete,
	respond.PurgeAttachment: (*Responder).purge,
	respond.RestoreEmail:    (*Responder).restore,
}

// Supports implements respond.Responder.
func (r *Responder) Supports(t respond.Type) bool {
	_, ok := operations[t]
	return ok
}

// Execute implements respond.Responder. Connection failures and a server that says it is
// unavailable wrap respond.ErrTransient.
func (r *Responder) Execute(ctx context.Context, a respond.Action) (respond.Result, error) {
	op, ok := operations[a.Type]
	if !ok {
		return respond.Result{}, fmt.Errorf("imap responder: %s is not a mail action", a.Type)
	}
	res, err := op(r, ctx, a)
	if err != nil {
		err = classify(ctx, err)
	}
	return res, err
}

// mailboxOf returns the mailbox an action on one message names.
func mailboxOf(a respond.Action) (string, error) {
	if m, ok := a.Parameters[MailboxParam].(string); ok && m != "" {
		return m, nil
	}
	if a.Target.Account != "" {
		return a.Target.Account, nil
	}
	return "", fmt.Errorf("%s needs parameters.%s or target.account: the mailbox the message is in", a.Type, MailboxParam)
}

// softDelete moves the target message, from whichever folders hold it, to the quarantine.
func (r *Responder) softDelete(ctx context.Context, a respond.Action) (respond.Result, error) {
	if a.Target.MessageID == "" {
		return respond.Result{}, errors.New("softDeleteEmail needs target.messageId")
	}
	account, err := mailboxOf(a)
	if err != nil {
		return respond.Result{}, err
	}
	s, err := r.open(ctx, account)
	if err != nil {
		return respond.Result{}, err
	}
	defer s.close()
	moves, err := s.quarantineWhere(func(folder string) ([]goimap.UID, error) { return s.byMessageID(a.Target.MessageID) })
	if err != nil {
		return movedResult(moves), err
	}
	if len(moves) == 0 {
		if moves, err = s.quarantined(a.Target.MessageID); err != nil || len(moves) == 0 {
			return respond.Result{}, errors.Join(fmt.Errorf("message %s: not in any folder of mailbox %s", a.Target.MessageID, account), err)
		}
	}
	return movedResult(moves), nil
}

// quarantined reports the messages with Message-ID id already in the quarantine (by an
// attempt that lost its connection, or by hand) as moved from INBOX, where an undo puts them.
func (s *session) quarantined(id string) ([]Move, error) {
	validity, err := s.selectFolder(s.cfg.Quarantine)
	if err != nil {
		return nil, err
	}
	uids, err := s.byMessageID(id)
	if err != nil {
		return nil, err
	}
	var moves []Move
	for _, uid := range uids {
		moves = append(moves, Move{Account: s.account, Folder: "INBOX", MessageID: normalizeID(id), UID: uint32(uid),
			UIDValidity: validity, To: s.cfg.Quarantine, Already: true})
	}
	return moves, nil
}

// quarantineWhere moves the messages match finds in each folder to the quarantine.
func (s *session) quarantineWhere(match func(folder string) ([]goimap.UID, error)) ([]Move, error) {
	folders, err := s.folders()
	if err != nil {
		return nil, err
	}
	if err := s.ensureQuarantine(); err != nil {
		return nil, err
	}
	var moves []Move
	for _, f := range folders {
		if _, err := s.selectFolder(f); err != nil {
			return moves, err
		}
		uids, err := match(f)
		if err != nil {
			return moves, err
		}
		for _, uid := range uids {
			id := s.messageID(uid)
			to, validity, err := s.move(uid, s.cfg.Quarantine)
			if err != nil {
				return moves, err
			}
			moves = append(moves, Move{Account: s.account, Folder: f, MessageID: id, UID: uint32(to), UIDValidity: validity, To: s.cfg.Quarantine})
		}
	}
	return moves, nil
}

// messageID returns the Message-ID of a message of the selected folder, "" when it has none.
func (s *session) messageID(uid goimap.UID) string {
	msgs, err := s.c.Fetch(goimap.UIDSetNum(uid), &goimap.FetchOptions{UID: true, Envelope: true}).Collect()
	if err != nil || len(msgs) != 1 || msgs[0].Envelope == nil {
		return ""
	}
	return normalizeID(msgs[0].Envelope.MessageID)
}

// movedResult reports moves.
func movedResult(moves []Move) respond.Result {
	if moves == nil {
		moves = []Move{}
	}
	parts := make([]string, len(moves))
	for i, m := range moves {
		parts[i] = fmt.Sprintf("%s: %s -> %s", m.Account, m.Folder, m.To)
	}
	detail := fmt.Sprintf("%d message(s) moved", len(moves))
	if len(parts) > 0 {
		detail += " (" + strings.Join(parts, "; ") + ")"
	}
	return respond.Result{Detail: detail, Data: map[string]any{"moved": moves}}
}

// movesOf reads the moves of a result, as stored (JSON) or as returned.
func movesOf(res respond.Result) ([]Move, error) {
	b, err := json.Marshal(res.Data["moved"])
	if err != nil {
		return nil, err
	}
	var moves []Move
	if err := json.Unmarshal(b, &moves); err != nil {
		return nil, fmt.Errorf("the result's moved list: %w", err)
	}
	return moves, nil
}

// classify marks err transient when a retry may succeed: the network, or a server that
// says it is unavailable or in use.
func classify(ctx context.Context, err error) error {
	var ne net.Error
	var ie *goimap.Error
	transient := errors.As(err, &ne) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || ctx.Err() != nil ||
		(errors.As(err, &ie) && (ie.Code == goimap.ResponseCodeUnavailable || ie.Code == goimap.ResponseCodeInUse ||
			ie.Type == goimap.StatusResponseTypeBye))
	if transient {
		return fmt.Errorf("imap responder: %w: %w", err, respond.ErrTransient)
	}
	return fmt.Errorf("imap responder: %w", err)
}
