package meta

import (
	"context"
	"reflect"
	"testing"
	"time"
)

func TestTenants(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		seeded, err := s.Tenants(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(seeded) != 1 || seeded[0].ID != DefaultTenantID || seeded[0].Name != "Default" ||
			time.Since(seeded[0].CreatedAt) > time.Minute || seeded[0].CreatedAt.Location() != time.UTC {
			t.Fatalf("seeded tenants = %+v, want the default tenant created just now", seeded)
		}
		def := seeded[0]
		start := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		s.now = ticker(start, time.Second)

		// Each step runs against the state the previous steps left.
		steps := []struct {
			name, id, tenantName string
			wantErr              string
			want                 []Tenant
		}{
			{name: "create", id: "contoso", tenantName: "Contoso",
				want: []Tenant{{"contoso", "Contoso", start}, def}},
			{name: "again is a no-op", id: "contoso", tenantName: "Contoso",
				want: []Tenant{{"contoso", "Contoso", start}, def}},
			{name: "existing keeps its name", id: "contoso", tenantName: "Contoso Ltd",
				want: []Tenant{{"contoso", "Contoso", start}, def}},
			{name: "default exists", id: DefaultTenantID, tenantName: "Other",
				want: []Tenant{{"contoso", "Contoso", start}, def}},
			{name: "sorted by id", id: "acme", tenantName: "Acme",
				want: []Tenant{{"acme", "Acme", start.Add(4 * time.Second)}, {"contoso", "Contoso", start}, def}},
			{name: "empty id", id: "", tenantName: "x", wantErr: "ensure tenant: id is empty",
				want: []Tenant{{"acme", "Acme", start.Add(4 * time.Second)}, {"contoso", "Contoso", start}, def}},
		}
		for _, st := range steps {
			err := s.EnsureTenant(ctx, st.id, st.tenantName)
			if (err == nil) != (st.wantErr == "") || (err != nil && err.Error() != st.wantErr) {
				t.Fatalf("%s: EnsureTenant error = %v, want %q", st.name, err, st.wantErr)
			}
			got, err := s.Tenants(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, st.want) {
				t.Errorf("%s: Tenants = %+v, want %+v", st.name, got, st.want)
			}
		}
	})
}
