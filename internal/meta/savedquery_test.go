package meta

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestSavedQueries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		mine, err := s.CreateSavedQuery(ctx, SavedQuery{Tenant: "t1", Name: "Logons", Query: "SigninLogs | take 5", Folder: "b", Owner: "ann"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(mine.ID, "hq-") || mine.CreatedAt.IsZero() {
			t.Fatalf("created %+v", mine)
		}
		shared, err := s.CreateSavedQuery(ctx, SavedQuery{Tenant: "t1", Name: "Procs 'quoted' ?", Description: "d", Query: "DeviceProcessEvents", Folder: "a", Shared: true, Owner: "bob"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateSavedQuery(ctx, SavedQuery{Tenant: "t1", Name: "Bob's own", Query: "print 1", Owner: "bob"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateSavedQuery(ctx, SavedQuery{Tenant: "t2", Name: "Other tenant", Query: "print 1", Shared: true, Owner: "ann"}); err != nil {
			t.Fatal(err)
		}
		names := func(owner string) string {
			qs, err := s.SavedQueries(ctx, "t1", owner)
			if err != nil {
				t.Fatal(err)
			}
			var n []string
			for _, q := range qs {
				n = append(n, q.Name)
			}
			return strings.Join(n, ",")
		}
		for _, tc := range []struct{ owner, want string }{
			{"ann", "Procs 'quoted' ?,Logons"},
			{"bob", "Bob's own,Procs 'quoted' ?"},
			{"carol", "Procs 'quoted' ?"},
		} {
			if got := names(tc.owner); got != tc.want {
				t.Errorf("queries %s sees = %q, want %q", tc.owner, got, tc.want)
			}
		}
		mine.Query, mine.Shared, mine.Owner = "SigninLogs | take 10", true, "ignored"
		up, err := s.UpdateSavedQuery(ctx, mine)
		if err != nil || up.Query != "SigninLogs | take 10" || !up.Shared || up.Owner != "ann" || !up.CreatedAt.Equal(mine.CreatedAt) {
			t.Fatalf("update = %+v, %v", up, err)
		}
		if got := names("carol"); got != "Procs 'quoted' ?,Logons" {
			t.Errorf("after sharing, carol sees %q", got)
		}
		got, err := s.SavedQuery(ctx, "t1", shared.ID)
		if err != nil || got.Description != "d" || got.Folder != "a" || !got.Shared {
			t.Errorf("get = %+v, %v", got, err)
		}
		if _, err := s.SavedQuery(ctx, "t2", shared.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("get across tenants: %v, want not found", err)
		}
		if err := s.DeleteSavedQuery(ctx, "t1", shared.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSavedQuery(ctx, "t1", shared.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("delete twice: %v, want not found", err)
		}
		if _, err := s.UpdateSavedQuery(ctx, SavedQuery{Tenant: "t1", ID: "hq-nope", Name: "x", Query: "y", Owner: "ann"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("update missing: %v, want not found", err)
		}
	})
}

func TestSavedQueryValidate(t *testing.T) {
	for _, tc := range []struct {
		q    SavedQuery
		want string
	}{
		{SavedQuery{Query: "x", Owner: "a"}, "name is empty"},
		{SavedQuery{Name: " ", Query: "x", Owner: "a"}, "name is empty"},
		{SavedQuery{Name: "n", Query: "\n", Owner: "a"}, "query is empty"},
		{SavedQuery{Name: strings.Repeat("n", 201), Query: "x", Owner: "a"}, "name is 201 bytes long; at most 200"},
		{SavedQuery{Name: "n", Query: "x"}, "owner is empty"},
		{SavedQuery{Name: "n", Query: "x", Owner: "a", Folder: strings.Repeat("f", 201)}, "folder is 201 bytes long; at most 200"},
		{SavedQuery{Name: "n", Query: "x", Owner: "a"}, ""},
	} {
		err := tc.q.Validate()
		if (err == nil) != (tc.want == "") || err != nil && err.Error() != tc.want {
			t.Errorf("Validate(%+v) = %v, want %q", tc.q, err, tc.want)
		}
	}
}
