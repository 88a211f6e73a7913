package imap

import (
	"context"
	"errors"
	"fmt"

	goimap "github.com/emersion/go-imap/v2"

	"github.com/vigilsec/vigil/internal/respond"
)

// restore puts back the messages the undone action moved to the quarantine, each in the
// folder it was taken from; without the undone action it moves the target message from
// the quarantine to INBOX.
func (r *Responder) restore(ctx context.Context, a respond.Action) (respond.Result, error) {
	moves, err := r.toRestore(ctx, a)
	if err != nil {
		return respond.Result{}, err
	}
	var done []Move
	var errs []error
	byAccount := map[string][]Move{}
	var order []string
	for _, m := range moves {
		if byAccount[m.Account] == nil {
			order = append(order, m.Account)
		}
		byAccount[m.Account] = append(byAccount[m.Account], m)
	}
	for _, account := range order {
		d, err := r.restoreMailbox(ctx, account, byAccount[account])
		done = append(done, d...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	res := movedResult(done)
	if err := errors.Join(errs...); err != nil {
		return res, fmt.Errorf("%d of %d messages restored: %w", len(done), len(moves), err)
	}
	return res, nil
}

// toRestore returns the moves to reverse: those of the undone action, or the target
// message's from INBOX.
func (r *Responder) toRestore(ctx context.Context, a respond.Action) ([]Move, error) {
	if a.UndoOf != "" && r.Original != nil {
		orig, err := r.Original(ctx, a.Tenant, a.UndoOf)
		if err != nil {
			return nil, fmt.Errorf("restoreEmail: read the undone action %s: %w", a.UndoOf, err)
		}
		moves, err := movesOf(orig.Result)
		if err != nil {
			return nil, fmt.Errorf("restoreEmail: undone action %s: %w", a.UndoOf, err)
		}
		if len(moves) == 0 {
			return nil, fmt.Errorf("restoreEmail: undone action %s moved no message", a.UndoOf)
		}
		return moves, nil
	}
	if a.Target.MessageID == "" {
		return nil, errors.New("restoreEmail needs target.messageId, or to undo an action")
	}
	account, err := mailboxOf(a)
	if err != nil {
		return nil, err
	}
	return []Move{{Account: account, Folder: "INBOX", MessageID: a.Target.MessageID, To: r.cfg.Quarantine}}, nil
}

// restoreMailbox moves the quarantined messages of one mailbox back.
func (r *Responder) restoreMailbox(ctx context.Context, account string, moves []Move) ([]Move, error) {
	s, err := r.open(ctx, account)
	if err != nil {
		return nil, err
	}
	defer s.close()
	var done []Move
	var errs []error
	for _, m := range moves {
		validity, err := s.selectFolder(m.To)
		if err != nil {
			return done, err
		}
		uids, err := s.locate(m, validity)
		if err != nil {
			return done, err
		}
		if len(uids) == 0 {
			errs = append(errs, fmt.Errorf("mailbox %s: message %q is not in %s any more (deleted or moved by hand?)", account, m.MessageID, m.To))
			continue
		}
		for _, uid := range uids {
			to, v, err := s.moveCreating(uid, m.Folder)
			if err != nil {
				return done, err
			}
			done = append(done, Move{Account: account, Folder: m.To, MessageID: m.MessageID, UID: uint32(to), UIDValidity: v, To: m.Folder})
		}
	}
	return done, errors.Join(errs...)
}

// locate finds a moved message in the selected folder: by UID while the folder's
// UIDVALIDITY is unchanged, else by Message-ID.
func (s *session) locate(m Move, validity uint32) ([]goimap.UID, error) {
	if m.UID != 0 && m.UIDValidity == validity {
		d, err := s.c.UIDSearch(&goimap.SearchCriteria{UID: []goimap.UIDSet{goimap.UIDSetNum(goimap.UID(m.UID))}}, nil).Wait()
		if err != nil {
			return nil, fmt.Errorf("mailbox %s: search UID %d: %w", s.account, m.UID, err)
		}
		if uids := d.AllUIDs(); len(uids) > 0 {
			return uids, nil
		}
	}
	if m.MessageID == "" {
		return nil, nil
	}
	return s.byMessageID(m.MessageID)
}

// moveCreating moves a message to folder, creating the folder when it no longer exists.
func (s *session) moveCreating(uid goimap.UID, folder string) (goimap.UID, uint32, error) {
	to, v, err := s.move(uid, folder)
	var ie *goimap.Error
	if err != nil && errors.As(err, &ie) && ie.Code == goimap.ResponseCodeTryCreate {
		if cerr := s.c.Create(folder, nil).Wait(); cerr != nil {
			return 0, 0, fmt.Errorf("mailbox %s: create %s: %w", s.account, folder, cerr)
		}
		return s.move(uid, folder)
	}
	return to, v, err
}
