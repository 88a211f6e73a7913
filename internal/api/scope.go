package api

import (
	"context"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/kql"
)

// deviceScope returns, for the compiler, the devices p may see with perm in
// each of tenants where perm is restricted to device groups; nil when it is
// restricted nowhere. Without a device directory a restricted tenant shows
// no device rows at all (fail closed).
func (s *Server) deviceScope(ctx context.Context, p Principal, perm auth.Permission, tenants []string) (map[string]kql.DeviceSet, error) {
	var out map[string]kql.DeviceSet
	for _, t := range tenants {
		groups, all := p.DeviceGroups(perm, t)
		if all {
			continue
		}
		if out == nil {
			out = map[string]kql.DeviceSet{}
		}
		if s.d.Devices == nil {
			out[t] = kql.DeviceSet{}
			continue
		}
		set, err := s.d.Devices.Scope(ctx, t, groups)
		if err != nil {
			return nil, err
		}
		out[t] = set
	}
	return out, nil
}

// tableAllowed returns the compiler's table check for a query of p over
// tenants: a table that needs a permission (auth.TablePermission) is readable
// only with that permission in every tenant the query reads.
func tableAllowed(p Principal, tenants []string) func(string) (bool, string) {
	return func(table string) (bool, string) {
		perm, ok := auth.TablePermission(table)
		if !ok {
			return true, ""
		}
		for _, t := range tenants {
			if !p.Can(perm, t) {
				return false, "needs the " + string(perm) + " permission"
			}
		}
		return true, ""
	}
}
