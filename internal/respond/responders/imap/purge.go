package imap

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"regexp"
	"strings"

	goimap "github.com/emersion/go-imap/v2"

	"github.com/vigilsec/vigil/internal/respond"
)

var sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// purge quarantines, in every mailbox, the messages with an attachment of the target hash.
// A mailbox that fails does not stop the others; the result lists the moves made and the
// error names the mailboxes that failed.
func (r *Responder) purge(ctx context.Context, a respond.Action) (respond.Result, error) {
	want := strings.ToLower(a.Target.FileHash)
	if !sha256RE.MatchString(want) {
		return respond.Result{}, fmt.Errorf("purgeAttachment: target.fileSha256 %q is not 64 hex digits", a.Target.FileHash)
	}
	accounts, err := r.purgeAccounts(a)
	if err != nil {
		return respond.Result{}, err
	}
	var moves []Move
	var errs []error
	skipped := 0
	for _, account := range accounts {
		m, n, err := r.purgeMailbox(ctx, account, want)
		moves, skipped = append(moves, m...), skipped+n
		if err != nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	res := movedResult(moves)
	res.Data["mailboxesSearched"] = len(accounts)
	if skipped > 0 {
		res.Data["attachmentsTooLarge"] = skipped
		res.Detail += fmt.Sprintf("; %d attachment(s) over maxAttachmentBytes were not hashed", skipped)
	}
	if len(errs) > 0 {
		return res, fmt.Errorf("%d of %d mailboxes failed: %w", len(errs), len(accounts), errors.Join(errs...))
	}
	return res, nil
}

// purgeAccounts returns the mailboxes a purge searches: its mailboxes parameter, or all
// configured ones.
func (r *Responder) purgeAccounts(a respond.Action) ([]string, error) {
	switch v := a.Parameters[MailboxesParam].(type) {
	case nil:
	case []string:
		return v, nil
	case []any:
		out := make([]string, 0, len(v))
		for i, x := range v {
			s, ok := x.(string)
			if !ok || s == "" {
				return nil, fmt.Errorf("purgeAttachment: parameters.%s[%d] is not a mailbox name", MailboxesParam, i)
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("purgeAttachment: parameters.%s is not a list of mailbox names", MailboxesParam)
	}
	accounts, err := r.cfg.accounts()
	if err != nil {
		return nil, err
	}
	if len(accounts) == 0 {
		return nil, errors.New("purgeAttachment: no mailboxes to search: set accounts or accountsFile in response.responders.imap")
	}
	return accounts, nil
}

// purgeMailbox quarantines the messages of one mailbox with an attachment of hash want.
// It returns the moves and the number of attachments too large to hash.
func (r *Responder) purgeMailbox(ctx context.Context, account, want string) ([]Move, int, error) {
	s, err := r.open(ctx, account)
	if err != nil {
		return nil, 0, err
	}
	defer s.close()
	skipped := 0
	moves, err := s.quarantineWhere(func(string) ([]goimap.UID, error) {
		uids, n, err := s.withAttachment(want)
		skipped += n
		return uids, err
	})
	return moves, skipped, err
}

// withAttachment returns the UIDs of the selected folder's messages with an attachment of
// hash want, and the number of attachments too large to hash.
func (s *session) withAttachment(want string) ([]goimap.UID, int, error) {
	all, err := s.c.UIDSearch(&goimap.SearchCriteria{}, nil).Wait()
	if err != nil {
		return nil, 0, fmt.Errorf("mailbox %s: search: %w", s.account, err)
	}
	uids := all.AllUIDs()
	if len(uids) == 0 {
		return nil, 0, nil
	}
	msgs, err := s.c.Fetch(goimap.UIDSetNum(uids...), &goimap.FetchOptions{UID: true, BodyStructure: &goimap.FetchItemBodyStructure{Extended: true}}).Collect()
	if err != nil {
		return nil, 0, fmt.Errorf("mailbox %s: fetch body structures: %w", s.account, err)
	}
	var out []goimap.UID
	skipped := 0
	for _, m := range msgs {
		parts, n := attachmentParts(m.BodyStructure, s.cfg.MaxAttachmentBytes)
		skipped += n
		if len(parts) == 0 {
			continue
		}
		hit, err := s.hasHash(m.UID, parts, want)
		if err != nil {
			return nil, skipped, err
		}
		if hit {
			out = append(out, m.UID)
		}
	}
	return out, skipped, nil
}

// part is an attachment of a message: its section path and transfer encoding.
type part struct {
	path     []int
	encoding string
}

// attachmentParts returns the parts of bs that are attachments no larger than limit: leaf
// parts with a filename or an attachment disposition, or of a media type other than text.
// It also returns the number of larger ones.
func attachmentParts(bs goimap.BodyStructure, limit int64) ([]part, int) {
	if bs == nil {
		return nil, 0
	}
	var out []part
	skipped := 0
	bs.Walk(func(path []int, b goimap.BodyStructure) bool {
		sp, ok := b.(*goimap.BodyStructureSinglePart)
		if !ok {
			return true
		}
		d := sp.Disposition()
		attached := sp.Filename() != "" || (d != nil && strings.EqualFold(d.Value, "attachment")) || !strings.EqualFold(sp.Type, "text")
		switch {
		case !attached:
		case int64(sp.Size) > limit:
			skipped++
		default:
			out = append(out, part{path: append([]int(nil), path...), encoding: strings.ToLower(sp.Encoding)})
		}
		return false
	})
	return out, skipped
}

// hasHash fetches the parts of a message and reports whether one decodes to hash want.
func (s *session) hasHash(uid goimap.UID, parts []part, want string) (bool, error) {
	opts := &goimap.FetchOptions{UID: true}
	for _, p := range parts {
		opts.BodySection = append(opts.BodySection, &goimap.FetchItemBodySection{Part: p.path, Peek: true})
	}
	msgs, err := s.c.Fetch(goimap.UIDSetNum(uid), opts).Collect()
	if err != nil {
		return false, fmt.Errorf("mailbox %s: fetch attachments of UID %d: %w", s.account, uid, err)
	}
	if len(msgs) != 1 {
		return false, nil
	}
	for i, sec := range msgs[0].BodySection {
		enc := ""
		if i < len(parts) {
			enc = parts[i].encoding
		}
		sum := sha256.Sum256(decode(sec.Bytes, enc))
		if hex.EncodeToString(sum[:]) == want {
			return true, nil
		}
	}
	return false, nil
}

// decode undoes a content transfer encoding; unknown encodings are taken as they are.
func decode(b []byte, encoding string) []byte {
	var r io.Reader
	switch encoding {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, bytes.NewReader(b))
	case "quoted-printable":
		r = quotedprintable.NewReader(bytes.NewReader(b))
	default:
		return b
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return b
	}
	return out
}
