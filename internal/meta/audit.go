package meta

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AuditRecord is a row of the append-only, hash-chained audit log.
type AuditRecord struct {
	Seq       int64
	Time      time.Time
	Actor     string
	ActorType string // user, apiKey, admin, system
	Tenant    string
	Action    string
	Target    string
	Source    string // the client's address
	Result    string // success, failure, denied
	Detail    string // a JSON object, hashed as stored
	PrevHash  string
	Hash      string
	// ContentHash is the hex SHA-256 of the canonical form of actor, actor
	// type, action, target, source, result and detail; Hash covers it in
	// place of those fields, so a pruned record (a stub) still verifies.
	// Records written before migration 0010 have none and hash their fields.
	ContentHash string
	// PrunedBy is the sequence number of the audit.prune checkpoint that
	// removed the record's content; 0 for a whole record.
	PrunedBy int64
}

// Stub reports whether r is a pruned record: only its sequence number, time,
// tenant and hashes remain.
func (r AuditRecord) Stub() bool { return r.PrunedBy != 0 }

// auditHash is the hash of r chained to prevHash: hex SHA-256 over prevHash,
// a newline and the canonical form of the row. For a record with a content
// hash (every record since migration 0010) the canonical form is the JSON
// array ["2", seq, time, tenant, content hash]; for older records it is the
// JSON array of every field in a fixed order. Times are RFC 3339 with
// microseconds in UTC.
func auditHash(prevHash string, r AuditRecord) string {
	ts := r.Time.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
	var canon []byte
	if r.ContentHash != "" {
		canon, _ = json.Marshal([]string{"2", strconv.FormatInt(r.Seq, 10), ts, r.Tenant, r.ContentHash})
	} else {
		canon, _ = json.Marshal([]string{
			strconv.FormatInt(r.Seq, 10), ts, r.Actor, r.ActorType,
			r.Tenant, r.Action, r.Target, r.Source, r.Result, r.Detail,
		})
	}
	h := sha256.New()
	h.Write([]byte(prevHash))
	h.Write([]byte{'\n'})
	h.Write(canon)
	return hex.EncodeToString(h.Sum(nil))
}

// auditContentHash is the content hash of r: hex SHA-256 of the JSON array
// of actor, actor type, action, target, source, result and detail.
func auditContentHash(r AuditRecord) string {
	canon, _ := json.Marshal([]string{r.Actor, r.ActorType, r.Action, r.Target, r.Source, r.Result, r.Detail})
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:])
}

// AppendAudit appends r to the audit log and returns it with its sequence
// number, time and hashes. Appends are serial: each takes the row lock of the
// chain's head (on SQLite the write lock of the transaction) before reading
// the previous hash, so the chain stays linear under concurrent writers.
func (s *Store) AppendAudit(ctx context.Context, r AuditRecord) (AuditRecord, error) {
	if r.Action == "" {
		return AuditRecord{}, errors.New("append audit: action is empty")
	}
	if r.Detail == "" {
		r.Detail = "{}"
	}
	if !json.Valid([]byte(r.Detail)) {
		return AuditRecord{}, errors.New("append audit: detail is not JSON")
	}
	err := s.inTx(ctx, func(q querier) error {
		if err := q.queryRow(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).Scan(&r.Seq, &r.PrevHash); err != nil {
			return fmt.Errorf("lock audit head: %w", err)
		}
		r.Time = s.clock()
		return insertAudit(ctx, q, &r)
	})
	if err != nil {
		return AuditRecord{}, fmt.Errorf("append audit: %w", err)
	}
	return r, nil
}

// insertAudit hashes r (Seq, Time and PrevHash set), inserts it and makes it
// the head; the caller holds the head's lock.
func insertAudit(ctx context.Context, q querier, r *AuditRecord) error {
	r.PrunedBy = 0
	r.ContentHash = auditContentHash(*r)
	r.Hash = auditHash(r.PrevHash, *r)
	if _, err := q.exec(ctx, `INSERT INTO audit_log (seq, time, actor, actor_type, tenant, action, target, source, result, detail, prev_hash, hash, content_hash, pruned_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`, r.Seq, q.timeArg(r.Time), r.Actor, r.ActorType, r.Tenant, r.Action,
		r.Target, r.Source, r.Result, r.Detail, r.PrevHash, r.Hash, r.ContentHash); err != nil {
		return err
	}
	_, err := q.exec(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, r.Seq, r.Hash)
	return err
}

// AuditFilter selects audit records; zero fields select everything.
type AuditFilter struct {
	Tenants  []string // any of these tenants; nil: all
	Actor    string
	Action   string // exact, or a prefix ending in '*'
	From, To time.Time
	AfterSeq int64 // records with a greater sequence number (a cursor)
	Limit    int   // most records; 0 means 1000
}

const auditCols = `seq, time, actor, actor_type, tenant, action, target, source, result, detail, prev_hash, hash, content_hash, pruned_by`

func scanAudit(sc interface{ Scan(...any) error }) (AuditRecord, error) {
	var r AuditRecord
	err := sc.Scan(&r.Seq, timeDest(&r.Time), &r.Actor, &r.ActorType, &r.Tenant, &r.Action, &r.Target, &r.Source,
		&r.Result, &r.Detail, &r.PrevHash, &r.Hash, &r.ContentHash, &r.PrunedBy)
	return r, err
}

// AuditRecords returns the records f selects in sequence order.
func (s *Store) AuditRecords(ctx context.Context, f AuditFilter) ([]AuditRecord, error) {
	where, args := []string{"seq > ?"}, []any{f.AfterSeq}
	if f.Tenants != nil {
		if len(f.Tenants) == 0 {
			return nil, nil
		}
		where = append(where, "tenant IN (?"+strings.Repeat(", ?", len(f.Tenants)-1)+")")
		for _, t := range f.Tenants {
			args = append(args, t)
		}
	}
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	if p, ok := strings.CutSuffix(f.Action, "*"); ok {
		where, args = append(where, "substr(action, 1, ?) = ?"), append(args, len(p), p)
	} else if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if !f.From.IsZero() {
		where, args = append(where, "time >= ?"), append(args, s.timeArg(dbTime(f.From)))
	}
	if !f.To.IsZero() {
		where, args = append(where, "time < ?"), append(args, s.timeArg(dbTime(f.To)))
	}
	if f.Limit <= 0 {
		f.Limit = 1000
	}
	args = append(args, f.Limit)
	return s.auditQuery(ctx, `SELECT `+auditCols+` FROM audit_log WHERE `+strings.Join(where, " AND ")+` ORDER BY seq LIMIT ?`, args...)
}

func (q querier) auditQuery(ctx context.Context, query string, args ...any) ([]AuditRecord, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}
