package meta

import (
	"context"
	"fmt"
)

// AuditBreak describes the first place the audit chain does not hold.
type AuditBreak struct {
	Seq    int64 // the first record that does not verify (head+1 when rows are missing at the end)
	Reason string
}

func (b *AuditBreak) Error() string {
	return fmt.Sprintf("audit chain broken at seq %d: %s", b.Seq, b.Reason)
}

// VerifyAudit walks the whole audit chain in sequence order, recomputing every
// hash, and returns how many records verified. The first broken link is
// returned as an *AuditBreak error: a record whose hash does not match its
// contents (edited), whose prev_hash is not the previous record's hash or
// whose sequence number skips (removed or inserted), or a head that does not
// match the last record (removed at the end).
func (s *Store) VerifyAudit(ctx context.Context) (int64, error) {
	var headSeq int64
	var headHash string
	if err := s.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return 0, fmt.Errorf("read audit head: %w", err)
	}
	var n, prevSeq int64
	prevHash := ""
	const page = 1000
	for {
		recs, err := s.auditQuery(ctx, `SELECT `+auditCols+` FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, prevSeq, page)
		if err != nil {
			return n, err
		}
		for _, r := range recs {
			if b := checkLink(r, prevSeq, prevHash); b != nil {
				return n, b
			}
			prevSeq, prevHash = r.Seq, r.Hash
			n++
		}
		if len(recs) < page {
			break
		}
	}
	if prevSeq != headSeq || prevHash != headHash {
		return n, &AuditBreak{Seq: prevSeq + 1, Reason: fmt.Sprintf("the chain ends at seq %d but the head records seq %d: records were removed", prevSeq, headSeq)}
	}
	return n, nil
}

func checkLink(r AuditRecord, prevSeq int64, prevHash string) *AuditBreak {
	switch {
	case r.Seq != prevSeq+1:
		return &AuditBreak{Seq: prevSeq + 1, Reason: fmt.Sprintf("record missing (next is seq %d)", r.Seq)}
	case r.PrevHash != prevHash:
		return &AuditBreak{Seq: r.Seq, Reason: "prev_hash does not match the previous record's hash"}
	case auditHash(r.PrevHash, r) != r.Hash:
		return &AuditBreak{Seq: r.Seq, Reason: "hash does not match the record's contents (edited)"}
	}
	return nil
}
