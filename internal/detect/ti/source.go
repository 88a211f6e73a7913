package ti

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// Source gives the indicators stored before the matcher started.
type Source interface {
	// Load returns the observables of the indicators stored at or after since (all when since
	// is zero), oldest first, so that later versions of an indicator replace earlier ones.
	Load(ctx context.Context, since time.Time) ([]Indicator, error)
}

// StoreSource reads the indicator tables of the event store with SQL in DuckDB's dialect.
type StoreSource struct {
	Store store.Store
	// PageRows is how many rows one query reads (default 50,000).
	PageRows int
	// Tables are the tables read, in order (default ThreatIntelligenceIndicator, then
	// ThreatIntelIndicators).
	Tables []string
}

var _ Source = (*StoreSource)(nil)

// Load implements Source, paging through each table in ingest order.
func (s *StoreSource) Load(ctx context.Context, since time.Time) ([]Indicator, error) {
	tables := s.Tables
	if tables == nil {
		tables = []string{TableLegacy, TableSTIX}
	}
	page := s.PageRows
	if page <= 0 {
		page = 50_000
	}
	var out []Indicator
	for _, t := range tables {
		ins, err := s.loadTable(ctx, t, since, page)
		if err != nil {
			return nil, err
		}
		out = append(out, ins...)
	}
	return out, nil
}

func (s *StoreSource) loadTable(ctx context.Context, table string, since time.Time, page int) ([]Indicator, error) {
	var out []Indicator
	after := int64(-1)
	for {
		res, err := s.Store.Query(ctx, pageSQL(table, since, after, page), page)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		ins, last, ok := readResult(table, res)
		if !ok {
			return nil, fmt.Errorf("read %s: result lacks %s or %s", table, schema.ColTenantID, schema.ColIngestID)
		}
		out = append(out, ins...)
		if len(res.Rows) < page {
			return out, nil
		}
		after = last
	}
}

// pageSQL selects up to page rows of table after ingest id after, stored at or after since.
func pageSQL(table string, since time.Time, after int64, page int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT * FROM %s WHERE %s > %d", quoteIdent(table), quoteIdent(schema.ColIngestID), after)
	if !since.IsZero() {
		fmt.Fprintf(&b, " AND %s >= TIMESTAMP '%s'", quoteIdent(schema.ColTimeGenerated), since.UTC().Format("2006-01-02 15:04:05.999999"))
	}
	fmt.Fprintf(&b, " ORDER BY %s LIMIT %d", quoteIdent(schema.ColIngestID), page)
	return b.String()
}

// quoteIdent quotes an identifier as DuckDB (and the SQL standard) does.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// readResult turns result rows into indicators and returns the last row's ingest id.
func readResult(table string, res *store.Result) ([]Indicator, int64, bool) {
	idx := make(map[string]int, len(res.Columns))
	for i, c := range res.Columns {
		idx[strings.ToLower(c.Name)] = i
	}
	ti, okT := idx[strings.ToLower(schema.ColTenantID)]
	ii, okI := idx[strings.ToLower(schema.ColIngestID)]
	if !okT || !okI {
		return nil, 0, false
	}
	var out []Indicator
	var last int64
	for _, row := range res.Rows {
		get := func(col string) any {
			if i, ok := idx[strings.ToLower(col)]; ok {
				return row[i]
			}
			return nil
		}
		out = append(out, ReadRow(table, asString(row[ti]), get)...)
		last = int64(asInt(row[ii], 0))
	}
	return out, last, true
}
