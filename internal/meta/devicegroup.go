package meta

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// UngroupedID is the id of the device group of devices no rule matches
// ("Ungrouped devices"). It always exists, is not stored, and ranks last.
const UngroupedID = "ungrouped"

// ErrInvalidDeviceGroup is a device group that does not validate.
var ErrInvalidDeviceGroup = errors.New("invalid device group")

// The device attributes a membership rule may test.
const (
	DeviceFieldName       = "deviceName" // DeviceInfo.DeviceName
	DeviceFieldDomain     = "domain"     // what follows the first dot of a fully qualified DeviceName
	DeviceFieldOSPlatform = "osPlatform" // DeviceInfo.OSPlatform
	DeviceFieldTag        = "tag"        // any of DeviceManualTags, DeviceDynamicTags, RegistryDeviceTag
)

// The comparisons of a membership rule; all but regex ignore letter case.
const (
	DeviceOpEquals     = "equals"
	DeviceOpStartsWith = "startsWith"
	DeviceOpEndsWith   = "endsWith"
	DeviceOpContains   = "contains"
	DeviceOpRegex      = "regex" // RE2, anchored by the pattern only
)

var (
	deviceFields = []string{DeviceFieldName, DeviceFieldDomain, DeviceFieldOSPlatform, DeviceFieldTag}
	deviceOps    = []string{DeviceOpEquals, DeviceOpStartsWith, DeviceOpEndsWith, DeviceOpContains, DeviceOpRegex}
)

// DeviceRule is one condition of a device group's membership: Field Op Value.
type DeviceRule struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Value string `json:"value"`
}

// DeviceGroup is a named set of a tenant's devices, defined by membership
// rules that must all hold (as Defender's device groups). Groups are tried in
// order of Rank (lowest first, then id): a device belongs to the first group
// whose rules match, else to the ungrouped devices.
type DeviceGroup struct {
	Tenant      string
	ID          string
	Name        string
	Description string
	Rank        int
	// AutomationLevel is full, semi or none for the group's devices; empty
	// falls back to the tenant's level.
	AutomationLevel string
	Rules           []DeviceRule
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Ungrouped returns tenant's group of devices no rule matches, ranked after
// the n stored groups.
func Ungrouped(tenant string, n int) DeviceGroup {
	return DeviceGroup{Tenant: tenant, ID: UngroupedID, Name: "Ungrouped devices", Rank: n + 1,
		Description: "Devices no device group's rules match"}
}

// Device is what membership rules test, from a device's latest DeviceInfo row.
type Device struct {
	ID         string   `json:"deviceId"`
	Name       string   `json:"deviceName"`
	OSPlatform string   `json:"osPlatform"`
	Tags       []string `json:"tags,omitempty"`
}

// Domain returns what follows the first dot of the device's name, lower case.
func (d Device) Domain() string {
	_, dom, _ := strings.Cut(d.Name, ".")
	return strings.ToLower(dom)
}

// maxDeviceRules bounds the rules of a group, and maxDeviceRuleValue the
// length of a rule's value.
const (
	maxDeviceRules     = 32
	maxDeviceRuleValue = 256
)

// validateDeviceGroup checks g's id, name, level and rules; the error names
// the rule at fault and wraps ErrInvalidDeviceGroup.
func validateDeviceGroup(g DeviceGroup) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("device group %q: %s: %w", g.ID, fmt.Sprintf(format, args...), ErrInvalidDeviceGroup)
	}
	switch {
	case !DeviceGroupIDValid(g.ID):
		return bad("id must be 1 to 64 letters, digits, '-', '_' or '.'")
	case g.ID == UngroupedID:
		return bad("%q is the id of the ungrouped devices", UngroupedID)
	case strings.TrimSpace(g.Name) == "" || len(g.Name) > 128:
		return bad("name must be 1 to 128 characters")
	case g.Tenant == "":
		return bad("tenant is empty")
	case g.Rank < 1:
		return bad("rank must be 1 or more, not %d", g.Rank)
	case !slices.Contains([]string{"", "full", "semi", "none"}, g.AutomationLevel):
		return bad("automation level %q is not full, semi or none", g.AutomationLevel)
	case len(g.Rules) == 0 || len(g.Rules) > maxDeviceRules:
		return bad("want 1 to %d membership rules, got %d", maxDeviceRules, len(g.Rules))
	}
	for i, r := range g.Rules {
		switch {
		case !slices.Contains(deviceFields, r.Field):
			return bad("rule %d: field %q is not one of %s", i+1, r.Field, strings.Join(deviceFields, ", "))
		case !slices.Contains(deviceOps, r.Op):
			return bad("rule %d: op %q is not one of %s", i+1, r.Op, strings.Join(deviceOps, ", "))
		case r.Value == "" || len(r.Value) > maxDeviceRuleValue:
			return bad("rule %d: value must be 1 to %d bytes", i+1, maxDeviceRuleValue)
		}
		if r.Op == DeviceOpRegex {
			if _, err := regexp.Compile(r.Value); err != nil {
				return bad("rule %d: %v", i+1, err)
			}
		}
	}
	return nil
}

// DeviceGroupIDValid reports whether id is a well-formed device group id.
func DeviceGroupIDValid(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '_' && r != '.' {
			return false
		}
	}
	return true
}

// DeviceGrouping assigns devices to a tenant's device groups.
type DeviceGrouping struct {
	groups []DeviceGroup // by rank, then id; the ungrouped devices last
	res    map[string]*regexp.Regexp
}

// NewDeviceGrouping returns the grouping of groups, as DeviceGroups returns
// them (the ungrouped devices last).
func NewDeviceGrouping(groups []DeviceGroup) *DeviceGrouping {
	g := &DeviceGrouping{groups: groups, res: map[string]*regexp.Regexp{}}
	for _, dg := range groups {
		for _, r := range dg.Rules {
			if r.Op == DeviceOpRegex {
				if re, err := regexp.Compile(r.Value); err == nil {
					g.res[r.Value] = re
				}
			}
		}
	}
	return g
}

// Groups returns the groups, the ungrouped devices last.
func (g *DeviceGrouping) Groups() []DeviceGroup { return g.groups }

// Of returns the group of d: the first whose rules all match, else the
// ungrouped devices.
func (g *DeviceGrouping) Of(d Device) DeviceGroup {
	for _, dg := range g.groups {
		if dg.ID != UngroupedID && len(dg.Rules) > 0 && g.matches(dg, d) {
			return dg
		}
	}
	for _, dg := range g.groups {
		if dg.ID == UngroupedID {
			return dg
		}
	}
	return Ungrouped("", len(g.groups))
}

func (g *DeviceGrouping) matches(dg DeviceGroup, d Device) bool {
	for _, r := range dg.Rules {
		var vals []string
		switch r.Field {
		case DeviceFieldName:
			vals = []string{d.Name}
		case DeviceFieldDomain:
			vals = []string{d.Domain()}
		case DeviceFieldOSPlatform:
			vals = []string{d.OSPlatform}
		case DeviceFieldTag:
			vals = d.Tags
		}
		if !slices.ContainsFunc(vals, func(v string) bool { return g.test(r, v) }) {
			return false
		}
	}
	return true
}

func (g *DeviceGrouping) test(r DeviceRule, v string) bool {
	if r.Op == DeviceOpRegex {
		re := g.res[r.Value]
		return re != nil && re.MatchString(v)
	}
	v, want := strings.ToLower(v), strings.ToLower(r.Value)
	switch r.Op {
	case DeviceOpEquals:
		return v == want
	case DeviceOpStartsWith:
		return strings.HasPrefix(v, want)
	case DeviceOpEndsWith:
		return strings.HasSuffix(v, want)
	case DeviceOpContains:
		return strings.Contains(v, want)
	}
	return false
}
