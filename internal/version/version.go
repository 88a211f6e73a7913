// Package version tells which Vigil build this is.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is set at build time with -ldflags "-X github.com/vigilsec/vigil/internal/version.Version=v1.2.3".
var Version = "dev"

// String describes the build: version, VCS revision, Go version and platform.
func String() string {
	rev, dirty := "unknown", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
				if len(rev) > 12 {
					rev = rev[:12]
				}
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
	}
	return fmt.Sprintf("vigil %s (%s%s) %s %s/%s", Version, rev, dirty, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
