//go:build chdb

package chdb

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// CreateTables creates the tables (if missing).
func (s *Session) CreateTables(tables []*schema.Table) error {
	for _, t := range tables {
		if _, err := s.Exec(CreateTableSQL(t), "TabSeparated"); err != nil {
			return fmt.Errorf("create table %s: %w", t.Name, err)
		}
	}
	return nil
}

// Write inserts batches as the event store does: TenantId from the batch, the ingest id
// Seq<<IngestIDRowBits|row and the ingest time stamped on every row.
func (s *Session) Write(batches []store.Batch) error {
	for _, bt := range batches {
		var body strings.Builder
		for r, row := range bt.Rows {
			obj := map[string]any{
				schema.ColTenantID:   bt.Tenant,
				schema.ColIngestID:   int64(bt.Seq<<schema.IngestIDRowBits | uint64(r)),
				schema.ColIngestTime: jsonValue(bt.IngestTime),
			}
			for i, ci := range bt.Columns {
				c := bt.Table.Columns[ci]
				if c.Name == schema.ColTenantID {
					continue
				}
				obj[c.Name] = jsonValue(row[i])
			}
			line, err := json.Marshal(obj)
			if err != nil {
				return fmt.Errorf("encode row %d of %s: %w", r, bt.Table.Name, err)
			}
			body.Write(line)
			body.WriteByte('\n')
		}
		q := "INSERT INTO " + quote(bt.Table.Name) + " SETTINGS input_format_skip_unknown_fields = 0 FORMAT JSONEachRow\n" + body.String()
		if _, err := s.Exec(q, "TabSeparated"); err != nil {
			return fmt.Errorf("insert into %s: %w", bt.Table.Name, err)
		}
	}
	return nil
}

// jsonValue encodes a schema value for JSONEachRow input.
func jsonValue(v schema.Value) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.000000")
	case time.Duration:
		return x.Microseconds()
	case schema.Dynamic:
		return string(x)
	case schema.GUID:
		return x.String()
	case schema.Decimal:
		return string(x)
	}
	return v
}
