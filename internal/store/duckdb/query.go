package duckdb

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/store"
)

// Query runs one read-only statement. DuckDB's own parser and binder decide: the text must hold
// exactly one statement, a SELECT; it then runs in a transaction that is always rolled back.
//
// The statement is prepared once, checked on its prepared form and executed as prepared: the
// SQL the KQL compiler writes is several kilobytes, and each parse and plan of it costs
// milliseconds, as much as executing a small query (BENCHMARKS.md).
func (s *Store) Query(ctx context.Context, q string, maxRows int) (*store.Result, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var res *store.Result
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*duck.Conn)
		if !ok {
			return fmt.Errorf("unexpected duckdb connection type %T", dc)
		}
		res, err = queryConn(ctx, c, q, maxRows)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// queryConn runs q on c inside a transaction that it rolls back.
func queryConn(ctx context.Context, c *duck.Conn, q string, maxRows int) (*store.Result, error) {
	tx, err := c.BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	st, err := prepareReadOnly(ctx, c, q)
	if err != nil {
		return nil, err
	}
	defer func() { _ = st.Close() }()
	rows, err := st.QueryContext(ctx, nil)
	if err != nil {
		return nil, queryError(err)
	}
	defer func() { _ = rows.Close() }()
	return readResult(rows, maxRows)
}

// prepareReadOnly prepares q, which must be one SELECT statement, without running anything.
// The driver's Prepare (unlike PrepareContext, which runs all statements but the last of a
// multi-statement text) refuses a text of several statements before preparing any of them;
// the statement type of the one it prepares is then DuckDB's own classification. Only a
// refused text costs a second look (classifyStatements), to say why.
func prepareReadOnly(ctx context.Context, c *duck.Conn, q string) (*duck.Stmt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ps, err := c.Prepare(q)
	if err != nil {
		if isMultiStatement(err) {
			return nil, classifyStatements(ctx, c, q)
		}
		return nil, prepareError(err)
	}
	st, ok := ps.(*duck.Stmt)
	if !ok {
		_ = ps.Close()
		return nil, fmt.Errorf("unexpected duckdb statement type %T", ps)
	}
	typ, err := st.StatementType()
	if err == nil && typ != duck.STATEMENT_TYPE_SELECT {
		err = store.ErrNotReadOnly
	}
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	return st, nil
}

// prepareError maps an error of the driver's Prepare: DuckDB's own errors (parser, catalog,
// binder) are the user's to fix.
func prepareError(err error) error {
	var de *duck.Error
	switch {
	case errors.As(err, &de):
		return &store.QueryError{Msg: de.Error()}
	case strings.Contains(err.Error(), "empty query"):
		return &store.QueryError{Msg: "empty query: want one SELECT statement"}
	}
	return err
}

// isMultiStatement is the driver's refusal to Prepare a text of several statements, an
// unexported error recognised by its text (TestQueryOnlyOneSelect fails if a driver upgrade
// changes it).
func isMultiStatement(err error) bool {
	var de *duck.Error
	return !errors.As(err, &de) && strings.Contains(err.Error(), "multi-statement")
}

// classifyStatements explains why the text q of several statements is refused: a statement
// that is not a SELECT makes it not read-only, several SELECTs are a mistake to fix.
// json_serialize_sql parses without running anything and serializes SELECTs only.
func classifyStatements(ctx context.Context, c *duck.Conn, q string) error {
	rows, err := c.QueryContext(ctx, `SELECT json_serialize_sql(?::VARCHAR)::VARCHAR`, []driver.NamedValue{{Ordinal: 1, Value: q}})
	if err != nil {
		return queryError(err)
	}
	defer func() { _ = rows.Close() }()
	v := make([]driver.Value, 1)
	if err := rows.Next(v); err != nil {
		return queryError(err)
	}
	js, _ := v[0].(string)
	var parsed struct {
		Error        bool              `json:"error"`
		ErrorType    string            `json:"error_type"`
		ErrorMessage string            `json:"error_message"`
		Statements   []json.RawMessage `json:"statements"`
	}
	if err := json.Unmarshal([]byte(js), &parsed); err != nil {
		return fmt.Errorf("check statements: %w", err)
	}
	switch {
	case parsed.Error && parsed.ErrorType == "parser":
		return &store.QueryError{Msg: "Parser Error: " + parsed.ErrorMessage}
	case parsed.Error:
		return store.ErrNotReadOnly
	}
	return &store.QueryError{Msg: fmt.Sprintf("want one statement, got %d", len(parsed.Statements))}
}

func queryError(err error) error {
	var de *duck.Error
	if errors.As(err, &de) {
		return &store.QueryError{Msg: de.Error()}
	}
	return err
}

// readResult reads at most maxRows rows of rows into Go values, marking the result truncated
// when more remain.
func readResult(rows driver.Rows, maxRows int) (*store.Result, error) {
	names := rows.Columns()
	typed, _ := rows.(driver.RowsColumnTypeDatabaseTypeName)
	res := &store.Result{Columns: make([]store.Column, len(names)), Rows: [][]any{}}
	for i, name := range names {
		dbType := ""
		if typed != nil {
			dbType = typed.ColumnTypeDatabaseTypeName(i)
		}
		res.Columns[i] = store.Column{Name: name, Type: kustoType(dbType)}
	}
	for {
		vals := make([]driver.Value, len(names))
		err := rows.Next(vals)
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return nil, queryError(err)
		}
		if len(res.Rows) >= maxRows {
			res.Truncated = true
			return res, nil
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			row[i] = resultValue(v)
		}
		res.Rows = append(res.Rows, row)
	}
}
