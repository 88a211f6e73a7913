// Package iptype classifies IP addresses as Defender's LocalIPType and RemoteIPType columns
// do, for the normalizers and the endpoint agent alike.
package iptype

import "net/netip"

// Of is the class of a: Loopback, Private, LinkLocal, Multicast, Broadcast, Reserved or
// Public; "" for no address.
func Of(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case !a.IsValid():
		return ""
	case a.IsLoopback():
		return "Loopback"
	case a.IsPrivate():
		return "Private"
	case a.IsLinkLocalUnicast():
		return "LinkLocal"
	case a.IsMulticast() || a.IsLinkLocalMulticast():
		return "Multicast"
	case a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "Broadcast"
	case a.IsUnspecified():
		return "Reserved"
	case a.IsGlobalUnicast():
		return "Public"
	}
	return "Reserved"
}

// OfText is Of for an address written as text; "" when s is not an address.
func OfText(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	return Of(a)
}
