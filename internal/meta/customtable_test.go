package meta

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCustomTables(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		start := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
		s.now = ticker(start, time.Second)
		ctx := context.Background()
		at := func(i int) time.Time { return start.Add(time.Duration(i) * time.Second) }
		cols := []Column{{Name: "TimeGenerated", Type: "datetime"}, {Name: "Message", Type: "string"}}

		// Each step runs against the state the previous steps left.
		steps := []struct {
			name        string
			put         *CustomTable
			wantCreated bool
			wantErr     error // from Put, or from Delete when del is set
			del         string
			want        []CustomTable // CustomTables after the step
		}{
			{
				name:        "create",
				put:         &CustomTable{Name: "Syslog2_CL", Description: "relay", Columns: cols},
				wantCreated: true,
				want:        []CustomTable{{Name: "Syslog2_CL", Description: "relay", Columns: cols, CreatedAt: at(0), UpdatedAt: at(0)}},
			},
			{
				name:        "create without columns",
				put:         &CustomTable{Name: "app_CL", CreatedAt: at(100)},
				wantCreated: true,
				want: []CustomTable{
					{Name: "app_CL", CreatedAt: at(1), UpdatedAt: at(1)},
					{Name: "Syslog2_CL", Description: "relay", Columns: cols, CreatedAt: at(0), UpdatedAt: at(0)},
				},
			},
			{
				name: "replace keeps CreatedAt",
				put:  &CustomTable{Name: "Syslog2_CL", Description: "relay v2", Columns: cols[:1]},
				want: []CustomTable{
					{Name: "app_CL", CreatedAt: at(1), UpdatedAt: at(1)},
					{Name: "Syslog2_CL", Description: "relay v2", Columns: cols[:1], CreatedAt: at(0), UpdatedAt: at(2)},
				},
			},
			{
				name:    "name differing in case conflicts",
				put:     &CustomTable{Name: "SYSLOG2_CL", Description: "clash"},
				wantErr: ErrConflict,
				want: []CustomTable{
					{Name: "app_CL", CreatedAt: at(1), UpdatedAt: at(1)},
					{Name: "Syslog2_CL", Description: "relay v2", Columns: cols[:1], CreatedAt: at(0), UpdatedAt: at(2)},
				},
			},
			{
				name: "delete is case-insensitive",
				del:  "SYSLOG2_cl",
				want: []CustomTable{{Name: "app_CL", CreatedAt: at(1), UpdatedAt: at(1)}},
			},
			{
				name:    "delete missing",
				del:     "Syslog2_CL",
				wantErr: ErrNotFound,
				want:    []CustomTable{{Name: "app_CL", CreatedAt: at(1), UpdatedAt: at(1)}},
			},
			{
				name:        "recreate after delete",
				put:         &CustomTable{Name: "SYSLOG2_CL", Columns: cols},
				wantCreated: true,
				want: []CustomTable{
					{Name: "app_CL", CreatedAt: at(1), UpdatedAt: at(1)},
					{Name: "SYSLOG2_CL", Columns: cols, CreatedAt: at(4), UpdatedAt: at(4)},
				},
			},
		}
		for _, st := range steps {
			var err error
			if st.put != nil {
				var created bool
				created, err = s.PutCustomTable(ctx, *st.put)
				if err == nil && created != st.wantCreated {
					t.Errorf("%s: created = %v, want %v", st.name, created, st.wantCreated)
				}
			} else {
				err = s.DeleteCustomTable(ctx, st.del)
			}
			if !errors.Is(err, st.wantErr) {
				t.Fatalf("%s: error = %v, want %v", st.name, err, st.wantErr)
			}
			got, err := s.CustomTables(ctx)
			if err != nil {
				t.Fatalf("%s: CustomTables: %v", st.name, err)
			}
			if !reflect.DeepEqual(got, st.want) {
				t.Fatalf("%s: CustomTables =\n%+v\nwant\n%+v", st.name, got, st.want)
			}
			for _, want := range st.want {
				for _, name := range []string{want.Name, strings.ToUpper(want.Name), strings.ToLower(want.Name)} {
					got, err := s.CustomTable(ctx, name)
					if err != nil || !reflect.DeepEqual(got, want) {
						t.Errorf("%s: CustomTable(%q) = %+v, %v; want %+v", st.name, name, got, err, want)
					}
				}
			}
		}
	})
}

func TestCustomTableErrors(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		if _, err := s.PutCustomTable(ctx, CustomTable{Name: "Taken_CL"}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name     string
			call     func() error
			wantIs   error
			wantText string
		}{
			{"get missing", func() error { _, err := s.CustomTable(ctx, "Nope_CL"); return err }, ErrNotFound, `custom table "Nope_CL": not found`},
			{"delete missing", func() error { return s.DeleteCustomTable(ctx, "Nope_CL") }, ErrNotFound, `custom table "Nope_CL": not found`},
			{"empty name", func() error { _, err := s.PutCustomTable(ctx, CustomTable{}); return err }, nil, "put custom table: name is empty"},
			{"case clash", func() error { _, err := s.PutCustomTable(ctx, CustomTable{Name: "TAKEN_CL"}); return err }, ErrConflict,
				`put custom table "TAKEN_CL": name differs only in case from existing table "Taken_CL": conflict`},
		}
		for _, tt := range tests {
			err := tt.call()
			if err == nil || err.Error() != tt.wantText || (tt.wantIs != nil && !errors.Is(err, tt.wantIs)) {
				t.Errorf("%s: error = %v, want %q wrapping %v", tt.name, err, tt.wantText, tt.wantIs)
			}
		}
	})
}

func TestTimeRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
	}{
		{"nanoseconds are truncated to microseconds", time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)},
		{"one microsecond", time.Date(2026, 1, 2, 3, 4, 5, 1000, time.UTC)},
		{"whole second", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"other zone", time.Date(2026, 7, 1, 23, 59, 59, 999999000, time.FixedZone("UTC-7", -7*3600))},
		{"before the epoch", time.Date(1901, 12, 13, 20, 45, 52, 654321000, time.UTC)},
		{"far future", time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)},
		{"with monotonic reading", time.Now()},
	}
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		for i, tt := range tests {
			s.now = func() time.Time { return tt.at }
			want := tt.at.Round(0).UTC().Truncate(time.Microsecond)
			name := "T" + string(rune('a'+i)) + "_CL"
			if _, err := s.PutCustomTable(ctx, CustomTable{Name: name}); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			got, err := s.CustomTable(ctx, name)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if got.CreatedAt != want || got.UpdatedAt != want {
				t.Errorf("%s: times = %v, %v; want %v exactly", tt.name, got.CreatedAt, got.UpdatedAt, want)
			}
		}
	})
}
