package agent

import (
	"bufio"
	"encoding/hex"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/iptype"
)

// Interface types (ARPHRD_* in linux/if_arp.h) as /sys/class/net/<if>/type gives them.
var adapterTypes = map[int]string{
	1: "Ethernet", 512: "Ppp", 768: "Tunnel", 769: "Tunnel", 776: "Tunnel", 778: "Tunnel", 823: "Tunnel", 65534: "Tunnel",
}

// NetworkInfoRows are the DeviceNetworkInfo rows of the device, one per network interface:
// its name, MAC address, type, status (Up when the link is up), addresses with their prefix
// and type, and default gateways (from procDir's net/route and net/ipv6_route). sysDir is
// /sys/class/net (for the interface types), procDir /proc.
func NetworkInfoRows(procDir, sysDir string) ([]Row, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	gws := defaultGateways(procDir)
	rows := make([]Row, 0, len(ifs))
	for _, ifc := range ifs {
		status := "Down"
		if ifc.Flags&net.FlagUp != 0 && ifc.Flags&net.FlagRunning != 0 {
			status = "Up"
		}
		r := Row{"NetworkAdapterName": ifc.Name, "NetworkAdapterStatus": status,
			"NetworkAdapterType": adapterType(sysDir, ifc), "IPAddresses": interfaceAddrs(ifc),
			"DefaultGateways": gws[ifc.Name], "ConnectedNetworks": []any{}}
		if len(ifc.HardwareAddr) > 0 {
			// Defender writes MAC addresses as upper-case hex pairs joined by hyphens.
			r["MacAddress"] = strings.ToUpper(strings.ReplaceAll(ifc.HardwareAddr.String(), ":", "-"))
		}
		if r["DefaultGateways"] == nil {
			r["DefaultGateways"] = []string{}
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func adapterType(sysDir string, ifc net.Interface) string {
	if ifc.Flags&net.FlagLoopback != 0 {
		return "SoftwareLoopback"
	}
	if _, err := os.Stat(filepath.Join(sysDir, ifc.Name, "wireless")); err == nil {
		return "Wireless80211"
	}
	b, err := os.ReadFile(filepath.Join(sysDir, ifc.Name, "type"))
	if err != nil {
		return "Unknown"
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if t, ok := adapterTypes[n]; ok {
		return t
	}
	return "Unknown"
}

// ipAddress is one element of the IPAddresses column.
type ipAddress struct {
	IPAddress    string `json:"IPAddress"`
	SubnetPrefix int    `json:"SubnetPrefix"`
	AddressType  string `json:"AddressType"`
}

func interfaceAddrs(ifc net.Interface) []ipAddress {
	out := []ipAddress{}
	addrs, err := ifc.Addrs()
	if err != nil {
		return out
	}
	for _, a := range addrs {
		p, err := netip.ParsePrefix(a.String())
		if err != nil {
			continue
		}
		out = append(out, ipAddress{p.Addr().String(), p.Bits(), iptype.Of(p.Addr())})
	}
	return out
}

// defaultGateways reads the default routes' next hops by interface from the kernel's
// routing tables; tables it cannot read give none.
func defaultGateways(procDir string) map[string][]string {
	gws := map[string][]string{}
	// net/route: Iface Destination Gateway Flags ..., addresses as native-endian hex words.
	if f, err := os.Open(filepath.Join(procDir, "net", "route")); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fl := strings.Fields(sc.Text())
			if len(fl) < 4 || fl[1] != "00000000" || fl[2] == "00000000" {
				continue
			}
			if gw, err := parseHexAddrPort([]byte(fl[2] + ":0")); err == nil {
				gws[fl[0]] = append(gws[fl[0]], gw.Addr().String())
			}
		}
	}
	// net/ipv6_route: dest prefixlen src srclen nexthop metric refcnt use flags iface, the
	// addresses as plain big-endian hex.
	if f, err := os.Open(filepath.Join(procDir, "net", "ipv6_route")); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fl := strings.Fields(sc.Text())
			if len(fl) < 10 || fl[0] != strings.Repeat("0", 32) || fl[1] != "00" || fl[4] == strings.Repeat("0", 32) {
				continue
			}
			var raw [16]byte
			if _, err := hex.Decode(raw[:], []byte(fl[4])); err == nil {
				gws[fl[9]] = append(gws[fl[9]], netip.AddrFrom16(raw).String())
			}
		}
	}
	return gws
}
