package meta

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestSavedFilters(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		create := func(f SavedFilter) SavedFilter {
			t.Helper()
			got, err := s.CreateSavedFilter(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		mine := create(SavedFilter{Tenant: "t1", Name: "High, mine", Query: "severity=high&assignedTo=ann", Owner: "ann"})
		if !strings.HasPrefix(mine.ID, "sf-") || mine.CreatedAt.IsZero() || !mine.CreatedAt.Equal(mine.UpdatedAt) {
			t.Fatalf("created %+v", mine)
		}
		shared := create(SavedFilter{Tenant: "t1", Name: "active 'quoted' ?", Query: "status=active", Shared: true, Owner: "bob"})
		create(SavedFilter{Tenant: "t1", Name: "Bob's own", Query: "status=resolved", Owner: "bob"})
		create(SavedFilter{Tenant: "t2", Name: "Other tenant", Query: "status=active", Shared: true, Owner: "ann"})
		// Another owner may use a name ann has; ann may not, in any case.
		create(SavedFilter{Tenant: "t1", Name: "high, MINE", Query: "severity=high", Owner: "bob"})
		if _, err := s.CreateSavedFilter(ctx, SavedFilter{Tenant: "t1", Name: "HIGH, mine", Query: "a=b", Owner: "ann"}); !errors.Is(err, ErrConflict) ||
			!strings.Contains(err.Error(), `ann has a filter named "HIGH, mine" already`) {
			t.Errorf("same name, other case: %v, want a conflict naming it", err)
		}

		names := func(owner string) string {
			fs, err := s.SavedFilters(ctx, "t1", owner)
			if err != nil {
				t.Fatal(err)
			}
			var n []string
			for _, f := range fs {
				n = append(n, f.Name+"/"+f.Owner)
			}
			return strings.Join(n, ",")
		}
		for _, tc := range []struct{ owner, want string }{
			{"ann", "active 'quoted' ?/bob,High, mine/ann"},
			{"bob", "active 'quoted' ?/bob,Bob's own/bob,high, MINE/bob"},
			{"carol", "active 'quoted' ?/bob"},
		} {
			if got := names(tc.owner); got != tc.want {
				t.Errorf("filters %s sees = %q, want %q", tc.owner, got, tc.want)
			}
		}

		// Update: name, query and sharing change; owner and creation time stay.
		mine.Query, mine.Shared, mine.Owner = "severity=high", true, "ignored"
		up, err := s.UpdateSavedFilter(ctx, mine)
		if err != nil || up.Query != "severity=high" || !up.Shared || up.Owner != "ann" || !up.CreatedAt.Equal(mine.CreatedAt) {
			t.Fatalf("update = %+v, %v", up, err)
		}
		if got := names("carol"); got != "active 'quoted' ?/bob,High, mine/ann" {
			t.Errorf("after sharing, carol sees %q", got)
		}
		// Renaming to its own name in another case is fine; to another filter's name is not.
		up.Name = "HIGH, MINE"
		if got, err := s.UpdateSavedFilter(ctx, up); err != nil || got.Name != "HIGH, MINE" {
			t.Errorf("rename in another case = %+v, %v", got, err)
		}
		other := create(SavedFilter{Tenant: "t1", Name: "Second", Query: "status=active", Owner: "ann"})
		other.Name = "high, mine"
		if _, err := s.UpdateSavedFilter(ctx, other); !errors.Is(err, ErrConflict) {
			t.Errorf("rename onto another filter's name: %v, want conflict", err)
		}

		got, err := s.SavedFilter(ctx, "t1", shared.ID)
		if err != nil || got.Query != "status=active" || !got.Shared || got.Owner != "bob" {
			t.Errorf("get = %+v, %v", got, err)
		}
		if _, err := s.SavedFilter(ctx, "t2", shared.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("get across tenants: %v, want not found", err)
		}
		if _, err := s.UpdateSavedFilter(ctx, SavedFilter{Tenant: "t2", ID: shared.ID, Name: "x", Query: "a=b", Owner: "bob"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("update across tenants: %v, want not found", err)
		}
		if err := s.DeleteSavedFilter(ctx, "t1", shared.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSavedFilter(ctx, "t1", shared.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("delete twice: %v, want not found", err)
		}
	})
}

func TestSavedFilterValidate(t *testing.T) {
	ok := SavedFilter{Name: "n", Query: "status=active", Owner: "ann"}
	for _, tc := range []struct {
		change func(*SavedFilter)
		want   string
	}{
		{func(*SavedFilter) {}, ""},
		{func(f *SavedFilter) { f.Name = " " }, "name is empty"},
		{func(f *SavedFilter) { f.Name = strings.Repeat("n", 201) }, "name is 201 bytes long; at most 200"},
		{func(f *SavedFilter) { f.Query = "" }, "query is empty"},
		{func(f *SavedFilter) { f.Query = "a=" + strings.Repeat("b", 4095) }, "query is 4097 bytes long; at most 4096"},
		{func(f *SavedFilter) { f.Query = "status=%zz" }, `query "status=%zz" is not a URL query string: invalid URL escape "%zz"`},
		{func(f *SavedFilter) { f.Owner = "" }, "owner is empty"},
	} {
		f := ok
		tc.change(&f)
		got := ""
		if err := f.Validate(); err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("Validate(name %d bytes, query %d bytes, owner %q) = %q, want %q", len(f.Name), len(f.Query), f.Owner, got, tc.want)
		}
	}
}
