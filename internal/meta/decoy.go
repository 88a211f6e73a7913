package meta

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Decoy kinds.
const (
	DecoyAccount    = "account"
	DecoyHost       = "host"
	DecoyFile       = "file"
	DecoyCredential = "credential"
	DecoyIP         = "ip"
	DecoyMailbox    = "mailbox"
)

// DecoyKinds lists the decoy kinds.
func DecoyKinds() []string {
	return []string{DecoyAccount, DecoyHost, DecoyFile, DecoyCredential, DecoyIP, DecoyMailbox}
}

// ErrInvalidDecoy is a decoy with an unknown kind or an empty value.
var ErrInvalidDecoy = errors.New("invalid decoy")

// maxDecoyValue is the longest decoy value accepted, and minCredential the shortest
// credential (honeytoken), in bytes.
const (
	maxDecoyValue = 1024
	minCredential = 8
)

// Decoy is a deception tripwire: an account, host, file, credential, IP address or mailbox
// that nothing legitimate uses, so that any event naming it raises an alert.
type Decoy struct {
	ID          int64
	Tenant      string
	Kind        string
	Value       string
	Description string
	CreatedBy   string
	CreatedAt   time.Time
	Enabled     bool
}

// decoyKey is the value compared for uniqueness: credentials (honeytokens) exactly, the
// other kinds ignoring case.
func decoyKey(kind, value string) string {
	if kind == DecoyCredential {
		return value
	}
	return strings.ToLower(value)
}

func validAddr(s string) bool {
	_, err := netip.ParseAddr(strings.TrimSpace(s))
	return err == nil
}

func checkDecoy(d Decoy) error {
	switch {
	case !slices.Contains(DecoyKinds(), d.Kind):
		return fmt.Errorf("kind %q is not one of %s: %w", d.Kind, strings.Join(DecoyKinds(), ", "), ErrInvalidDecoy)
	case strings.TrimSpace(d.Value) == "":
		return fmt.Errorf("value is empty: %w", ErrInvalidDecoy)
	case d.Kind == DecoyCredential && len(strings.TrimSpace(d.Value)) < minCredential:
		return fmt.Errorf("a credential decoy must be at least %d bytes, so that it appears nowhere by chance: %w", minCredential, ErrInvalidDecoy)
	case d.Kind == DecoyIP && !validAddr(d.Value):
		return fmt.Errorf("%q is not an IP address: %w", d.Value, ErrInvalidDecoy)
	case d.Kind == DecoyMailbox && !strings.Contains(d.Value, "@"):
		return fmt.Errorf("%q is not an email address: %w", d.Value, ErrInvalidDecoy)
	case len(d.Value) > maxDecoyValue:
		return fmt.Errorf("value is longer than %d bytes: %w", maxDecoyValue, ErrInvalidDecoy)
	case d.Tenant == "":
		return fmt.Errorf("tenant is empty: %w", ErrInvalidDecoy)
	}
	return nil
}

// CreateDecoy stores d (its ID and CreatedAt are assigned) and returns it. A decoy of the
// same tenant, kind and value is an error wrapping ErrConflict; a bad kind or value one
// wrapping ErrInvalidDecoy.
func (s *Store) CreateDecoy(ctx context.Context, d Decoy) (Decoy, error) {
	d.Value = strings.TrimSpace(d.Value)
	if err := checkDecoy(d); err != nil {
		return Decoy{}, fmt.Errorf("create decoy: %w", err)
	}
	d.CreatedAt = s.clock()
	err := s.inTx(ctx, func(q querier) error {
		err := q.queryRow(ctx, `INSERT INTO decoys (tenant, kind, value, value_key, description, created_by, created_at, enabled)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, kind, value_key) DO NOTHING RETURNING id`,
			d.Tenant, d.Kind, d.Value, decoyKey(d.Kind, d.Value), d.Description, d.CreatedBy, q.timeArg(d.CreatedAt), d.Enabled).Scan(&d.ID)
		if isNoRows(err) {
			return fmt.Errorf("%s decoy %q exists: %w", d.Kind, d.Value, ErrConflict)
		}
		if err != nil {
			return err
		}
		return bumpDecoys(ctx, q)
	})
	if err != nil {
		return Decoy{}, fmt.Errorf("create decoy: %w", err)
	}
	return d, nil
}

// bumpDecoys counts one change to the decoys.
func bumpDecoys(ctx context.Context, q querier) error {
	_, err := q.exec(ctx, `UPDATE decoy_changes SET version = version + 1 WHERE id = 1`)
	return err
}

const decoyColumns = `id, tenant, kind, value, description, created_by, created_at, enabled`

func scanDecoy(r rowScanner) (Decoy, error) {
	var d Decoy
	err := r.Scan(&d.ID, &d.Tenant, &d.Kind, &d.Value, &d.Description, &d.CreatedBy, timeDest(&d.CreatedAt), &d.Enabled)
	return d, err
}

// Decoy returns tenant's decoy id, or an error wrapping ErrNotFound.
func (s *Store) Decoy(ctx context.Context, tenant string, id int64) (Decoy, error) {
	d, err := scanDecoy(s.queryRow(ctx, `SELECT `+decoyColumns+` FROM decoys WHERE tenant = ? AND id = ?`, tenant, id))
	if isNoRows(err) {
		return Decoy{}, fmt.Errorf("decoy %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Decoy{}, fmt.Errorf("get decoy %d: %w", id, err)
	}
	return d, nil
}

// Decoys returns tenant's decoys by ID.
func (s *Store) Decoys(ctx context.Context, tenant string) ([]Decoy, error) {
	ds, err := collect(ctx, s.querier, scanDecoy, `SELECT `+decoyColumns+` FROM decoys WHERE tenant = ? ORDER BY id`, tenant)
	if err != nil {
		return nil, fmt.Errorf("list decoys: %w", err)
	}
	return ds, nil
}

// DeleteDecoy deletes tenant's decoy id, or returns an error wrapping ErrNotFound.
func (s *Store) DeleteDecoy(ctx context.Context, tenant string, id int64) error {
	err := s.inTx(ctx, func(q querier) error {
		res, err := q.exec(ctx, `DELETE FROM decoys WHERE tenant = ? AND id = ?`, tenant, id)
		deleted, err := affectedOne(res, err)
		if err != nil {
			return err
		}
		if !deleted {
			return fmt.Errorf("decoy %d: %w", id, ErrNotFound)
		}
		return bumpDecoys(ctx, q)
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("delete decoy %d: %w", id, err)
	}
	return err
}

// DecoysVersion returns a number that changes whenever any tenant's decoys do; reading it is
// cheap, so a detector polls it and reloads only when it moved.
func (s *Store) DecoysVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.queryRow(ctx, `SELECT version FROM decoy_changes WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("decoys version: %w", err)
	}
	return v, nil
}

// AllDecoys returns every tenant's enabled decoys and a version they are at least as new as:
// the version is read first, so a change racing the read shows as a newer version later.
func (s *Store) AllDecoys(ctx context.Context) ([]Decoy, int64, error) {
	v, err := s.DecoysVersion(ctx)
	if err != nil {
		return nil, 0, err
	}
	ds, err := collect(ctx, s.querier, scanDecoy, `SELECT `+decoyColumns+` FROM decoys WHERE enabled ORDER BY id`)
	if err != nil {
		return nil, 0, fmt.Errorf("load decoys: %w", err)
	}
	return ds, v, nil
}
