package meta

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CustomTable is the definition of a custom log table (a Log Analytics-style
// table whose name ends in _CL) created through the API.
type CustomTable struct {
	// Name is unique among custom tables, compared case-insensitively.
	Name        string
	Description string
	// Columns are the table's columns in order; nil when it has none.
	Columns   []Column
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Column is a column of a custom table. Type is a Kusto type name such as
// "string" or "datetime"; the state store keeps it without checking it.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// customTableKey is the primary key of a custom table: its name in lower
// case, which makes names unique case-insensitively on both engines.
func customTableKey(name string) string { return strings.ToLower(name) }

// PutCustomTable creates the custom table t or replaces the definition of the
// one with the same name, keeping its creation time, and reports whether it
// created it. It stamps the times itself, ignoring t.CreatedAt and
// t.UpdatedAt. A table whose name differs from an existing one's only in case
// is an error wrapping ErrConflict.
func (s *Store) PutCustomTable(ctx context.Context, t CustomTable) (created bool, err error) {
	if t.Name == "" {
		return false, errors.New("put custom table: name is empty")
	}
	cols := t.Columns
	if cols == nil {
		cols = []Column{}
	}
	colsJSON, err := json.Marshal(cols)
	if err != nil {
		return false, fmt.Errorf("put custom table %q: %w", t.Name, err)
	}
	key, now := customTableKey(t.Name), s.timeArg(s.clock())
	err = s.inTx(ctx, func(q querier) error {
		res, err := q.exec(ctx, `INSERT INTO custom_tables (name_key, name, description, columns, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name_key) DO NOTHING`,
			key, t.Name, t.Description, string(colsJSON), now, now)
		if created, err = affectedOne(res, err); err != nil || created {
			return err
		}
		res, err = q.exec(ctx, `UPDATE custom_tables SET description = ?, columns = ?, updated_at = ?
			WHERE name_key = ? AND name = ?`,
			t.Description, string(colsJSON), now, key, t.Name)
		updated, err := affectedOne(res, err)
		if err != nil || updated {
			return err
		}
		return customTableConflict(ctx, q, t.Name)
	})
	if err != nil {
		return false, fmt.Errorf("put custom table %q: %w", t.Name, err)
	}
	return created, nil
}

// customTableConflict explains why a custom table named name could be
// neither inserted nor updated.
func customTableConflict(ctx context.Context, q querier, name string) error {
	var existing string
	err := q.queryRow(ctx, `SELECT name FROM custom_tables WHERE name_key = ?`, customTableKey(name)).Scan(&existing)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("deleted while being replaced: %w", ErrConflict)
	case err != nil:
		return err
	default:
		return fmt.Errorf("name differs only in case from existing table %q: %w", existing, ErrConflict)
	}
}

// affectedOne reports whether the statement that returned res changed a row.
func affectedOne(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

const selectCustomTable = `SELECT name, description, columns, created_at, updated_at FROM custom_tables`

// CustomTable returns the custom table named name, compared
// case-insensitively, or an error wrapping ErrNotFound.
func (s *Store) CustomTable(ctx context.Context, name string) (CustomTable, error) {
	t, err := scanCustomTable(s.queryRow(ctx, selectCustomTable+` WHERE name_key = ?`, customTableKey(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return CustomTable{}, fmt.Errorf("custom table %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return CustomTable{}, fmt.Errorf("get custom table %q: %w", name, err)
	}
	return t, nil
}

// CustomTables returns all custom tables sorted by name, case-insensitively.
func (s *Store) CustomTables(ctx context.Context) ([]CustomTable, error) {
	rows, err := s.query(ctx, selectCustomTable)
	if err != nil {
		return nil, fmt.Errorf("list custom tables: %w", err)
	}
	defer rows.Close()
	var ts []CustomTable
	for rows.Next() {
		t, err := scanCustomTable(rows)
		if err != nil {
			return nil, fmt.Errorf("list custom tables: %w", err)
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list custom tables: %w", err)
	}
	slices.SortFunc(ts, func(a, b CustomTable) int {
		return strings.Compare(customTableKey(a.Name), customTableKey(b.Name))
	})
	return ts, nil
}

// DeleteCustomTable deletes the custom table named name, compared
// case-insensitively, or returns an error wrapping ErrNotFound.
func (s *Store) DeleteCustomTable(ctx context.Context, name string) error {
	res, err := s.exec(ctx, `DELETE FROM custom_tables WHERE name_key = ?`, customTableKey(name))
	deleted, err := affectedOne(res, err)
	if err != nil {
		return fmt.Errorf("delete custom table %q: %w", name, err)
	}
	if !deleted {
		return fmt.Errorf("custom table %q: %w", name, ErrNotFound)
	}
	return nil
}

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanCustomTable(r rowScanner) (CustomTable, error) {
	var t CustomTable
	var cols string
	if err := r.Scan(&t.Name, &t.Description, &cols, timeDest(&t.CreatedAt), timeDest(&t.UpdatedAt)); err != nil {
		return CustomTable{}, err
	}
	if err := json.Unmarshal([]byte(cols), &t.Columns); err != nil {
		return CustomTable{}, fmt.Errorf("columns of %q: %w", t.Name, err)
	}
	if len(t.Columns) == 0 {
		t.Columns = nil
	}
	return t, nil
}
