package deception

import (
	"context"
	"net/netip"
	"strings"

	"github.com/vigilsec/vigil/internal/meta"
)

// Kind is a decoy kind, as meta names them.
type Kind string

// Decoy kinds.
const (
	KindAccount    Kind = meta.DecoyAccount
	KindHost       Kind = meta.DecoyHost
	KindFile       Kind = meta.DecoyFile
	KindCredential Kind = meta.DecoyCredential
	KindIP         Kind = meta.DecoyIP
	KindMailbox    Kind = meta.DecoyMailbox
)

// Decoy is one tripwire of one tenant.
type Decoy struct {
	ID          int64
	Tenant      string
	Kind        Kind
	Value       string
	Description string
}

// Source gives the decoys. Version is cheap and changes whenever any decoy does; Decoys
// returns all enabled decoys with a version they are at least as new as.
type Source interface {
	Version(ctx context.Context) (int64, error)
	Decoys(ctx context.Context) ([]Decoy, int64, error)
}

// MetaStore is what MetaSource reads (*meta.Store).
type MetaStore interface {
	DecoysVersion(ctx context.Context) (int64, error)
	AllDecoys(ctx context.Context) ([]meta.Decoy, int64, error)
}

// MetaSource is a Source over the state store.
type MetaSource struct{ Store MetaStore }

var _ Source = MetaSource{}

// Version implements Source.
func (s MetaSource) Version(ctx context.Context) (int64, error) { return s.Store.DecoysVersion(ctx) }

// Decoys implements Source.
func (s MetaSource) Decoys(ctx context.Context) ([]Decoy, int64, error) {
	ms, v, err := s.Store.AllDecoys(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Decoy, 0, len(ms))
	for _, m := range ms {
		out = append(out, Decoy{ID: m.ID, Tenant: m.Tenant, Kind: Kind(m.Kind), Value: m.Value, Description: m.Description})
	}
	return out, v, nil
}

// bareAccount reduces an account to its name: "CONTOSO\\svc", "svc@contoso.com" and "svc"
// are all "svc", in lower case.
func bareAccount(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\\'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	return strings.ToLower(s)
}

// shortHost reduces a host name to its first label in lower case: "FILESRV.contoso.com" is
// "filesrv". An IP address is kept whole.
func shortHost(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" {
		return ""
	}
	if c := s[0]; c >= '0' && c <= '9' || strings.IndexByte(s, ':') >= 0 {
		if _, err := netip.ParseAddr(s); err == nil {
			return s
		}
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	return strings.ToLower(s)
}

// normPath lower-cases a path and makes its separators forward slashes.
func normPath(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), `\`, "/"))
}

// parseIP reads an address, also with a port; an IPv4-mapped address becomes IPv4.
func parseIP(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone("").Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").Unmap(), true
	}
	return netip.Addr{}, false
}
