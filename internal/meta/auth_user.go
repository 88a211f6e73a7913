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

// User is a local user account.
type User struct {
	ID            string
	Username      string
	DisplayName   string
	PasswordHash  string // argon2id PHC string; empty: no password sign-in
	DefaultTenant string
	Disabled      bool
	FailedLogins  int
	LockedUntil   time.Time // zero: not locked
	LastLogin     time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

const userCols = `id, username, display_name, password_hash, default_tenant, disabled, failed_logins, locked_until, last_login, created_at, updated_at`

func scanUser(sc rowScanner) (User, error) {
	var u User
	err := sc.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &u.DefaultTenant, &u.Disabled, &u.FailedLogins,
		optTimeDest(&u.LockedUntil), optTimeDest(&u.LastLogin), timeDest(&u.CreatedAt), timeDest(&u.UpdatedAt))
	return u, err
}

// CreateUser adds u; CreatedAt and UpdatedAt are set from the store's clock.
// A user name taken case-insensitively is an error wrapping ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u User) (User, error) {
	if u.ID == "" || strings.TrimSpace(u.Username) == "" || u.DefaultTenant == "" {
		return User{}, errors.New("create user: id, username and default tenant are required")
	}
	now := s.clock()
	u.CreatedAt, u.UpdatedAt = now, now
	_, err := s.exec(ctx, `INSERT INTO users (id, username, username_key, display_name, password_hash, default_tenant, disabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		u.ID, u.Username, strings.ToLower(u.Username), u.DisplayName, u.PasswordHash, u.DefaultTenant, u.Disabled, s.timeArg(now), s.timeArg(now))
	if err != nil {
		return User{}, fmt.Errorf("create user %q: %w", u.Username, err)
	}
	got, err := s.UserByName(ctx, u.Username)
	if err != nil {
		return User{}, fmt.Errorf("create user %q: %w", u.Username, err)
	}
	if got.ID != u.ID {
		return User{}, fmt.Errorf("create user %q: user name taken: %w", u.Username, ErrConflict)
	}
	return got, nil
}

// User returns the user with the given id.
func (s *Store) User(ctx context.Context, id string) (User, error) {
	u, err := scanUser(s.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %q: %w", id, ErrNotFound)
	}
	return u, err
}

// UserByName returns the user named username, ignoring letter case.
func (s *Store) UserByName(ctx context.Context, username string) (User, error) {
	u, err := scanUser(s.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE username_key = ?`, strings.ToLower(username)))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %q: %w", username, ErrNotFound)
	}
	return u, err
}

// Users returns every user sorted by user name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	us, err := collect(ctx, s, scanUser, `SELECT `+userCols+` FROM users`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	slices.SortFunc(us, func(a, b User) int { return strings.Compare(strings.ToLower(a.Username), strings.ToLower(b.Username)) })
	return us, nil
}

// UserUpdate holds the fields UpdateUser changes; nil fields stay.
type UserUpdate struct {
	DisplayName   *string
	PasswordHash  *string
	DefaultTenant *string
	Disabled      *bool
}

// UpdateUser changes the fields of id that upd sets. Setting a password also
// clears the failed sign-in count and any lockout.
func (s *Store) UpdateUser(ctx context.Context, id string, upd UserUpdate) (User, error) {
	err := s.inTx(ctx, func(q querier) error {
		u, err := scanUser(q.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("user %q: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if upd.DisplayName != nil {
			u.DisplayName = *upd.DisplayName
		}
		if upd.DefaultTenant != nil {
			u.DefaultTenant = *upd.DefaultTenant
		}
		if upd.Disabled != nil {
			u.Disabled = *upd.Disabled
		}
		if upd.PasswordHash != nil {
			u.PasswordHash, u.FailedLogins, u.LockedUntil = *upd.PasswordHash, 0, time.Time{}
		}
		_, err = q.exec(ctx, `UPDATE users SET display_name = ?, password_hash = ?, default_tenant = ?, disabled = ?,
			failed_logins = ?, locked_until = ?, updated_at = ? WHERE id = ?`,
			u.DisplayName, u.PasswordHash, u.DefaultTenant, u.Disabled, u.FailedLogins, q.optTimeArg(u.LockedUntil), q.timeArg(s.clock()), id)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("update user: %w", err)
	}
	return s.User(ctx, id)
}

// RecordLoginFailure counts a failed sign-in of id and returns the new count;
// lock, given that count, returns until when the account is locked (zero: not).
func (s *Store) RecordLoginFailure(ctx context.Context, id string, lock func(failures int) time.Time) (int, error) {
	var n int
	err := s.inTx(ctx, func(q querier) error {
		if err := q.queryRow(ctx, `UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins`, id).Scan(&n); err != nil {
			return err
		}
		_, err := q.exec(ctx, `UPDATE users SET locked_until = ? WHERE id = ?`, q.optTimeArg(lock(n)), id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("record failed sign-in: %w", err)
	}
	return n, nil
}

// RecordLoginSuccess clears the failed sign-in count of id and stamps its last sign-in.
func (s *Store) RecordLoginSuccess(ctx context.Context, id string) error {
	_, err := s.exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, last_login = ? WHERE id = ?`, s.timeArg(s.clock()), id)
	if err != nil {
		return fmt.Errorf("record sign-in: %w", err)
	}
	return nil
}
