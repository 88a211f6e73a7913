package meta

import (
	"context"
	"fmt"
	"time"
)

// EntityHostBreadth returns, for each of keys seen since since, how many distinct hosts
// (entity keys "host:...") other than itself appear in the alerts that carry it: how widely
// an entity spreads across the fleet.
func (tx *IncidentTx) EntityHostBreadth(ctx context.Context, keys []string, since time.Time) (map[string]int, error) {
	out := map[string]int{}
	if len(keys) == 0 {
		return out, nil
	}
	args := []any{tx.tenant, tx.q.timeArg(since)}
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := tx.query(ctx, `SELECT e1.entity_key, COUNT(DISTINCT e2.entity_key) FROM incident_entities e1
		JOIN incident_entities e2 ON e2.tenant = e1.tenant AND e2.alert_id = e1.alert_id AND e2.entity_key <> e1.entity_key
		WHERE e1.tenant = ? AND e1.seen_at >= ? AND e1.entity_key IN (`+placeholders(len(keys))+`) AND e2.entity_key LIKE 'host:%'
		GROUP BY e1.entity_key`, args...)
	if err != nil {
		return nil, fmt.Errorf("count entity hosts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("count entity hosts: %w", err)
		}
		out[k] = n
	}
	return out, rows.Err()
}
