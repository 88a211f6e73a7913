package ingest

import (
	"time"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/schema"
)

// DeadLetterTable is the table rejected rows go to, with the reason and the raw payload.
const DeadLetterTable = "IngestionErrors"

func deadLetterRow(dl *schema.Table, table, source string, now time.Time, e RowError, maxRaw int) []schema.Value {
	row := make([]schema.Value, len(dl.Columns))
	set := func(col string, v schema.Value) {
		if i, ok := dl.Column(col); ok {
			row[i] = v
		}
	}
	raw, truncated := e.Raw, false
	if len(raw) > maxRaw {
		raw, truncated = raw[:maxRaw], true
	}
	set(schema.ColTimeGenerated, now)
	set("Table", table)
	set("Source", source)
	set("Reason", e.Reason)
	set("RowIndex", int64(e.Row))
	set("Line", int64(e.Line))
	set("ByteOffset", int64(e.Offset))
	if e.Column != "" {
		set("Column", e.Column)
	}
	set("RawData", validUTF8(raw))
	set("RawDataTruncated", truncated)
	set(schema.ColType, DeadLetterTable)
	return row
}

// validUTF8 returns b as a string, replacing invalid UTF-8 so that the store accepts it.
func validUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string([]rune(string(b)))
}
