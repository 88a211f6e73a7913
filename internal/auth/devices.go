package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// EventQuerier runs SQL on the event store (store.Store).
type EventQuerier interface {
	Query(ctx context.Context, sql string, maxRows int) (*store.Result, error)
}

// maxDevices bounds the devices read from DeviceInfo per tenant.
const maxDevices = 200000

// devicesTTL is how long a tenant's device list is reused.
const devicesTTL = 15 * time.Second

// devicesQuery reads the latest DeviceInfo row of each device (by DeviceId,
// or by name when the id is empty).
const devicesQuery = `DeviceInfo
| extend Key_ = iff(isnotempty(DeviceId), DeviceId, tolower(DeviceName))
| where isnotempty(Key_)
| summarize arg_max(TimeGenerated, DeviceId, DeviceName, OSPlatform, DeviceManualTags, DeviceDynamicTags, RegistryDeviceTag, MachineGroup) by Key_
| project DeviceId, DeviceName, OSPlatform, DeviceManualTags, DeviceDynamicTags, RegistryDeviceTag, MachineGroup`

// Devices resolves a tenant's devices (from DeviceInfo in the event store)
// into its device groups (from the state store). It is safe for concurrent
// use; device lists are cached for a few seconds.
type Devices struct {
	meta     *meta.Store
	events   EventQuerier
	registry *schema.Registry

	mu    sync.Mutex
	cache map[string]deviceList
	now   func() time.Time
}

type deviceList struct {
	at      time.Time
	devices []meta.Device
}

// NewDevices returns the device directory over the state store st and the
// event store events.
func NewDevices(st *meta.Store, events EventQuerier, reg *schema.Registry) *Devices {
	return &Devices{meta: st, events: events, registry: reg, cache: map[string]deviceList{}, now: time.Now}
}

// List returns tenant's devices, each from its latest DeviceInfo row, sorted
// by name.
func (d *Devices) List(ctx context.Context, tenant string) ([]meta.Device, error) {
	d.mu.Lock()
	c, ok := d.cache[tenant]
	d.mu.Unlock()
	if ok && d.now().Sub(c.at) < devicesTTL {
		return c.devices, nil
	}
	q, diags := kql.Compile(devicesQuery, d.registry, kql.Options{Tenant: tenant})
	if q == nil {
		return nil, fmt.Errorf("device list query: %v", diags)
	}
	res, err := d.events.Query(ctx, q.SQL, maxDevices)
	if err != nil {
		return nil, fmt.Errorf("device list: %w", err)
	}
	out := make([]meta.Device, 0, len(res.Rows))
	for _, r := range res.Rows {
		s := func(i int) string { v, _ := r[i].(string); return v }
		dev := meta.Device{ID: s(0), Name: s(1), OSPlatform: s(2)}
		for _, i := range []int{3, 4} {
			dev.Tags = append(dev.Tags, tagList(s(i))...)
		}
		for _, i := range []int{5, 6} {
			if t := s(i); t != "" {
				dev.Tags = append(dev.Tags, t)
			}
		}
		out = append(out, dev)
	}
	slices.SortFunc(out, func(a, b meta.Device) int { return strings.Compare(a.Name+"\x00"+a.ID, b.Name+"\x00"+b.ID) })
	d.mu.Lock()
	d.cache[tenant] = deviceList{at: d.now(), devices: out}
	d.mu.Unlock()
	return out, nil
}

// tagList reads a tags column: a JSON array of strings, or one tag.
func tagList(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	var tags []string
	if strings.HasPrefix(s, "[") && json.Unmarshal([]byte(s), &tags) == nil {
		return tags
	}
	return []string{s}
}

// Grouping returns tenant's device groups ready to assign devices.
func (d *Devices) Grouping(ctx context.Context, tenant string) (*meta.DeviceGrouping, error) {
	gs, err := d.meta.DeviceGroups(ctx, tenant)
	if err != nil {
		return nil, err
	}
	return meta.NewDeviceGrouping(gs), nil
}

// Members returns the devices of tenant's group id.
func (d *Devices) Members(ctx context.Context, tenant, id string) ([]meta.Device, error) {
	if _, err := d.meta.DeviceGroup(ctx, tenant, id); err != nil {
		return nil, err
	}
	g, err := d.Grouping(ctx, tenant)
	if err != nil {
		return nil, err
	}
	devs, err := d.List(ctx, tenant)
	if err != nil {
		return nil, err
	}
	out := []meta.Device{}
	for _, dev := range devs {
		if g.Of(dev).ID == id {
			out = append(out, dev)
		}
	}
	return out, nil
}

// GroupOf returns the group of tenant's device named (or with id) device: the
// group its latest DeviceInfo row places it in. A device DeviceInfo has never
// reported is tested by its name alone.
func (d *Devices) GroupOf(ctx context.Context, tenant, device string) (meta.DeviceGroup, error) {
	g, err := d.Grouping(ctx, tenant)
	if err != nil {
		return meta.DeviceGroup{}, err
	}
	devs, err := d.List(ctx, tenant)
	if err != nil {
		return meta.DeviceGroup{}, err
	}
	for _, dev := range devs {
		if dev.ID == device || strings.EqualFold(dev.Name, device) {
			return g.Of(dev), nil
		}
	}
	return g.Of(meta.Device{Name: device}), nil
}

// Scope returns the devices of tenant in groups, for the compiler's device
// filter.
func (d *Devices) Scope(ctx context.Context, tenant string, groups []string) (kql.DeviceSet, error) {
	g, err := d.Grouping(ctx, tenant)
	if err != nil {
		return kql.DeviceSet{}, err
	}
	devs, err := d.List(ctx, tenant)
	if err != nil {
		return kql.DeviceSet{}, err
	}
	set := kql.DeviceSet{Names: []string{}, IDs: []string{}}
	for _, dev := range devs {
		if !slices.Contains(groups, g.Of(dev).ID) {
			continue
		}
		if dev.Name != "" {
			set.Names = append(set.Names, dev.Name)
		}
		if dev.ID != "" {
			set.IDs = append(set.IDs, dev.ID)
		}
	}
	return set, nil
}

// Forget drops tenant's cached device list (after its groups change, the
// cache holds devices, not groups, so this is only needed for new devices).
func (d *Devices) Forget(tenant string) {
	d.mu.Lock()
	delete(d.cache, tenant)
	d.mu.Unlock()
}

// Locator returns a function giving the group of each of tenant's devices by
// name (full or first label, ignoring case) or id; a device DeviceInfo has
// not reported is placed by its name alone.
func (d *Devices) Locator(ctx context.Context, tenant string) (func(device string) string, error) {
	g, err := d.Grouping(ctx, tenant)
	if err != nil {
		return nil, err
	}
	devs, err := d.List(ctx, tenant)
	if err != nil {
		return nil, err
	}
	byKey := map[string]string{}
	for _, dev := range devs {
		id := g.Of(dev).ID
		for _, k := range []string{dev.ID, strings.ToLower(dev.Name)} {
			if k != "" {
				byKey[k] = id
			}
		}
		if short, _, ok := strings.Cut(strings.ToLower(dev.Name), "."); ok {
			if _, taken := byKey[short]; !taken {
				byKey[short] = id
			}
		}
	}
	return func(device string) string {
		if id, ok := byKey[device]; ok {
			return id
		}
		if id, ok := byKey[strings.ToLower(device)]; ok {
			return id
		}
		return g.Of(meta.Device{Name: device}).ID
	}, nil
}
