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
}

// NewAccess resolves grants against roles (built-in and custom, by id);
// grants of unknown roles give nothing.
func NewAccess(grants []meta.Grant, roles map[string]Role) Access {
	a := Access{perTenant: map[string]PermSet{}}
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
	}
	return a
}

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
