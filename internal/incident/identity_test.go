package incident_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

func TestIdentityInfoExpand(t *testing.T) {
	ctx := context.Background()
	st, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "ev.duckdb"), duckdb.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reg := schema.NewRegistry()
	tab, _ := reg.Table("IdentityInfo")
	if err := st.EnsureTables(ctx, []*schema.Table{tab}); err != nil {
		t.Fatal(err)
	}
	names := []string{"Timestamp", "TimeGenerated", "AccountUpn", "AccountName", "OnPremSid", "AccountObjectId", "AccountDomain"}
	cols := make([]int, len(names))
	for i, n := range names {
		cols[i], _ = tab.Column(n)
	}
	now := time.Now().UTC()
	row := func(upn, sam, sid, oid string) []schema.Value {
		return []schema.Value{now, now, upn, sam, sid, oid, "CONTOSO"}
	}
	write := func(seq uint64, tenant string, rows ...[]schema.Value) {
		if err := st.Write(ctx, "t", seq, []store.Batch{{Seq: seq, Tenant: tenant, Table: tab, IngestTime: now, Columns: cols, Rows: rows}}); err != nil {
			t.Fatal(err)
		}
	}
	write(1, "contoso", row("carlos.brooks@contoso.com", "cbrooks", "S-1-5-21-1-2-3-1107", "1b2c"), row("ann.lee@contoso.com", "alee", "S-1-5-21-1-2-3-1108", "9f8e"))
	write(2, "fabrikam", row("mallory@fabrikam.com", "cbrooks", "S-1-5-21-9-9-9-1000", "7777"))
	ii := &incident.IdentityInfo{Registry: reg, Store: st}
	for _, c := range []struct {
		name, tenant string
		keys, want   []string
	}{
		{"sam name to every name", "contoso", []string{"account:cbrooks", "host:ws1"},
			[]string{"account:1b2c", "account:carlos.brooks@contoso.com", "account:cbrooks", "account:s-1-5-21-1-2-3-1107", "host:ws1", "mailbox:carlos.brooks@contoso.com"}},
		{"mailbox to the account", "contoso", []string{"mailbox:ann.lee@contoso.com"},
			[]string{"account:9f8e", "account:alee", "account:ann.lee@contoso.com", "account:s-1-5-21-1-2-3-1108", "mailbox:ann.lee@contoso.com"}},
		{"other tenant's directory", "fabrikam", []string{"account:cbrooks"},
			[]string{"account:7777", "account:cbrooks", "account:mallory@fabrikam.com", "account:s-1-5-21-9-9-9-1000", "mailbox:mallory@fabrikam.com"}},
		{"unknown stays as is", "contoso", []string{"account:nobody", `account:o"brien\x`}, []string{"account:nobody", `account:o"brien\x`}},
	} {
		for range 2 { // the second time from the cache
			got, err := ii.Expand(ctx, c.tenant, c.keys)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	}
}
