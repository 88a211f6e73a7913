package ti

import (
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// normalizeDomain lower-cases a domain name and drops a trailing dot and a leading "*.";
// it returns "" for text that cannot be a domain name.
func normalizeDomain(s string) string {
	d := strings.ToLower(strings.TrimSpace(s))
	d = strings.TrimSuffix(strings.TrimPrefix(d, "*."), ".")
	if d == "" || strings.ContainsAny(d, "/ @:\\?#") {
		return ""
	}
	return d
}

var defaultPorts = map[string]string{"http": "80", "https": "443", "ftp": "21", "ws": "80", "wss": "443"}

// normalizeURL returns the form URLs are compared in: host lower case, without the scheme's
// default port, user info, fragment and trailing slashes of the path; the scheme itself is
// dropped, so that http and https forms of a URL and a scheme-less form ("evil.com/x", as
// DeviceNetworkEvents.RemoteUrl often holds) all match. It returns "" when s is no URL.
func normalizeURL(s string) string {
	u, ok := parseURL(s)
	if !ok {
		return ""
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" && p != defaultPorts[strings.ToLower(u.Scheme)] {
		host += ":" + p
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return host + path
}

func parseURL(s string) (*url.URL, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return nil, false
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, false
	}
	return u, true
}

// parseIP reads an address, also with a port ("1.2.3.4:443", "[::1]:443") or an IPv6 zone; an
// IPv4-mapped IPv6 address becomes IPv4.
func parseIP(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		host, _, serr := net.SplitHostPort(s)
		if serr != nil {
			return netip.Addr{}, false
		}
		if a, err = netip.ParseAddr(host); err != nil {
			return netip.Addr{}, false
		}
	}
	return a.WithZone("").Unmap(), true
}

// parseIPOrPrefix reads an address or a CIDR block, as an indicator names them.
func parseIPOrPrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		a := p.Addr().Unmap()
		bits := p.Bits()
		if p.Addr().Is4In6() {
			bits -= 96
			if bits < 0 {
				return netip.Prefix{}, false
			}
		}
		return netip.PrefixFrom(a, bits).Masked(), true
	}
	a, ok := parseIP(s)
	if !ok {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}
