package agent

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Defaults of the software inventory.
const (
	DefaultDpkgStatus = "/var/lib/dpkg/status"
	// DefaultInventoryInterval is how often the whole inventory is sent even when nothing
	// changed, so that the server's latest snapshot is never older than a day.
	DefaultInventoryInterval = 24 * time.Hour
	// inventoryCheck is how often the package database is looked at for changes.
	inventoryCheck = time.Minute
)

// Package is one installed software package.
type Package struct {
	Name, Version, Vendor string
}

// ParseDpkgStatus returns the installed packages of a dpkg status file (stanzas of
// "Field: value" lines separated by blank lines; continuation lines start with a space).
// Packages that are not "install ok installed" (removed with their configuration left,
// half-installed) are left out.
func ParseDpkgStatus(r io.Reader) ([]Package, error) {
	var out []Package
	var name, version, status, maintainer string
	end := func() {
		if name != "" && status == "install ok installed" {
			out = append(out, Package{Name: name, Version: version, Vendor: vendorOf(maintainer)})
		}
		name, version, status, maintainer = "", "", "", ""
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			end()
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // a continuation of a multi-line field (Description, Conffiles)
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("dpkg status line %d: %q is neither \"Field: value\" nor a continuation", n, line)
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Package":
			name = v
		case "Version":
			version = v
		case "Status":
			status = v
		case "Maintainer":
			maintainer = v
		}
	}
	end()
	return out, sc.Err()
}

// vendorOf makes a vendor name of a package's maintainer, best effort: the organization of
// the e-mail domain ("Debian dpkg maintainers <debian-dpkg@lists.debian.org>" is debian,
// "Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>" ubuntu), else the name.
func vendorOf(maintainer string) string {
	if i, j := strings.LastIndexByte(maintainer, '@'), strings.LastIndexByte(maintainer, '>'); i >= 0 && j > i {
		labels := strings.Split(strings.ToLower(maintainer[i+1:j]), ".")
		if len(labels) >= 2 {
			return labels[len(labels)-2]
		}
	}
	name, _, _ := strings.Cut(maintainer, "<")
	return strings.ToLower(strings.TrimSpace(name))
}

// rpmPackages lists the packages of the rpm database with the rpm command; ok is false when
// there is no rpm on the PATH.
func rpmPackages(ctx context.Context) (pkgs []Package, ok bool, err error) {
	path, err := exec.LookPath("rpm")
	if err != nil {
		return nil, false, nil
	}
	const format = `%{NAME}\t%{VERSION}-%{RELEASE}\t%{VENDOR}\n`
	out, err := exec.CommandContext(ctx, path, "-qa", "--qf", format).Output() //nolint:gosec // rpm found on the PATH, fixed arguments
	if err != nil {
		return nil, true, fmt.Errorf("rpm -qa: %w", err)
	}
	for line := range bytes.Lines(out) {
		f := strings.Split(strings.TrimRight(string(line), "\n"), "\t")
		if len(f) != 3 || f[0] == "" {
			continue
		}
		vendor := f[2]
		if vendor == "(none)" {
			vendor = ""
		}
		pkgs = append(pkgs, Package{Name: f[0], Version: f[1], Vendor: strings.ToLower(vendor)})
	}
	return pkgs, true, nil
}

// Inventory sends the installed software as DeviceTvmSoftwareInventory rows: all of it at
// start, whenever the dpkg status file changes, and at least every Interval.
type Inventory struct {
	// DpkgStatus is the dpkg status file (default DefaultDpkgStatus); missing is no dpkg.
	DpkgStatus string
	// Interval is how often everything is sent again (default DefaultInventoryInterval).
	Interval time.Duration
	// OSPlatform and OSVersion are put on every row (default DeviceInfoRow's).
	OSPlatform, OSVersion string
	// Log receives failed listings (once each until one succeeds).
	Log *slog.Logger

	check time.Duration // how often the status file is looked at (tests shorten it)
}

// Packages lists the installed packages of dpkg and rpm, whichever are there.
func (inv *Inventory) Packages(ctx context.Context) ([]Package, error) {
	var pkgs []Package
	f, err := os.Open(inv.dpkgStatus())
	switch {
	case err == nil:
		pkgs, err = ParseDpkgStatus(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", inv.dpkgStatus(), err)
		}
	case !os.IsNotExist(err):
		return nil, err
	}
	rpms, _, err := rpmPackages(ctx)
	if err != nil {
		return pkgs, err
	}
	return append(pkgs, rpms...), nil
}

func (inv *Inventory) dpkgStatus() string {
	if inv.DpkgStatus == "" {
		return DefaultDpkgStatus
	}
	return inv.DpkgStatus
}

// Rows are the inventory rows of pkgs.
func (inv *Inventory) Rows(pkgs []Package) []Row {
	plat, ver := inv.OSPlatform, inv.OSVersion
	if plat == "" {
		info := DeviceInfoRow()
		plat, _ = info["OSPlatform"].(string)
		ver, _ = info["OSVersion"].(string)
	}
	rows := make([]Row, len(pkgs))
	for i, p := range pkgs {
		rows[i] = Row{"OSPlatform": plat, "OSVersion": ver, "OSArchitecture": runtime.GOARCH,
			"SoftwareName": p.Name, "SoftwareVersion": p.Version, "SoftwareVendor": p.Vendor}
	}
	return rows
}

// Run sends the inventory until ctx ends. A failed listing is retried at the next check.
func (inv *Inventory) Run(ctx context.Context, emit func(table string, r Row)) error {
	every := inv.Interval
	if every <= 0 {
		every = DefaultInventoryInterval
	}
	var sentAt, mtime time.Time
	var lastErr string
	check := inv.check
	if check <= 0 {
		check = inventoryCheck
	}
	t := time.NewTicker(check)
	defer t.Stop()
	for {
		var m time.Time
		if fi, err := os.Stat(inv.dpkgStatus()); err == nil {
			m = fi.ModTime()
		}
		if sentAt.IsZero() || !m.Equal(mtime) || time.Since(sentAt) >= every {
			pkgs, err := inv.Packages(ctx)
			if err != nil && err.Error() != lastErr && inv.Log != nil {
				inv.Log.Warn("software inventory: listing the packages failed; retried", "err", err)
			}
			if err != nil {
				lastErr = err.Error()
			}
			if err == nil {
				for _, r := range inv.Rows(pkgs) {
					emit("DeviceTvmSoftwareInventory", r)
				}
				sentAt, mtime, lastErr = time.Now(), m, ""
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
