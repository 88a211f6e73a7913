package meta

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// ErrEnrollmentToken is returned when an agent enrolls with a token that is unknown,
// used or expired.
var ErrEnrollmentToken = errors.New("enrollment token is unknown, used or expired")

// EnrollmentToken is a one-time token an endpoint agent enrolls with. Only its hash is
// stored; Token is set only by CreateEnrollmentToken.
type EnrollmentToken struct {
	Token       string
	Tenant      string
	DeviceGroup string
	CreatedBy   string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Agent is an enrolled endpoint agent: a device and the NKey public key it authenticates
// to the bus with.
type Agent struct {
	Tenant      string    `json:"tenantId"`
	DeviceID    string    `json:"deviceId"`
	DeviceName  string    `json:"deviceName"`
	OS          string    `json:"osPlatform"`
	NKey        string    `json:"nkey"`
	DeviceGroup string    `json:"deviceGroup,omitempty"`
	EnrolledAt  time.Time `json:"enrolledDateTime"`
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateEnrollmentToken makes a one-time token for tenant valid for ttl and returns it
// with its secret (shown once).
func (s *Store) CreateEnrollmentToken(ctx context.Context, tenant, group, by string, ttl time.Duration) (EnrollmentToken, error) {
	if tenant == "" || ttl <= 0 {
		return EnrollmentToken{}, errors.New("create enrollment token: a tenant and a positive lifetime are needed")
	}
	now := s.clock()
	t := EnrollmentToken{Token: "vgl_enr_" + randomHex(24), Tenant: tenant, DeviceGroup: group, CreatedBy: by,
		CreatedAt: now, ExpiresAt: now.Add(ttl)}
	_, err := s.exec(ctx, `INSERT INTO agent_enrollment_tokens (token_hash, tenant, device_group, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, tokenHash(t.Token), tenant, group, by, s.timeArg(t.CreatedAt), s.timeArg(t.ExpiresAt))
	if err != nil {
		return EnrollmentToken{}, fmt.Errorf("create enrollment token: %w", err)
	}
	return t, nil
}

// EnrollAgent uses token (once) to enroll a device with its NKey public key, name and OS,
// and returns the agent with its new device id. An unknown, used or expired token is an
// error wrapping ErrEnrollmentToken; a key already enrolled one wrapping ErrConflict.
func (s *Store) EnrollAgent(ctx context.Context, token string, a Agent) (Agent, error) {
	now := s.clock()
	err := s.inTx(ctx, func(q querier) error {
		var used, expires time.Time
		err := q.queryRow(ctx, `SELECT tenant, device_group, expires_at, used_at FROM agent_enrollment_tokens WHERE token_hash = ?`,
			tokenHash(token)).Scan(&a.Tenant, &a.DeviceGroup, timeDest(&expires), optTimeDest(&used))
		if isNoRows(err) {
			return ErrEnrollmentToken
		}
		if err != nil {
			return err
		}
		if !used.IsZero() || !now.Before(expires) {
			return ErrEnrollmentToken
		}
		a.DeviceID, a.EnrolledAt = randomHex(16), now
		res, err := q.exec(ctx, `UPDATE agent_enrollment_tokens SET used_at = ?, used_by = ? WHERE token_hash = ? AND used_at IS NULL`,
			q.timeArg(now), a.DeviceID, tokenHash(token))
		if ok, err := affectedOne(res, err); err != nil || !ok {
			return errors.Join(err, ErrEnrollmentToken)
		}
		var n int
		if err := q.queryRow(ctx, `SELECT COUNT(*) FROM agents WHERE nkey = ?`, a.NKey).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("key %s is enrolled already: %w", a.NKey, ErrConflict)
		}
		_, err = q.exec(ctx, `INSERT INTO agents (tenant, device_id, device_name, os, nkey, device_group, enrolled_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, a.Tenant, a.DeviceID, a.DeviceName, a.OS, a.NKey, a.DeviceGroup, q.timeArg(now))
		return err
	})
	if err != nil {
		return Agent{}, fmt.Errorf("enroll agent: %w", err)
	}
	return a, nil
}

const agentColumns = `tenant, device_id, device_name, os, nkey, device_group, enrolled_at`

func scanAgent(r rowScanner) (Agent, error) {
	var a Agent
	err := r.Scan(&a.Tenant, &a.DeviceID, &a.DeviceName, &a.OS, &a.NKey, &a.DeviceGroup, timeDest(&a.EnrolledAt))
	return a, err
}

// Agents returns tenant's enrolled agents, every tenant's when tenant is empty.
func (s *Store) Agents(ctx context.Context, tenant string) ([]Agent, error) {
	q, args := `SELECT `+agentColumns+` FROM agents ORDER BY tenant, device_id`, []any{}
	if tenant != "" {
		q, args = `SELECT `+agentColumns+` FROM agents WHERE tenant = ? ORDER BY device_id`, []any{tenant}
	}
	as, err := collect(ctx, s.querier, scanAgent, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	return as, nil
}

// AgentByDevice returns tenant's agent whose device id or device name is device, or an
// error wrapping ErrNotFound.
func (s *Store) AgentByDevice(ctx context.Context, tenant, device string) (Agent, error) {
	a, err := scanAgent(s.queryRow(ctx, `SELECT `+agentColumns+` FROM agents WHERE tenant = ? AND (device_id = ? OR device_name = ?)
		ORDER BY enrolled_at DESC LIMIT 1`, tenant, device, device))
	if isNoRows(err) {
		return Agent{}, fmt.Errorf("agent for device %s: %w", device, ErrNotFound)
	}
	if err != nil {
		return Agent{}, fmt.Errorf("get agent %s: %w", device, err)
	}
	return a, nil
}

// DeleteAgent removes tenant's agent deviceID, or returns an error wrapping ErrNotFound.
func (s *Store) DeleteAgent(ctx context.Context, tenant, deviceID string) error {
	res, err := s.exec(ctx, `DELETE FROM agents WHERE tenant = ? AND device_id = ?`, tenant, deviceID)
	ok, err := affectedOne(res, err)
	if err != nil {
		return fmt.Errorf("delete agent %s: %w", deviceID, err)
	}
	if !ok {
		return fmt.Errorf("agent %s: %w", deviceID, ErrNotFound)
	}
	return nil
}
