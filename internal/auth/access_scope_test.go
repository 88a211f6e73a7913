package auth

import (
	"reflect"
	"testing"

	"github.com/vigilsec/vigil/internal/meta"
)

// TestAccessDeviceGroups checks how device-group scopes of grants combine
// per permission and tenant.
func TestAccessDeviceGroups(t *testing.T) {
	roles := map[string]Role{}
	for _, r := range BuiltinRoles() {
		roles[r.ID] = r
	}
	a := NewAccess([]meta.Grant{
		{Role: RoleResponder, Tenant: "acme", DeviceGroups: []string{"servers"}},
		{Role: RoleOperator, Tenant: "acme", DeviceGroups: []string{"laptops"}},
		{Role: RoleReader, Tenant: "beta", DeviceGroups: []string{"dc"}},
		{Role: RoleReader, Tenant: "beta"},
		{Role: RoleReader, Tenant: "*"},
		{Role: RoleResponder, Tenant: "gamma", DeviceGroups: []string{"x"}},
	}, roles)
	for _, c := range []struct {
		perm   Permission
		tenant string
		groups []string
		all    bool
	}{
		{ResponseRequest, "acme", []string{"servers"}, false},
		{IncidentsWrite, "acme", []string{"laptops", "servers"}, false},
		{HuntingRun, "acme", nil, true}, // the "*" reader grant is unrestricted
		{HuntingRun, "beta", nil, true}, // an unrestricted grant in the tenant wins
		{ResponseRequest, "beta", nil, true},
		{ResponseRequest, "gamma", []string{"x"}, false},
		{ResponseRequest, "other", nil, true}, // not held: the permission check refuses first
	} {
		groups, all := a.DeviceGroups(c.perm, c.tenant)
		if all != c.all || !reflect.DeepEqual(groups, c.groups) {
			t.Errorf("%s in %s: %v %v, want %v %v", c.perm, c.tenant, groups, all, c.groups, c.all)
		}
	}
	if !a.DeviceScoped("acme") || a.DeviceScoped("beta") {
		t.Error("DeviceScoped")
	}
}

func TestParseGrantAndMerge(t *testing.T) {
	g, err := ParseGrant("hunters@acme/servers,dc")
	if err != nil || !reflect.DeepEqual(g, meta.Grant{Role: "hunters", Tenant: "acme", DeviceGroups: []string{"servers", "dc"}}) {
		t.Fatalf("%+v %v", g, err)
	}
	for _, bad := range []string{"", "x", "@acme", "r@", "r@*/g", "r@acme/", "r@acme/a b", "r,x@acme"} {
		if _, err := ParseGrant(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	gs := mergeGrant(nil, meta.Grant{Role: "r", Tenant: "t", DeviceGroups: []string{"b"}})
	gs = mergeGrant(gs, meta.Grant{Role: "r", Tenant: "t", DeviceGroups: []string{"a"}})
	if !reflect.DeepEqual(gs, []meta.Grant{{Role: "r", Tenant: "t", DeviceGroups: []string{"a", "b"}}}) {
		t.Errorf("union: %+v", gs)
	}
	gs = mergeGrant(gs, meta.Grant{Role: "r", Tenant: "t"})
	if !reflect.DeepEqual(gs, []meta.Grant{{Role: "r", Tenant: "t"}}) {
		t.Errorf("unrestricted wins: %+v", gs)
	}
}
