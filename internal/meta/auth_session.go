package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a signed-in user's session; only the hash of its token is kept.
type Session struct {
	TokenHash string
	UserID    string
	Source    string // the address it was created from
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time
}

// CreateSession stores sess; CreatedAt and LastSeen come from the store's clock.
func (s *Store) CreateSession(ctx context.Context, sess Session) (Session, error) {
	now := s.clock()
	sess.CreatedAt, sess.LastSeen, sess.ExpiresAt = now, now, dbTime(sess.ExpiresAt)
	_, err := s.exec(ctx, `INSERT INTO sessions (token_hash, user_id, source, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		sess.TokenHash, sess.UserID, sess.Source, s.timeArg(now), s.timeArg(now), s.timeArg(sess.ExpiresAt))
	if err != nil {
		return Session{}, fmt.Errorf("create session: %w", err)
	}
	return sess, nil
}

// SessionByHash returns the session whose token hash is hash.
func (s *Store) SessionByHash(ctx context.Context, hash string) (Session, error) {
	var sess Session
	err := s.queryRow(ctx, `SELECT token_hash, user_id, source, created_at, last_seen, expires_at FROM sessions WHERE token_hash = ?`, hash).
		Scan(&sess.TokenHash, &sess.UserID, &sess.Source, timeDest(&sess.CreatedAt), timeDest(&sess.LastSeen), timeDest(&sess.ExpiresAt))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, fmt.Errorf("read session: %w", err)
	}
	return sess, nil
}

// TouchSession stamps the session's last use.
func (s *Store) TouchSession(ctx context.Context, hash string) error {
	if _, err := s.exec(ctx, `UPDATE sessions SET last_seen = ? WHERE token_hash = ?`, s.timeArg(s.clock()), hash); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	if _, err := s.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of user id.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	if _, err := s.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return nil
}
