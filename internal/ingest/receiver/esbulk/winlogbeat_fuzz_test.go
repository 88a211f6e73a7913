package esbulk

import (
	"errors"
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

// FuzzBulkWinlogbeat fuzzes _bulk bodies of Winlogbeat documents: decoding fails only with an
// ActionError, every item gets an outcome, and an item that is not rejected as an action gives
// rows or rejects (a Security event may give several rows, one per table).
func FuzzBulkWinlogbeat(f *testing.F) {
	for _, doc := range []string{wlbSysmon1, wlbLogon7, wlbNoTime, `{"winlog":{"channel":"c","event_id":"x"}}`, `{"winlog":{"provider_name":"p"},"event":{"code":1}}`} {
		f.Add([]byte(`{"create":{"_index":"winlogbeat-8.11.0"}}` + "\n" + doc + "\n"))
	}
	reg := schema.NewRegistry()
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := Decode(b, "winlogbeat-8.11.0")
		if err != nil {
			var aerr *ActionError
			if !errors.As(err, &aerr) {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		bs, outs, err := Route(reg, items)
		if err != nil || len(outs) != len(items) {
			t.Fatalf("%v, %d outcomes for %d items", err, len(outs), len(items))
		}
		for i, o := range outs {
			if o.Status != 201 && (o.Status != 400 || o.ErrReason == "") {
				t.Fatalf("item %d: %+v", i, o)
			}
		}
		for _, bt := range bs {
			for _, row := range bt.Rows {
				if len(row) != len(bt.Table.Columns) {
					t.Fatalf("%s row of %d values", bt.Table.Name, len(row))
				}
				for j, v := range row {
					if !schema.ValidateValue(bt.Table.Columns[j].Type, v) {
						t.Fatalf("%s.%s holds %T %v", bt.Table.Name, bt.Table.Columns[j].Name, v, v)
					}
				}
			}
		}
	})
}
