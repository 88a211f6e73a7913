package agent

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const dpkgFixture = `Package: openssh-server
Status: install ok installed
Priority: optional
Section: net
Maintainer: Debian OpenSSH Maintainers <debian-ssh@lists.debian.org>
Architecture: amd64
Version: 1:9.2p1-2+deb12u3
Conffiles:
 /etc/ssh/moduli 4b2d7c1fb0ed4b8b0c0b3e2b6d5b3f35
Description: secure shell (SSH) server
 This is the portable version of OpenSSH.

Package: old-tool
Status: deinstall ok config-files
Maintainer: Someone <someone@example.com>
Version: 1.0

Package: vigil-thing
Status: install ok installed
Maintainer: Vigil Team
Version: 0.3.0

Package: libssl3
Status: install ok installed
Maintainer: Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>
Version: 3.0.2-0ubuntu1.15
`

func TestParseDpkgStatus(t *testing.T) {
	got, err := ParseDpkgStatus(strings.NewReader(dpkgFixture))
	if err != nil {
		t.Fatal(err)
	}
	want := []Package{
		{"openssh-server", "1:9.2p1-2+deb12u3", "debian"},
		{"vigil-thing", "0.3.0", "vigil team"},
		{"libssl3", "3.0.2-0ubuntu1.15", "ubuntu"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	_, err = ParseDpkgStatus(strings.NewReader("Package: x\nStatus: install ok installed\nnot a field\n"))
	if err == nil || err.Error() != `dpkg status line 3: "not a field" is neither "Field: value" nor a continuation` {
		t.Errorf("err = %v", err)
	}
}

// TestParseDpkgStatusReal reads this machine's dpkg database and expects the same installed
// packages dpkg-query lists.
func TestParseDpkgStatusReal(t *testing.T) {
	f, err := os.Open(DefaultDpkgStatus)
	if err != nil {
		t.Skipf("no dpkg here: %v", err)
	}
	defer f.Close()
	got, err := ParseDpkgStatus(f)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{}
	for _, p := range got {
		byName[p.Name] = p.Version
	}
	if _, ok := byName["dpkg"]; !ok {
		t.Fatalf("dpkg is not in the inventory of %d packages", len(got))
	}
	out, err := exec.Command("dpkg-query", "-W", "-f", `${db:Status-Abbrev}\t${Package}\t${Version}\n`).Output()
	if err != nil {
		t.Skipf("dpkg-query: %v", err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 || strings.TrimSpace(f[0]) != "ii" {
			continue
		}
		n++
		if v, ok := byName[f[1]]; !ok || v != f[2] {
			t.Errorf("dpkg-query lists %s %s installed; the inventory has %q (%v)", f[1], f[2], v, ok)
		}
	}
	if n != len(got) {
		t.Errorf("dpkg-query lists %d installed packages, the inventory %d", n, len(got))
	}
}

// TestInventoryRun sends the inventory at start and again when the status file changes.
func TestInventoryRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "status")
	if err := os.WriteFile(path, []byte(dpkgFixture), 0o644); err != nil {
		t.Fatal(err)
	}
	inv := &Inventory{DpkgStatus: path, check: 20 * time.Millisecond}
	rows := make(chan Row, 100)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		_ = inv.Run(ctx, func(table string, r Row) {
			if table == "DeviceTvmSoftwareInventory" {
				rows <- r
			}
		})
	}()
	take := func(n int) []Row {
		t.Helper()
		var out []Row
		for len(out) < n {
			select {
			case r := <-rows:
				out = append(out, r)
			case <-time.After(5 * time.Second):
				t.Fatalf("got %d rows, want %d", len(out), n)
			}
		}
		return out
	}
	first := rowsWhere(take(3), func(r Row) bool { return r["SoftwareName"] != nil })
	if first[0]["SoftwareName"] != "openssh-server" || first[0]["SoftwareVendor"] != "debian" ||
		first[0]["SoftwareVersion"] != "1:9.2p1-2+deb12u3" || first[0]["OSPlatform"] != "Linux" {
		t.Errorf("first row = %v", first[0])
	}
	checkRows(t, "DeviceTvmSoftwareInventory", first)
	select {
	case r := <-rows:
		t.Fatalf("sent again with nothing changed: %v", r)
	case <-time.After(100 * time.Millisecond):
	}
	more := dpkgFixture + "\nPackage: netcat-openbsd\nStatus: install ok installed\nMaintainer: Debian <a@debian.org>\nVersion: 1.219-1\n"
	if err := os.WriteFile(path, []byte(more), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute) // the mtime changes whatever the file system's precision
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	again := take(4)
	if again[3]["SoftwareName"] != "netcat-openbsd" {
		t.Errorf("after an install: %v", again)
	}
}
