package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// Offset returns the last bus sequence written for consumer.
func (s *Store) Offset(ctx context.Context, consumer string) (uint64, error) {
	var seq uint64
	err := s.db.QueryRowContext(ctx, `SELECT seq FROM `+offsetsTable+` WHERE consumer = ?`, consumer).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}

func (s *Store) exec(ctx context.Context, q string, args ...driver.NamedValue) error {
	_, err := s.wconn.(driver.ExecerContext).ExecContext(ctx, q, args)
	return err
}

// Write appends batches and records lastSeq for consumer in one transaction.
func (s *Store) Write(ctx context.Context, consumer string, lastSeq uint64, batches []store.Batch) (err error) {
	if s.wconn == nil {
		return ErrReadOnly
	}
	if err := s.exec(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = s.exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	byTable := map[string][]*store.Batch{}
	var order []string
	for i := range batches {
		b := &batches[i]
		if _, ok := byTable[b.Table.Name]; !ok {
			order = append(order, b.Table.Name)
		}
		byTable[b.Table.Name] = append(byTable[b.Table.Name], b)
	}
	for _, name := range order {
		if err := s.appendTable(byTable[name]); err != nil {
			return err
		}
	}
	err = s.exec(ctx, `INSERT OR REPLACE INTO `+offsetsTable+` VALUES (?, ?)`,
		driver.NamedValue{Ordinal: 1, Value: consumer}, driver.NamedValue{Ordinal: 2, Value: lastSeq})
	if err != nil {
		return fmt.Errorf("record offset: %w", err)
	}
	if err := s.exec(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// appendTable appends the batches of one table, through one appender per set of columns the
// batches carry: naming only those columns spares DuckDB a NULL per absent column per row.
func (s *Store) appendTable(batches []*store.Batch) error {
	t := batches[0].Table
	s.mu.RLock()
	phys := s.layout[t.Name]
	s.mu.RUnlock()
	if len(phys) == 0 {
		return fmt.Errorf("table %s does not exist in the store", t.Name)
	}
	groups := map[string][]*store.Batch{}
	var keys []string
	for _, b := range batches {
		k := fmt.Sprint(b.Columns)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], b)
	}
	for _, k := range keys {
		if err := s.appendGroup(t, phys, groups[k]); err != nil {
			return err
		}
	}
	return nil
}

// appendGroup appends batches that carry the same columns.
func (s *Store) appendGroup(t *schema.Table, phys []string, batches []*store.Batch) error {
	tenant, _ := t.Column(schema.ColTenantID)
	ingestID, _ := t.Column(schema.ColIngestID)
	ingestTime, _ := t.Column(schema.ColIngestTime)
	// The stamped columns come first; a batch's own TenantId is overridden.
	names := []string{physName(phys, t.Columns[tenant].Name), physName(phys, t.Columns[ingestID].Name), physName(phys, t.Columns[ingestTime].Name)}
	var carried []int // positions in the batch rows that are appended
	for k, ci := range batches[0].Columns {
		if ci == tenant || ci == ingestID || ci == ingestTime {
			continue
		}
		n := physName(phys, t.Columns[ci].Name)
		if n == "" {
			return fmt.Errorf("table %s lacks column %s in the store", t.Name, t.Columns[ci].Name)
		}
		names = append(names, n)
		carried = append(carried, k)
	}
	app, err := duck.NewAppenderWithColumns(s.wconn, "", "", t.Name, names)
	if err != nil {
		return fmt.Errorf("appender for %s: %w", t.Name, err)
	}
	vals := make([]driver.Value, len(names))
	for _, b := range batches {
		for r, row := range b.Rows {
			vals[0], vals[1], vals[2] = b.Tenant, int64(b.Seq<<schema.IngestIDRowBits|uint64(r)), b.IngestTime
			for j, k := range carried {
				if vals[3+j], err = driverValue(row[k]); err != nil {
					_ = app.Close()
					return fmt.Errorf("table %s column %s: %w", t.Name, names[3+j], err)
				}
			}
			if err := app.AppendRow(vals...); err != nil {
				_ = app.Close()
				return fmt.Errorf("append to %s: %w", t.Name, err)
			}
		}
	}
	if err := app.Close(); err != nil {
		return fmt.Errorf("flush %s: %w", t.Name, err)
	}
	return nil
}

// physName returns the stored spelling of column name, or "" if the table lacks it.
func physName(phys []string, name string) string {
	for _, p := range phys {
		if equalFold(p, name) {
			return p
		}
	}
	return ""
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
