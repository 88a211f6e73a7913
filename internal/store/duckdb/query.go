package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/store"
)

// Query runs one read-only statement. DuckDB's own parser decides: the text must hold exactly one
// statement, a SELECT; it then runs in a transaction that is always rolled back.
func (s *Store) Query(ctx context.Context, q string, maxRows int) (*store.Result, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := checkReadOnly(ctx, conn, q); err != nil {
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, queryError(err)
	}
	defer rows.Close()
	return readResult(rows, maxRows)
}

func checkReadOnly(ctx context.Context, conn *sql.Conn, q string) error {
	// Preparing text of several statements runs all but the last, so the statements are counted
	// first, without running anything: json_serialize_sql parses SELECTs only.
	var js string
	if err := conn.QueryRowContext(ctx, `SELECT json_serialize_sql(?::VARCHAR)::VARCHAR`, q).Scan(&js); err != nil {
		return err
	}
	var parsed struct {
		Error        bool              `json:"error"`
		ErrorType    string            `json:"error_type"`
		ErrorMessage string            `json:"error_message"`
		Statements   []json.RawMessage `json:"statements"`
	}
	if err := json.Unmarshal([]byte(js), &parsed); err != nil {
		return fmt.Errorf("check statement: %w", err)
	}
	switch {
	case parsed.Error && parsed.ErrorType == "parser":
		return &store.QueryError{Msg: "Parser Error: " + parsed.ErrorMessage}
	case parsed.Error:
		return store.ErrNotReadOnly
	case len(parsed.Statements) != 1:
		return &store.QueryError{Msg: fmt.Sprintf("want one statement, got %d", len(parsed.Statements))}
	}
	return conn.Raw(func(dc any) error {
		prep, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return errors.New("duckdb connection cannot prepare")
		}
		st, err := prep.PrepareContext(ctx, q)
		if err != nil {
			return queryError(err)
		}
		defer st.Close()
		ds, ok := st.(*duck.Stmt)
		if !ok {
			return errors.New("unexpected statement type")
		}
		typ, err := ds.StatementType()
		if err != nil {
			return err
		}
		if typ != duck.STATEMENT_TYPE_SELECT {
			return store.ErrNotReadOnly
		}
		return nil
	})
}

func queryError(err error) error {
	var de *duck.Error
	if errors.As(err, &de) {
		return &store.QueryError{Msg: de.Error()}
	}
	return err
}

func readResult(rows *sql.Rows, maxRows int) (*store.Result, error) {
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	res := &store.Result{Columns: make([]store.Column, len(cts)), Rows: [][]any{}}
	for i, ct := range cts {
		res.Columns[i] = store.Column{Name: ct.Name(), Type: kustoType(ct.DatabaseTypeName())}
	}
	for rows.Next() {
		if len(res.Rows) >= maxRows {
			res.Truncated = true
			break
		}
		vals := make([]any, len(cts))
		ptrs := make([]any, len(cts))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read row: %w", err)
		}
		for i := range vals {
			vals[i] = resultValue(vals[i])
		}
		res.Rows = append(res.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError(err)
	}
	return res, nil
}
