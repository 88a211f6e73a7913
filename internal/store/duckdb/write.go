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

// appendTable appends the batches of one table through one appender.
func (s *Store) appendTable(batches []*store.Batch) error {
	t := batches[0].Table
	s.mu.RLock()
	phys := s.layout[t.Name]
	s.mu.RUnlock()
	if len(phys) == 0 {
		return fmt.Errorf("table %s does not exist in the store", t.Name)
	}
	// pos[i] is the physical position of schema column i.
	pos := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		pos[i] = -1
		for j, p := range phys {
			if equalFold(p, c.Name) {
				pos[i] = j
			}
		}
		if pos[i] < 0 {
			return fmt.Errorf("table %s lacks column %s in the store", t.Name, c.Name)
		}
	}
	tenant, _ := t.Column(schema.ColTenantID)
	ingestID, _ := t.Column(schema.ColIngestID)
	ingestTime, _ := t.Column(schema.ColIngestTime)
	app, err := duck.NewAppenderFromConn(s.wconn, "", t.Name)
	if err != nil {
		return fmt.Errorf("appender for %s: %w", t.Name, err)
	}
	vals := make([]driver.Value, len(phys))
	for _, b := range batches {
		for r, row := range b.Rows {
			clear(vals)
			for k, ci := range b.Columns {
				if vals[pos[ci]], err = driverValue(row[k]); err != nil {
					_ = app.Close()
					return fmt.Errorf("table %s column %s: %w", t.Name, t.Columns[ci].Name, err)
				}
			}
			vals[pos[tenant]] = b.Tenant
			vals[pos[ingestID]] = int64(b.Seq<<schema.IngestIDRowBits | uint64(r))
			vals[pos[ingestTime]] = b.IngestTime
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
