package auth

import (
	"slices"

	"github.com/vigilsec/vigil/internal/meta"
)

// AllTenants is the tenant of a grant that applies in every tenant.
const AllTenants = "*"

// Access is what a principal may do, per tenant.
type Access struct {
	perTenant map[string]PermSet // AllTenants holds what applies everywhere
	// devices[tenant][p] lists the device groups p is restricted to in
	// tenant, when every grant giving p there is restricted to device
	// groups; absent, p reaches every device.
	devices map[string]map[Permission][]string
}

// NewAccess resolves grants against roles (built-in and custom, by id);
// grants of unknown roles give nothing. A permission given by a grant
// restricted to device groups reaches only those groups' devices, unless
// another grant gives it in the tenant without restriction.
func NewAccess(grants []meta.Grant, roles map[string]Role) Access {
	a := Access{perTenant: map[string]PermSet{}}
	open := map[string]PermSet{} // permissions some unrestricted grant gives, per tenant
	scoped := map[string]map[Permission][]string{}
	for _, g := range grants {
		r, ok := roles[g.Role]
		if !ok {
			continue
		}
		s := a.perTenant[g.Tenant]
		if s == nil {
			s = PermSet{}
			a.perTenant[g.Tenant] = s
		}
		s.Add(NewPermSet(r.Permissions...))
		if len(g.DeviceGroups) == 0 || g.Tenant == AllTenants {
			if open[g.Tenant] == nil {
				open[g.Tenant] = PermSet{}
			}
			open[g.Tenant].Add(NewPermSet(r.Permissions...))
			continue
		}
		if scoped[g.Tenant] == nil {
			scoped[g.Tenant] = map[Permission][]string{}
		}
		for _, p := range r.Permissions {
			for _, dg := range g.DeviceGroups {
				if !slices.Contains(scoped[g.Tenant][p], dg) {
					scoped[g.Tenant][p] = append(scoped[g.Tenant][p], dg)
				}
			}
		}
	}
	for t, perms := range scoped {
		for p, groups := range perms {
			if open[t].Has(p) || open[AllTenants].Has(p) {
				continue
			}
			if a.devices == nil {
				a.devices = map[string]map[Permission][]string{}
			}
			if a.devices[t] == nil {
				a.devices[t] = map[Permission][]string{}
			}
			slices.Sort(groups)
			a.devices[t][p] = groups
		}
	}
	return a
}

// DeviceGroups returns the device groups of tenant that p is restricted to;
// all is true when p reaches every device there (or is not held at all, which
// the permission check refuses first).
func (a Access) DeviceGroups(p Permission, tenant string) (groups []string, all bool) {
	g, ok := a.devices[tenant][p]
	if !ok {
		return nil, true
	}
	return slices.Clone(g), false
}

// DeviceScoped reports whether any permission of tenant is restricted to
// device groups.
func (a Access) DeviceScoped(tenant string) bool { return len(a.devices[tenant]) > 0 }

// FullAccess is every permission in every tenant (the admin key).
func FullAccess() Access {
	return Access{perTenant: map[string]PermSet{AllTenants: NewPermSet(Permissions()...)}}
}

// In returns the permissions in tenant.
func (a Access) In(tenant string) PermSet {
	s := PermSet{}
	s.Add(a.perTenant[AllTenants])
	if tenant != AllTenants {
		s.Add(a.perTenant[tenant])
	}
	return s
}

// Can reports whether p is allowed in tenant.
func (a Access) Can(p Permission, tenant string) bool {
	return a.perTenant[AllTenants].Has(p) || a.perTenant[tenant].Has(p)
}

// Tenants returns the tenants with any grant, sorted; AllTenants among them
// means every tenant.
func (a Access) Tenants() []string {
	out := make([]string, 0, len(a.perTenant))
	for t, s := range a.perTenant {
		if len(s) > 0 {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// Global reports whether the principal holds grants in every tenant.
func (a Access) Global() bool { return len(a.perTenant[AllTenants]) > 0 }

// TenantAccess is every permission in one tenant.
func TenantAccess(tenant string) Access {
	return Access{perTenant: map[string]PermSet{tenant: NewPermSet(Permissions()...)}}
}

// GlobalAdmin reports whether the principal holds every permission in every
// tenant.
func (a Access) GlobalAdmin() bool {
	return len(a.perTenant[AllTenants]) == len(Permissions())
}
