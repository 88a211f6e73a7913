package watchlist

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

// MaxItems bounds the items of one CSV upload.
const MaxItems = 100000

// ParseCSV reads a watchlist CSV: a header row naming the columns, then one item per row
// with as many fields. A column's type is types[name] when given, else inferred from its
// values (InferType). Errors name the line (and column) at fault.
func ParseCSV(data []byte, types map[string]string) ([]meta.WatchlistColumn, []meta.WatchlistItem, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.ReuseRecord = false
	head, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("the CSV is empty: it needs a header row naming the columns")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("CSV header: %w", err)
	}
	cols := make([]meta.WatchlistColumn, len(head))
	for i, h := range head {
		cols[i].Name = strings.TrimSpace(h)
	}
	for name := range types {
		if !hasColumn(cols, name) {
			return nil, nil, fmt.Errorf("a type is given for column %q, which the CSV header lacks", name)
		}
	}
	var items []meta.WatchlistItem
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("CSV: %w", err)
		}
		if len(items) == MaxItems {
			line, _ := r.FieldPos(0)
			return nil, nil, fmt.Errorf("CSV line %d: a watchlist upload holds at most %d items", line, MaxItems)
		}
		vals := make(map[string]string, len(rec))
		for i, v := range rec {
			vals[cols[i].Name] = v
		}
		items = append(items, meta.WatchlistItem{Values: vals})
	}
	for i := range cols {
		if t, ok := types[cols[i].Name]; ok {
			cols[i].Type = t
			continue
		}
		vals := make([]string, len(items))
		for j, it := range items {
			vals[j] = it.Values[cols[i].Name]
		}
		cols[i].Type = InferType(vals)
	}
	return cols, items, nil
}

func hasColumn(cols []meta.WatchlistColumn, name string) bool {
	for _, c := range cols {
		if c.Name == name {
			return true
		}
	}
	return false
}

// datetimeLayouts are the time formats InferType takes as datetime; each is one that KQL's
// todatetime() reads back.
var datetimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

// InferType is the Kusto type of a column with values vals, ignoring empty ones: long when
// all are integers, real when all are numbers, datetime when all are ISO 8601 times, bool
// when all are true or false, and string otherwise (and for a column of no values).
func InferType(vals []string) string {
	kinds := map[string]bool{"long": true, "real": true, "datetime": true, "bool": true}
	seen := false
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		seen = true
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			kinds["long"] = false
		}
		if f, err := strconv.ParseFloat(v, 64); err != nil || math.IsInf(f, 0) || math.IsNaN(f) || strings.ContainsAny(v, "xXpP_") {
			kinds["real"] = false
		}
		if !isDatetime(v) {
			kinds["datetime"] = false
		}
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			kinds["bool"] = false
		}
	}
	if !seen {
		return "string"
	}
	for _, k := range []string{"long", "real", "datetime", "bool"} {
		if kinds[k] {
			return k
		}
	}
	return "string"
}

func isDatetime(v string) bool {
	for _, l := range datetimeLayouts {
		if _, err := time.Parse(l, v); err == nil {
			return true
		}
	}
	return false
}
