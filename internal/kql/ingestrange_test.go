package kql_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
)

// TestIngestRange checks that an ingest range restricts every scan to the rows of the bus
// messages in (IngestAfter, IngestThrough]. The fixture stores t1's DeviceProcessEvents as
// message 1, t2's as 2 and t1's DeviceNetworkEvents as 3.
func TestIngestRange(t *testing.T) {
	reg := schema.NewRegistry()
	st := openFixture(t, reg)
	count := func(src string, opts kql.Options) string {
		t.Helper()
		opts.Tenant, opts.Now = "t1", goldenNow
		q, diags := kql.Compile(src, reg, opts)
		if q == nil {
			t.Fatalf("compile %s: %v", src, diags)
		}
		res, err := st.Query(context.Background(), q.SQL, 10)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(res.Rows)
	}
	proc, netw := count(`DeviceProcessEvents | count`, kql.Options{}), count(`DeviceNetworkEvents | count`, kql.Options{})
	const both = `union withsource=T DeviceProcessEvents, DeviceNetworkEvents | summarize n = count() by T | order by T asc`
	for _, c := range []struct {
		after, through uint64
		want           string
	}{
		{0, 0, fmt.Sprintf("[[DeviceNetworkEvents %s] [DeviceProcessEvents %s]]", trim(netw), trim(proc))},
		{0, 1, fmt.Sprintf("[[DeviceProcessEvents %s]]", trim(proc))},
		{1, 3, fmt.Sprintf("[[DeviceNetworkEvents %s]]", trim(netw))},
		{3, 5, "[]"},
	} {
		if got := count(both, kql.Options{IngestAfter: c.after, IngestThrough: c.through}); got != c.want {
			t.Errorf("ingest range (%d, %d]: %s, want %s", c.after, c.through, got, c.want)
		}
	}
}

// trim turns "[[5]]" into "5".
func trim(rows string) string { return rows[2 : len(rows)-2] }
