package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// APIKey is a stored API key: its hash, never the key itself.
type APIKey struct {
	ID            string
	Name          string
	Prefix        string // the key's first characters, to tell keys apart
	KeyHash       string // hex SHA-256 of the key
	DefaultTenant string
	CreatedBy     string
	ExpiresAt     time.Time // zero: never
	RevokedAt     time.Time // zero: not revoked
	LastUsedAt    time.Time
	CreatedAt     time.Time
}

// apiKeyCols are the columns of api_keys, not a credential.
const apiKeyCols = `id, name, prefix, key_hash, default_tenant, created_by, expires_at, revoked_at, last_used_at, created_at` //nolint:gosec // column names

func scanAPIKey(sc rowScanner) (APIKey, error) {
	var k APIKey
	err := sc.Scan(&k.ID, &k.Name, &k.Prefix, &k.KeyHash, &k.DefaultTenant, &k.CreatedBy,
		optTimeDest(&k.ExpiresAt), optTimeDest(&k.RevokedAt), optTimeDest(&k.LastUsedAt), timeDest(&k.CreatedAt))
	return k, err
}

// CreateAPIKey stores k with its grants, in one transaction.
func (s *Store) CreateAPIKey(ctx context.Context, k APIKey, grants []Grant) (APIKey, error) {
	if k.ID == "" || k.KeyHash == "" || k.DefaultTenant == "" {
		return APIKey{}, errors.New("create API key: id, hash and default tenant are required")
	}
	k.CreatedAt = s.clock()
	err := s.inTx(ctx, func(q querier) error {
		_, err := q.exec(ctx, `INSERT INTO api_keys (id, name, prefix, key_hash, default_tenant, created_by, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, k.ID, k.Name, k.Prefix, k.KeyHash, k.DefaultTenant, k.CreatedBy,
			q.optTimeArg(dbTimeOrZero(k.ExpiresAt)), q.timeArg(k.CreatedAt))
		if err != nil {
			return err
		}
		return insertGrants(ctx, q, k.ID, grants, k.CreatedAt)
	})
	if err != nil {
		return APIKey{}, fmt.Errorf("create API key %q: %w", k.Name, err)
	}
	k.ExpiresAt = dbTimeOrZero(k.ExpiresAt)
	return k, nil
}

func dbTimeOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return dbTime(t)
}

// APIKeyByHash returns the key whose hash is hash, revoked or not.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (APIKey, error) {
	k, err := scanAPIKey(s.queryRow(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE key_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return APIKey{}, fmt.Errorf("API key: %w", ErrNotFound)
	}
	return k, err
}

// APIKeys returns every key, sorted by creation time then id.
func (s *Store) APIKeys(ctx context.Context) ([]APIKey, error) {
	ks, err := collect(ctx, s, scanAPIKey, `SELECT `+apiKeyCols+` FROM api_keys`)
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	slices.SortFunc(ks, func(a, b APIKey) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return ks, nil
}

// RevokeAPIKey marks key id revoked; revoking it again keeps the first time.
func (s *Store) RevokeAPIKey(ctx context.Context, id string) error {
	res, err := s.exec(ctx, `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, s.timeArg(s.clock()), id)
	if err != nil {
		return fmt.Errorf("revoke API key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("API key %q: %w", id, ErrNotFound)
	}
	return nil
}

// TouchAPIKey stamps the last use of key id.
func (s *Store) TouchAPIKey(ctx context.Context, id string) error {
	if _, err := s.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, s.timeArg(s.clock()), id); err != nil {
		return fmt.Errorf("touch API key: %w", err)
	}
	return nil
}
