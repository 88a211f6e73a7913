//go:build chdb

package chdb

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Result is a query's columns (ClickHouse type names) and rows as JSON values: numbers as
// json.Number, strings as strings, nulls as nil.
type Result struct {
	Names []string
	Types []string
	Rows  [][]any
}

// Query runs a SELECT and decodes its JSONCompact output.
func (s *Session) Query(sql string) (*Result, error) {
	out, err := s.Exec(sql, "JSONCompact")
	if err != nil {
		return nil, err
	}
	var doc struct {
		Meta []struct{ Name, Type string } `json:"meta"`
		Data [][]any                       `json:"data"`
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("chdb: decode result: %w", err)
	}
	res := &Result{Rows: doc.Data}
	for _, m := range doc.Meta {
		res.Names = append(res.Names, m.Name)
		res.Types = append(res.Types, m.Type)
	}
	return res, nil
}
