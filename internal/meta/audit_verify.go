package meta

import (
	"context"
	"fmt"
	"time"
)

// AuditBreak describes the first place the audit chain does not hold.
type AuditBreak struct {
	Seq    int64 // the first record that does not verify (head+1 when rows are missing at the end)
	Reason string
}

func (b *AuditBreak) Error() string {
	return fmt.Sprintf("audit chain broken at seq %d: %s", b.Seq, b.Reason)
}

// VerifyAudit walks the audit chain in sequence order from its base (the last
// record removed by pruning, or the start), recomputing every hash, and
// returns how many records verified. The first broken link is returned as an
// *AuditBreak error: a record whose hash does not match its contents (edited),
// whose prev_hash is not the previous record's hash or whose sequence number
// skips (removed or inserted), a stub (a pruned record) that its audit.prune
// checkpoint did not prune, a checkpoint whose previous checkpoint is not
// the last one met (cleared or removed), a base that the latest checkpoint
// does not state
// (records removed at the start), or a head that does not match the last
// record (removed at the end).
func (s *Store) VerifyAudit(ctx context.Context) (int64, error) {
	var headSeq, baseSeq int64
	var headHash, baseHash string
	if err := s.queryRow(ctx, `SELECT seq, hash, base_seq, base_hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash, &baseSeq, &baseHash); err != nil {
		return 0, fmt.Errorf("read audit head: %w", err)
	}
	w := newChainWalk(baseSeq, baseHash)
	const page = 1000
	for {
		recs, err := s.auditQuery(ctx, `SELECT `+auditCols+` FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, w.prevSeq, page)
		if err != nil {
			return w.n, err
		}
		for _, r := range recs {
			if b := w.next(r); b != nil {
				return w.n, b
			}
		}
		if len(recs) < page {
			break
		}
	}
	if b := w.finish(baseSeq, baseHash); b != nil {
		return w.n, b
	}
	if w.prevSeq != headSeq || w.prevHash != headHash {
		return w.n, &AuditBreak{Seq: w.prevSeq + 1, Reason: fmt.Sprintf("the chain ends at seq %d but the head records seq %d: records were removed", w.prevSeq, headSeq)}
	}
	return w.n, nil
}

// chainWalk checks records in sequence order.
type chainWalk struct {
	start    int64 // the base the walk started from
	prevSeq  int64
	prevHash string
	n        int64
	// pending holds, per checkpoint not yet reached, the newest stub of each
	// tenant it is said to have pruned.
	pending map[int64]map[string]stubRef
	// The latest checkpoint seen and the base it states.
	ckSeq      int64
	ckSeen     bool
	ckBaseSeq  int64
	ckBaseHash string
}

type stubRef struct {
	seq  int64
	time time.Time
}

func newChainWalk(baseSeq int64, baseHash string) *chainWalk {
	return &chainWalk{start: baseSeq, prevSeq: baseSeq, prevHash: baseHash, pending: map[int64]map[string]stubRef{}}
}

func (w *chainWalk) next(r AuditRecord) *AuditBreak {
	if b := checkLink(r, w.prevSeq, w.prevHash); b != nil {
		return b
	}
	switch {
	case r.Stub():
		if r.PrunedBy <= r.Seq {
			return &AuditBreak{Seq: r.Seq, Reason: fmt.Sprintf("content removed, said to be pruned by seq %d, which is not later", r.PrunedBy)}
		}
		byTenant := w.pending[r.PrunedBy]
		if byTenant == nil {
			byTenant = map[string]stubRef{}
			w.pending[r.PrunedBy] = byTenant
		}
		if old, ok := byTenant[r.Tenant]; !ok || r.Time.After(old.time) {
			byTenant[r.Tenant] = stubRef{r.Seq, r.Time}
		}
	case r.Action == AuditPruneAction && r.ActorType == auditSystemActor:
		if b := w.checkpoint(r); b != nil {
			return b
		}
	}
	if byTenant, ok := w.pending[r.Seq]; ok {
		return &AuditBreak{Seq: firstStub(byTenant), Reason: fmt.Sprintf("content removed, said to be pruned by seq %d, which is not a prune checkpoint", r.Seq)}
	}
	w.prevSeq, w.prevHash = r.Seq, r.Hash
	w.n++
	return nil
}

// checkpoint checks the stubs a checkpoint pruned against its cutoffs.
func (w *chainWalk) checkpoint(r AuditRecord) *AuditBreak {
	cp, err := parseCheckpoint(r.Detail)
	if err != nil {
		return &AuditBreak{Seq: r.Seq, Reason: "prune checkpoint unreadable: " + err.Error()}
	}
	if cp.Prev != w.ckSeq && (w.ckSeq != 0 || cp.Prev > w.start) {
		return &AuditBreak{Seq: max(cp.Prev, w.ckSeq), Reason: fmt.Sprintf("prune checkpoint seq %d follows checkpoint seq %d, but the chain holds seq %d as the previous one: a checkpoint was cleared or removed", r.Seq, cp.Prev, w.ckSeq)}
	}
	for tenant, st := range w.pending[r.Seq] {
		if !st.time.Before(cp.cutoff(tenant)) {
			return &AuditBreak{Seq: st.seq, Reason: fmt.Sprintf("content removed, but it is newer than the cutoff of prune checkpoint seq %d", r.Seq)}
		}
	}
	delete(w.pending, r.Seq)
	w.ckSeq, w.ckSeen, w.ckBaseSeq, w.ckBaseHash = r.Seq, true, cp.BaseSeq, cp.BaseHash
	return nil
}

// finish checks what the walk can tell only at the end: every stub met its
// checkpoint, and the chain's base is the one the latest checkpoint states.
func (w *chainWalk) finish(baseSeq int64, baseHash string) *AuditBreak {
	for ck, byTenant := range w.pending {
		return &AuditBreak{Seq: firstStub(byTenant), Reason: fmt.Sprintf("content removed, said to be pruned by seq %d, which does not exist", ck)}
	}
	switch {
	case !w.ckSeen && baseSeq != 0:
		return &AuditBreak{Seq: 1, Reason: fmt.Sprintf("records up to seq %d were removed, and no prune checkpoint says so", baseSeq)}
	case w.ckSeen && (w.ckBaseSeq != baseSeq || w.ckBaseHash != baseHash):
		return &AuditBreak{Seq: w.ckBaseSeq + 1, Reason: fmt.Sprintf("the chain starts after seq %d but the latest prune checkpoint says after seq %d: records were removed", baseSeq, w.ckBaseSeq)}
	}
	return nil
}

func firstStub(byTenant map[string]stubRef) int64 {
	var seq int64
	for _, st := range byTenant {
		if seq == 0 || st.seq < seq {
			seq = st.seq
		}
	}
	return seq
}

func checkLink(r AuditRecord, prevSeq int64, prevHash string) *AuditBreak {
	switch {
	case r.Seq != prevSeq+1:
		return &AuditBreak{Seq: prevSeq + 1, Reason: fmt.Sprintf("record missing (next is seq %d)", r.Seq)}
	case r.PrevHash != prevHash:
		return &AuditBreak{Seq: r.Seq, Reason: "prev_hash does not match the previous record's hash"}
	case auditHash(r.PrevHash, r) != r.Hash:
		return &AuditBreak{Seq: r.Seq, Reason: "hash does not match the record's contents (edited)"}
	case r.ContentHash != "" && !r.Stub() && auditContentHash(r) != r.ContentHash:
		return &AuditBreak{Seq: r.Seq, Reason: "content_hash does not match the record's contents (edited)"}
	case r.ContentHash == "" && r.Stub():
		return &AuditBreak{Seq: r.Seq, Reason: "a record without a content hash cannot be a stub (its content was removed)"}
	}
	return nil
}
