package simulate

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/normalize"
	"github.com/vigilsec/vigil/internal/schema"
)

// normalizers are the real ones the server runs.
type normalizers struct {
	reg *schema.Registry
	win *normalize.WinMapper
	js  *normalize.Normalizer
	sl  *normalize.Parser
}

func newNormalizers(t testing.TB) *normalizers {
	t.Helper()
	reg := schema.NewRegistry()
	win, err := normalize.NewWinMapper(reg)
	if err != nil {
		t.Fatal(err)
	}
	js, err := normalize.NewNormalizer(reg)
	if err != nil {
		t.Fatal(err)
	}
	sl, err := normalize.NewParser(reg)
	if err != nil {
		t.Fatal(err)
	}
	return &normalizers{reg: reg, win: win, js: js, sl: sl}
}

// row is one normalized row: its table and its cells by column.
type row struct {
	table string
	cells map[string]any
}

// normalize runs one record through its normalizer; every row must map without error.
func (n *normalizers) normalize(rec Record) ([]row, error) {
	var recs []normalize.Record
	switch rec.Format {
	case FormatWinEventXML:
		ev, err := normalize.ParseWinEventXML(rec.Payload)
		if err != nil {
			return nil, fmt.Errorf("parse: %w", err)
		}
		recs = n.win.Map(&ev)
	case FormatCEF, FormatSyslog:
		recs = []normalize.Record{n.sl.Parse(rec.Payload, "10.20.0.1", time.Now())}
	case FormatIdentityInfo:
		t, _ := n.reg.Table("IdentityInfo")
		d, err := ingest.Decode(t, rec.Payload)
		if err != nil {
			return nil, err
		}
		if len(d.Errors) > 0 {
			return nil, fmt.Errorf("IdentityInfo: %v", d.Errors[0])
		}
		return rowsOf(t, d.Rows), nil
	default:
		items, err := n.js.Normalize(rec.Format, rec.Payload)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			recs = append(recs, it.Records...)
		}
	}
	var out []row
	for _, r := range recs {
		if r.Err != nil {
			return nil, fmt.Errorf("%s: %w", r.Table.Name, r.Err)
		}
		out = append(out, rowsOf(r.Table, [][]schema.Value{r.Row})...)
	}
	return out, nil
}

func rowsOf(t *schema.Table, rows [][]schema.Value) []row {
	out := make([]row, 0, len(rows))
	for _, r := range rows {
		cells := map[string]any{}
		for i, c := range t.Columns {
			if i < len(r) && r[i] != nil {
				cells[c.Name] = r[i]
			}
		}
		out = append(out, row{table: t.Name, cells: cells})
	}
	return out
}

// normalizeAll normalizes every record, failing on the first error, and counts rows per table.
func (n *normalizers) normalizeAll(t testing.TB, recs []Record) ([]row, map[string]int) {
	t.Helper()
	var all []row
	counts := map[string]int{}
	for i, r := range recs {
		rows, err := n.normalize(r)
		if err != nil {
			t.Fatalf("record %d (%s): %v\n%s", i, r.Format, err, clipBytes(r.Payload))
		}
		for _, x := range rows {
			counts[x.table]++
		}
		all = append(all, rows...)
	}
	return all, counts
}

func clipBytes(b []byte) []byte {
	if len(b) > 600 {
		return append(bytes.Clone(b[:600]), "..."...)
	}
	return b
}
