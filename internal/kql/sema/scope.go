package sema

import (
	"slices"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// DeviceSet is the devices a principal may see in one tenant, by name and
// by id (from DeviceInfo, resolved from its device groups at request time).
type DeviceSet struct {
	Names []string
	IDs   []string
}

// The columns that tie a row to a device.
const (
	colDeviceName = "DeviceName"
	colDeviceID   = "DeviceId"
)

// tableAllowed reports whether the caller may read table, and why not.
func (c *checker) tableAllowed(table string) (bool, string) {
	if c.opts.TableAllowed == nil {
		return true, ""
	}
	return c.opts.TableAllowed(table)
}

// deviceScope wraps a scan of a device table (one with a DeviceName or
// DeviceId column) in a filter keeping only the rows of devices in scope, for
// each tenant whose devices are restricted. The filter sits directly on the
// scan, below everything the query writes, as the tenant predicate does.
func (c *checker) deviceScope(tab *schema.Table, scan plan.Node) plan.Node {
	if len(c.opts.Devices) == 0 {
		return scan
	}
	_, hasName := tab.Column(colDeviceName)
	_, hasID := tab.Column(colDeviceID)
	if !hasName && !hasID {
		return scan
	}
	tenants := c.opts.Tenants
	if len(tenants) == 0 {
		tenants = []string{c.opts.Tenant}
	}
	var pred plan.Expr
	for _, t := range tenants {
		set, ok := c.opts.Devices[t]
		if !ok {
			continue
		}
		in := deviceIn(set, hasName, hasID)
		if len(tenants) > 1 {
			other := &plan.Call{Fn: "!=", Args: []plan.Expr{&plan.Col{Name: schema.ColTenantID, T: schema.TypeString}, &plan.Const{V: t, T: schema.TypeString}}, T: schema.TypeBool}
			in = or(other, in)
		}
		pred = and(pred, in)
	}
	if pred == nil {
		return scan
	}
	return &plan.Filter{In: scan, Pred: pred}
}

// deviceIn is DeviceName in~ (names) or DeviceId in (ids), over the columns
// the table has; false when the set is empty.
func deviceIn(set DeviceSet, hasName, hasID bool) plan.Expr {
	var out plan.Expr
	if hasName && len(set.Names) > 0 {
		out = or(out, inConsts("in~", colDeviceName, set.Names))
	}
	if hasID && len(set.IDs) > 0 {
		out = or(out, inConsts("in", colDeviceID, set.IDs))
	}
	if out == nil {
		return &plan.Const{V: false, T: schema.TypeBool}
	}
	return out
}

func inConsts(fn, col string, vals []string) plan.Expr {
	vals = slices.Compact(slices.Sorted(slices.Values(vals)))
	args := []plan.Expr{&plan.Col{Name: col, T: schema.TypeString}}
	for _, v := range vals {
		args = append(args, &plan.Const{V: v, T: schema.TypeString})
	}
	return &plan.Call{Fn: fn, Args: args, T: schema.TypeBool}
}

func or(a, b plan.Expr) plan.Expr {
	if a == nil {
		return b
	}
	return &plan.Call{Fn: "or", Args: []plan.Expr{a, b}, T: schema.TypeBool}
}

func and(a, b plan.Expr) plan.Expr {
	if a == nil {
		return b
	}
	return &plan.Call{Fn: "and", Args: []plan.Expr{a, b}, T: schema.TypeBool}
}
