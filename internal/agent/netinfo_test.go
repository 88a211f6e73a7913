package agent

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestDefaultGateways(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "net"), 0o755); err != nil {
		t.Fatal(err)
	}
	route := "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"eth0\t00000000\t0102000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n" +
		"eth0\t0002000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
	v6 := "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth0\n" +
		"20010db8000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
	for name, data := range map[string]string{"route": route, "ipv6_route": v6} {
		if err := os.WriteFile(filepath.Join(root, "net", name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := defaultGateways(root)
	if want := []string{"10.0.2.1", "fe80::1"}; !slices.Equal(got["eth0"], want) || len(got) != 1 {
		t.Errorf("gateways = %v, want eth0: %v", got, want)
	}
}

// TestNetworkInfoRows reads this machine's interfaces: one row each, the loopback one with
// 127.0.0.1/8.
func TestNetworkInfoRows(t *testing.T) {
	rows, err := NetworkInfoRows("/proc", "/sys/class/net")
	if err != nil {
		t.Fatal(err)
	}
	ifs, _ := net.Interfaces()
	if len(rows) != len(ifs) {
		t.Fatalf("%d rows for %d interfaces", len(rows), len(ifs))
	}
	var lo Row
	for _, r := range rows {
		if r["NetworkAdapterName"] == "lo" {
			lo = r
		}
	}
	if lo == nil {
		t.Skip("no lo interface here")
	}
	addrs := lo["IPAddresses"].([]ipAddress)
	if lo["NetworkAdapterType"] != "SoftwareLoopback" || lo["NetworkAdapterStatus"] != "Up" ||
		!slices.Contains(addrs, ipAddress{"127.0.0.1", 8, "Loopback"}) {
		t.Errorf("lo = %v", lo)
	}
	checkRows(t, "DeviceNetworkInfo", rows)
}
