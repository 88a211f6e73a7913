package meta

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestDeviceGroups(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		creates := []struct {
			g       DeviceGroup
			wantErr error
			text    string
		}{
			{g: DeviceGroup{Tenant: "t1", ID: "servers", Name: "Servers", AutomationLevel: "full",
				Rules: []DeviceRule{{Field: DeviceFieldName, Op: DeviceOpStartsWith, Value: "srv"}}}},
			{g: DeviceGroup{Tenant: "t1", ID: "win", Name: "Windows", Rules: []DeviceRule{{Field: DeviceFieldOSPlatform, Op: DeviceOpEquals, Value: "Windows11"}}}},
			{g: DeviceGroup{Tenant: "t2", ID: "servers", Name: "Servers", Rules: []DeviceRule{{Field: DeviceFieldTag, Op: DeviceOpContains, Value: "prod"}}}},
			{g: DeviceGroup{Tenant: "t1", ID: "servers2", Name: "SERVERS", Rules: []DeviceRule{{Field: DeviceFieldName, Op: DeviceOpEquals, Value: "x"}}},
				wantErr: ErrConflict, text: "exists"},
			{g: DeviceGroup{Tenant: "t1", ID: "bad", Name: "Bad", Rules: []DeviceRule{{Field: "owner", Op: DeviceOpEquals, Value: "x"}}},
				wantErr: ErrInvalidDeviceGroup, text: `rule 1: field "owner" is not one of deviceName, domain, osPlatform, tag`},
			{g: DeviceGroup{Tenant: "t1", ID: "bad", Name: "Bad", Rules: []DeviceRule{{Field: DeviceFieldName, Op: DeviceOpRegex, Value: "("}}},
				wantErr: ErrInvalidDeviceGroup, text: "rule 1: error parsing regexp"},
			{g: DeviceGroup{Tenant: "t1", ID: "bad", Name: "Bad"}, wantErr: ErrInvalidDeviceGroup, text: "want 1 to 32 membership rules, got 0"},
			{g: DeviceGroup{Tenant: "t1", ID: UngroupedID, Name: "U", Rules: []DeviceRule{{Field: DeviceFieldName, Op: DeviceOpEquals, Value: "x"}}},
				wantErr: ErrInvalidDeviceGroup, text: "is the id of the ungrouped devices"},
			{g: DeviceGroup{Tenant: "t1", ID: "lvl", Name: "L", AutomationLevel: "max", Rules: []DeviceRule{{Field: DeviceFieldName, Op: DeviceOpEquals, Value: "x"}}},
				wantErr: ErrInvalidDeviceGroup, text: `automation level "max"`},
		}
		for _, c := range creates {
			_, err := s.CreateDeviceGroup(ctx, c.g)
			if c.wantErr == nil && err != nil || c.wantErr != nil && (!errors.Is(err, c.wantErr) || !strings.Contains(err.Error(), c.text)) {
				t.Errorf("create %s/%s: err = %v, want %v containing %q", c.g.Tenant, c.g.ID, err, c.wantErr, c.text)
			}
		}
		gs, err := s.DeviceGroups(ctx, "t1")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, g := range gs {
			ids = append(ids, g.ID)
		}
		if want := []string{"servers", "win", UngroupedID}; !reflect.DeepEqual(ids, want) || gs[1].Rank != 2 || gs[2].Rank != 3 {
			t.Fatalf("groups %v (%+v), want %v ranked 1, 2, 3", ids, gs, want)
		}
		// Windows first: a Windows server now falls into win.
		w := gs[1]
		w.Rank = 0
		if _, err := s.UpdateDeviceGroup(ctx, w); !errors.Is(err, ErrInvalidDeviceGroup) {
			t.Errorf("rank 0: %v", err)
		}
		w.Rank, w.Description = 1, "Windows 11 devices"
		if _, err := s.UpdateDeviceGroup(ctx, w); err != nil {
			t.Fatal(err)
		}
		srv := gs[0]
		srv.Rank = 3
		if _, err := s.UpdateDeviceGroup(ctx, srv); err != nil {
			t.Fatal(err)
		}
		w.Name = "Servers"
		if _, err := s.UpdateDeviceGroup(ctx, w); !errors.Is(err, ErrConflict) {
			t.Errorf("rename onto a taken name: %v", err)
		}
		gs, _ = s.DeviceGroups(ctx, "t1")
		grouping := NewDeviceGrouping(gs)
		for _, c := range []struct {
			d    Device
			want string
		}{
			{Device{Name: "srv1.contoso.com", OSPlatform: "Windows11"}, "win"},
			{Device{Name: "SRV2", OSPlatform: "Linux"}, "servers"},
			{Device{Name: "ws1", OSPlatform: "macOS"}, UngroupedID},
		} {
			if got := grouping.Of(c.d); got.ID != c.want {
				t.Errorf("%+v in %s, want %s", c.d, got.ID, c.want)
			}
		}
		if err := s.DeleteDeviceGroup(ctx, "t1", "win"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteDeviceGroup(ctx, "t1", "win"); !errors.Is(err, ErrNotFound) {
			t.Errorf("delete twice: %v", err)
		}
		if g, err := s.DeviceGroup(ctx, "t2", "servers"); err != nil || g.Rules[0].Value != "prod" {
			t.Errorf("t2 group: %+v %v", g, err)
		}
		if g, err := s.DeviceGroup(ctx, "t1", UngroupedID); err != nil || g.Rank != 4 {
			t.Errorf("ungrouped: %+v %v", g, err)
		}
		// Grants restricted to device groups round-trip; a scope in every tenant is refused.
		gr := []Grant{{Role: "reader", Tenant: "t1", DeviceGroups: []string{"servers", "win"}}, {Role: "triage", Tenant: "t2"}}
		if err := s.SetGrants(ctx, "u1", gr); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Grants(ctx, "u1"); !reflect.DeepEqual(got, gr) {
			t.Errorf("grants %+v, want %+v", got, gr)
		}
		if err := s.SetGrants(ctx, "u2", []Grant{{Role: "reader", Tenant: "*", DeviceGroups: []string{"servers"}}}); !errors.Is(err, ErrInvalidDeviceGroup) {
			t.Errorf("scoped grant in every tenant: %v", err)
		}
		if err := s.SetGrants(ctx, "u2", []Grant{{Role: "reader", Tenant: "t1", DeviceGroups: []string{"a,b"}}}); !errors.Is(err, ErrInvalidDeviceGroup) {
			t.Errorf("bad group id: %v", err)
		}
	})
}
