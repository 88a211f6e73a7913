package meta

import (
	"context"
	"fmt"
	"time"
)

// SimulatedState is one effect of the simulated responder: a device it isolated, an
// account it disabled, a file it quarantined or an indicator it blocked.
type SimulatedState struct {
	Tenant    string
	Kind      string
	TargetKey string
	ActionID  string
	Detail    string // JSON object
	UpdatedAt time.Time
}

// PutSimulatedState records an effect of the simulated responder, replacing the one of the
// same kind on the same target.
func (s *Store) PutSimulatedState(ctx context.Context, st SimulatedState) error {
	if st.Detail == "" {
		st.Detail = "{}"
	}
	_, err := s.exec(ctx, `INSERT INTO response_simulated_state (tenant, kind, target_key, action_id, detail, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, kind, target_key) DO UPDATE SET action_id = excluded.action_id,
		detail = excluded.detail, updated_at = excluded.updated_at`,
		st.Tenant, st.Kind, st.TargetKey, st.ActionID, st.Detail, s.timeArg(s.clock()))
	if err != nil {
		return fmt.Errorf("put simulated %s %s: %w", st.Kind, st.TargetKey, err)
	}
	return nil
}

// DeleteSimulatedState removes an effect and reports whether there was one.
func (s *Store) DeleteSimulatedState(ctx context.Context, tenant, kind, key string) (bool, error) {
	res, err := s.exec(ctx, `DELETE FROM response_simulated_state WHERE tenant = ? AND kind = ? AND target_key = ?`, tenant, kind, key)
	ok, err := affectedOne(res, err)
	if err != nil {
		return false, fmt.Errorf("delete simulated %s %s: %w", kind, key, err)
	}
	return ok, nil
}

// SimulatedStates returns tenant's simulated effects by kind and target.
func (s *Store) SimulatedStates(ctx context.Context, tenant string) ([]SimulatedState, error) {
	rows, err := s.query(ctx, `SELECT tenant, kind, target_key, action_id, detail, updated_at FROM response_simulated_state
		WHERE tenant = ? ORDER BY kind, target_key`, tenant)
	if err != nil {
		return nil, fmt.Errorf("list simulated state: %w", err)
	}
	defer rows.Close()
	var out []SimulatedState
	for rows.Next() {
		var st SimulatedState
		if err := rows.Scan(&st.Tenant, &st.Kind, &st.TargetKey, &st.ActionID, &st.Detail, timeDest(&st.UpdatedAt)); err != nil {
			return nil, fmt.Errorf("list simulated state: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}
