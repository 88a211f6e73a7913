package meta

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// AuditPruneAction is the action of a prune checkpoint: the audit record
// that pruning appends, stating what it removed.
const AuditPruneAction = "audit.prune"

const auditSystemActor = "system"

// AuditRetention says how long audit records are kept: Tenants overrides
// Default per tenant. Records without a tenant follow Default.
type AuditRetention struct {
	Default time.Duration
	Tenants map[string]time.Duration
}

// checkpoint is the detail of a prune checkpoint.
type checkpoint struct {
	// Cutoffs are the times before which the checkpoint pruned records, per
	// tenant; "*" is every other tenant.
	Cutoffs map[string]time.Time `json:"cutoffs"`
	Stubbed int64                `json:"stubbed"` // records whose content it removed
	Removed int64                `json:"removed"` // records (stubs and expired older records) it deleted
	// The chain's base after it: records up to BaseSeq are gone, and the
	// last of them had hash BaseHash.
	BaseSeq  int64  `json:"baseSeq"`
	BaseHash string `json:"baseHash"`
	// Prev is the previous checkpoint still in the chain (0: none), so that
	// clearing or removing a checkpoint is seen even when no stub names it.
	Prev int64 `json:"prev"`
}

func (c checkpoint) cutoff(tenant string) time.Time {
	if t, ok := c.Cutoffs[tenant]; ok && tenant != "*" {
		return t
	}
	return c.Cutoffs["*"]
}

func parseCheckpoint(detail string) (checkpoint, error) {
	var c checkpoint
	if err := json.Unmarshal([]byte(detail), &c); err != nil {
		return c, err
	}
	if _, ok := c.Cutoffs["*"]; !ok {
		return c, errors.New(`no "*" cutoff`)
	}
	return c, nil
}

// AuditPrune is what one PruneAudit did.
type AuditPrune struct {
	Stubbed    int64       // records whose content was removed
	Removed    int64       // records deleted whole
	Checkpoint AuditRecord // the checkpoint appended; Seq 0 when there was nothing to prune
}

// PruneAudit removes the audit records older than their tenant's retention
// at now, keeping the chain verifiable, in one transaction holding the
// head's lock:
//
//  1. Records written since migration 0010 that are past retention become
//     stubs: their content (actor, action, target, source, result, detail)
//     is cleared and pruned_by names the checkpoint appended in step 3. The
//     seq, time, tenant and hashes they keep still verify, and the
//     checkpoint's cutoffs say which stubs it may have made.
//  2. The prefix of the chain made only of stubs and of expired records is
//     checked link by link (pruning never destroys evidence of tampering: a
//     broken link aborts it with an *AuditBreak) and deleted; the chain's
//     base moves past it.
//  3. A checkpoint record (action audit.prune) is appended to the chain,
//     stating the cutoffs, the counts and the new base.
//
// Prune checkpoints are never made stubs; they go in step 2 once expired.
// When there is nothing to prune, nothing is written.
func (s *Store) PruneAudit(ctx context.Context, now time.Time, ret AuditRetention) (AuditPrune, error) {
	if ret.Default <= 0 {
		return AuditPrune{}, errors.New("prune audit: the default retention must be positive")
	}
	cp := checkpoint{Cutoffs: map[string]time.Time{"*": dbTime(now.Add(-ret.Default))}}
	for t, d := range ret.Tenants {
		if t != "*" && d > 0 {
			cp.Cutoffs[t] = dbTime(now.Add(-d))
		}
	}
	// The whole chain is checked first, without holding the head's lock:
	// pruning a broken chain could hide where it breaks. What pruning clears
	// or deletes is checked again under the lock.
	if _, err := s.VerifyAudit(ctx); err != nil {
		return AuditPrune{}, fmt.Errorf("prune audit: %w", err)
	}
	var out AuditPrune
	err := s.inTx(ctx, func(q querier) error {
		var headSeq int64
		var headHash string
		if err := q.queryRow(ctx, `UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash, base_seq, base_hash`).
			Scan(&headSeq, &headHash, &cp.BaseSeq, &cp.BaseHash); err != nil {
			return fmt.Errorf("lock audit head: %w", err)
		}
		ckSeq := headSeq + 1
		var prev sql.NullInt64
		if err := q.queryRow(ctx, `SELECT MAX(seq) FROM audit_log WHERE action = ? AND actor_type = ? AND pruned_by = 0`,
			AuditPruneAction, auditSystemActor).Scan(&prev); err != nil {
			return fmt.Errorf("find the last checkpoint: %w", err)
		}
		var err error
		if cp.Stubbed, err = stubExpired(ctx, q, cp, ckSeq); err != nil {
			return err
		}
		baseSeq, baseHash, err := expiredPrefix(ctx, q, cp, ckSeq)
		if err != nil {
			return err
		}
		if cp.Stubbed == 0 && baseSeq == cp.BaseSeq {
			return nil
		}
		res, err := q.exec(ctx, `DELETE FROM audit_log WHERE seq <= ?`, baseSeq)
		if err != nil {
			return err
		}
		cp.Removed, _ = res.RowsAffected()
		cp.BaseSeq, cp.BaseHash = baseSeq, baseHash
		if prev.Int64 > baseSeq {
			cp.Prev = prev.Int64
		}
		detail, _ := json.Marshal(cp)
		r := AuditRecord{Seq: ckSeq, PrevHash: headHash, Time: s.clock(), Actor: "vigil", ActorType: auditSystemActor,
			Action: AuditPruneAction, Target: "audit_log", Result: "success", Detail: string(detail)}
		if err := insertAudit(ctx, q, &r); err != nil {
			return err
		}
		if _, err := q.exec(ctx, `UPDATE audit_head SET base_seq = ?, base_hash = ? WHERE id = 1`, baseSeq, baseHash); err != nil {
			return err
		}
		out = AuditPrune{Stubbed: cp.Stubbed, Removed: cp.Removed, Checkpoint: r}
		return nil
	})
	if err != nil {
		return AuditPrune{}, fmt.Errorf("prune audit: %w", err)
	}
	return out, nil
}

// stubExpired clears the content of the expired records of cp's cutoffs,
// marking them pruned by ckSeq, and returns how many it cleared. Each
// record's hashes are checked first: an edited record is never cleared.
func stubExpired(ctx context.Context, q querier, cp checkpoint, ckSeq int64) (int64, error) {
	var n int64
	after := cp.BaseSeq
	const page = 500
	for {
		recs, err := q.auditQuery(ctx, `SELECT `+auditCols+` FROM audit_log WHERE seq > ? AND pruned_by = 0 AND content_hash <> '' AND action <> ? AND time < ?
			ORDER BY seq LIMIT ?`, after, AuditPruneAction, q.timeArg(latestCutoff(cp)), page)
		if err != nil {
			return 0, err
		}
		var seqs []any
		for _, r := range recs {
			after = r.Seq
			if !r.Time.Before(cp.cutoff(r.Tenant)) {
				continue
			}
			if checkLinkSelf(r) != "" {
				return 0, &AuditBreak{Seq: r.Seq, Reason: "hash does not match the record's contents (edited)"}
			}
			seqs = append(seqs, r.Seq)
		}
		if len(seqs) > 0 {
			_, err := q.exec(ctx, `UPDATE audit_log SET actor = '', actor_type = '', action = '', target = '', source = '', result = '', detail = '', pruned_by = ?
				WHERE seq IN (?`+strings.Repeat(", ?", len(seqs)-1)+`)`, append([]any{ckSeq}, seqs...)...)
			if err != nil {
				return 0, fmt.Errorf("clear pruned records: %w", err)
			}
			n += int64(len(seqs))
		}
		if len(recs) < page {
			return n, nil
		}
	}
}

func latestCutoff(cp checkpoint) time.Time {
	var last time.Time
	for _, t := range cp.Cutoffs {
		if t.After(last) {
			last = t
		}
	}
	return last
}

// expiredPrefix walks the chain from cp's base while records are stubs or
// expired, checking every link, and returns the last record of that prefix
// (the new base). Stubs of earlier checkpoints are checked against them.
func expiredPrefix(ctx context.Context, q querier, cp checkpoint, ckSeq int64) (int64, string, error) {
	w := newChainWalk(cp.BaseSeq, cp.BaseHash)
	earlier := map[int64]checkpoint{ckSeq: cp}
	const page = 500
	for {
		recs, err := q.auditQuery(ctx, `SELECT `+auditCols+` FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, w.prevSeq, page)
		if err != nil {
			return 0, "", err
		}
		for _, r := range recs {
			if !r.Stub() && !r.Time.Before(cp.cutoff(r.Tenant)) {
				return w.prevSeq, w.prevHash, nil
			}
			if b := checkLink(r, w.prevSeq, w.prevHash); b != nil {
				return 0, "", b
			}
			if r.Stub() {
				ck, ok := earlier[r.PrunedBy]
				if !ok {
					if ck, err = readCheckpoint(ctx, q, r.PrunedBy); err != nil {
						return 0, "", &AuditBreak{Seq: r.Seq, Reason: fmt.Sprintf("content removed, said to be pruned by seq %d: %v", r.PrunedBy, err)}
					}
					earlier[r.PrunedBy] = ck
				}
				if r.PrunedBy <= r.Seq || !r.Time.Before(ck.cutoff(r.Tenant)) {
					return 0, "", &AuditBreak{Seq: r.Seq, Reason: fmt.Sprintf("content removed, but prune checkpoint seq %d did not prune it", r.PrunedBy)}
				}
			}
			w.prevSeq, w.prevHash = r.Seq, r.Hash
		}
		if len(recs) < page {
			return w.prevSeq, w.prevHash, nil
		}
	}
}

func readCheckpoint(ctx context.Context, q querier, seq int64) (checkpoint, error) {
	recs, err := q.auditQuery(ctx, `SELECT `+auditCols+` FROM audit_log WHERE seq = ?`, seq)
	if err != nil {
		return checkpoint{}, err
	}
	if len(recs) != 1 || recs[0].Stub() || recs[0].Action != AuditPruneAction || recs[0].ActorType != auditSystemActor {
		return checkpoint{}, errors.New("not a prune checkpoint")
	}
	if b := checkLinkSelf(recs[0]); b != "" {
		return checkpoint{}, errors.New(b)
	}
	return parseCheckpoint(recs[0].Detail)
}

// checkLinkSelf checks a record's hashes against its own contents.
func checkLinkSelf(r AuditRecord) string {
	if auditHash(r.PrevHash, r) != r.Hash || (r.ContentHash != "" && auditContentHash(r) != r.ContentHash) {
		return "edited"
	}
	return ""
}
