package iptype

import "testing"

func TestOfText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"127.0.0.1", "Loopback"}, {"::1", "Loopback"}, {"10.1.2.3", "Private"}, {"192.168.0.1", "Private"},
		{"fd00::1", "Private"}, {"169.254.1.1", "LinkLocal"}, {"fe80::1", "LinkLocal"}, {"224.0.0.251", "Multicast"},
		{"ff02::1", "Multicast"}, {"255.255.255.255", "Broadcast"}, {"0.0.0.0", "Reserved"}, {"::", "Reserved"},
		{"8.8.8.8", "Public"}, {"2001:4860::8888", "Public"}, {"::ffff:10.0.0.1", "Private"}, {"not an ip", ""}, {"", ""},
	} {
		if got := OfText(c.in); got != c.want {
			t.Errorf("OfText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
