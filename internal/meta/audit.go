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
}

// auditHash is the hash of r chained to prevHash: hex SHA-256 over prevHash,
// a newline and the canonical form of the row (a JSON array of its fields in
// a fixed order, the time in RFC 3339 with microseconds in UTC).
func auditHash(prevHash string, r AuditRecord) string {
	canon, _ := json.Marshal([]string{
		strconv.FormatInt(r.Seq, 10), r.Time.UTC().Format("2006-01-02T15:04:05.000000Z07:00"), r.Actor, r.ActorType,
		r.Tenant, r.Action, r.Target, r.Source, r.Result, r.Detail,
	})
	h := sha256.New()
	h.Write([]byte(prevHash))
	h.Write([]byte{'\n'})
	h.Write(canon)
	return hex.EncodeToString(h.Sum(nil))
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
		r.Hash = auditHash(r.PrevHash, r)
		if _, err := q.exec(ctx, `INSERT INTO audit_log (seq, time, actor, actor_type, tenant, action, target, source, result, detail, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Seq, q.timeArg(r.Time), r.Actor, r.ActorType, r.Tenant, r.Action,
			r.Target, r.Source, r.Result, r.Detail, r.PrevHash, r.Hash); err != nil {
			return err
		}
		_, err := q.exec(ctx, `UPDATE audit_head SET hash = ? WHERE id = 1`, r.Hash)
		return err
	})
	if err != nil {
		return AuditRecord{}, fmt.Errorf("append audit: %w", err)
	}
	return r, nil
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

const auditCols = `seq, time, actor, actor_type, tenant, action, target, source, result, detail, prev_hash, hash`

func scanAudit(sc interface{ Scan(...any) error }) (AuditRecord, error) {
	var r AuditRecord
	err := sc.Scan(&r.Seq, timeDest(&r.Time), &r.Actor, &r.ActorType, &r.Tenant, &r.Action, &r.Target, &r.Source,
		&r.Result, &r.Detail, &r.PrevHash, &r.Hash)
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

func (s *Store) auditQuery(ctx context.Context, query string, args ...any) ([]AuditRecord, error) {
	rows, err := s.query(ctx, query, args...)
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
