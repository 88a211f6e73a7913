package agent

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// checkRows decodes rows with the server's own ingest decoder, after stamping them as
// Telemetry.Add does, and fails on any row the server would put into IngestionErrors (a
// column the table does not have, a value of the wrong type).
func checkRows(t *testing.T, table string, rows []Row) {
	t.Helper()
	tbl, ok := schema.NewRegistry().Table(table)
	if !ok {
		t.Fatalf("no table %s", table)
	}
	tel := &Telemetry{Device: "test-host"}
	stamped := make([]Row, len(rows))
	for i, r := range rows {
		c := Row{}
		for k, v := range r {
			c[k] = v
		}
		tel.stamp(table, c, time.Now())
		stamped[i] = c
	}
	b, err := json.Marshal(stamped)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ingest.Decode(tbl, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range d.Errors {
		t.Errorf("%s row %d refused by the server: %s (%s)", table, e.Row, e.Reason, e.Raw)
	}
}

// rowsWhere returns the rows for which keep is true.
func rowsWhere(rows []Row, keep func(Row) bool) []Row {
	var out []Row
	for _, r := range rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// TestDeviceInfoRowFits: the heartbeat row decodes into DeviceInfo (a kernel release in the
// long OSBuild column once sent every heartbeat to IngestionErrors).
func TestDeviceInfoRowFits(t *testing.T) {
	r := DeviceInfoRow()
	checkRows(t, "DeviceInfo", []Row{r})
	if r["OSPlatform"] != "Linux" || r["OSBuild"] != nil {
		t.Errorf("DeviceInfo row %v", r)
	}
}
