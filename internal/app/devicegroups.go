package app

import "github.com/vigilsec/vigil/internal/auth"

// devices returns the device directory: devices from DeviceInfo in the event
// store, placed in the device groups of the state store.
func (a *App) devices() *auth.Devices { return auth.NewDevices(a.meta, a.store, a.reg) }
