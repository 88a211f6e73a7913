package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/vigilsec/vigil/internal/auth"
)

// Principal is who a request acts as, and in which tenant.
type Principal struct {
	Name string
	// Tenant is the tenant the request acts in: the principal's default
	// tenant, or the one named by the X-Vigil-Tenant header or the tenant
	// parameter when granted.
	Tenant string
	// Admin is set for global administrators (every permission in every
	// tenant), such as the admin key.
	Admin bool
	// ID and Kind identify a user or API key (auth.KindUser, auth.KindAPIKey,
	// auth.KindAdmin).
	ID   string
	Kind string
	// Permissions are what the principal may do in Tenant.
	Permissions auth.PermSet
	// Tenants are the tenants the principal holds grants in; "*" is all.
	Tenants []string

	access  auth.Access
	session string // the session token, for cookie-authenticated requests
}

// Can reports whether the principal holds perm in tenant.
func (p Principal) Can(perm auth.Permission, tenant string) bool {
	return p.Admin || p.access.Can(perm, tenant)
}

// DeviceGroups returns the device groups of tenant that perm is restricted
// to for the principal; all is true when it reaches every device.
func (p Principal) DeviceGroups(perm auth.Permission, tenant string) (groups []string, all bool) {
	if p.Admin {
		return nil, true
	}
	return p.access.DeviceGroups(perm, tenant)
}

type principalKey struct{}

// PrincipalFrom returns the request's principal.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// KeyRing holds API keys by their SHA-256 hash; the keys themselves are not kept, except those
// added with AddSigning. Until the
// users-and-roles work lands it holds the admin key written to DATA/admin.key at first start.
type KeyRing struct {
	mu   sync.RWMutex
	keys map[[32]byte]Principal
	// signing holds, by workspace id, the few keys kept in memory to verify signatures.
	signing map[string][]signingKey
}

type signingKey struct {
	key []byte
	p   Principal
}

// NewKeyRing returns an empty key ring.
func NewKeyRing() *KeyRing { return &KeyRing{keys: map[[32]byte]Principal{}} }

// Add admits key as p. A principal without grants gets every permission in
// its tenant (every tenant when it is Admin): the ring holds keys the
// operator provisioned, such as the admin key.
func (k *KeyRing) Add(key string, p Principal) {
	p = ringPrincipal(p)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[sha256.Sum256([]byte(key))] = p
}

// AddSigning admits key as p like Add and also keeps the key itself, so that it can verify
// requests signed with it rather than sent (the Azure Monitor HTTP Data Collector API's
// SharedKey scheme): workspace is the id such requests name. Only keys whose secret is known
// to the process can sign: today the admin key, read at start.
func (k *KeyRing) AddSigning(key, workspace string, p Principal) {
	k.Add(key, p)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.signing == nil {
		k.signing = map[string][]signingKey{}
	}
	k.signing[workspace] = append(k.signing[workspace], signingKey{key: []byte(key), p: ringPrincipal(p)})
}

// VerifySigned returns the principal whose signing key for workspace makes mac(key) equal
// sig, comparing in constant time.
func (k *KeyRing) VerifySigned(workspace string, sig []byte, mac func(key []byte) []byte) (Principal, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	for _, sk := range k.signing[workspace] {
		if subtle.ConstantTimeCompare(mac(sk.key), sig) == 1 {
			return sk.p, true
		}
	}
	return Principal{}, false
}

// Lookup returns the principal for key.
func (k *KeyRing) Lookup(key string) (Principal, bool) {
	h := sha256.Sum256([]byte(key))
	k.mu.RLock()
	defer k.mu.RUnlock()
	for kh, p := range k.keys {
		if subtle.ConstantTimeCompare(kh[:], h[:]) == 1 {
			return p, true
		}
	}
	return Principal{}, false
}

func ringPrincipal(p Principal) Principal {
	if p.Tenants != nil {
		return p
	}
	if p.Admin {
		p.access, p.Tenants = auth.FullAccess(), []string{auth.AllTenants}
	} else {
		p.access, p.Tenants = auth.TenantAccess(p.Tenant), []string{p.Tenant}
	}
	if p.Kind == "" {
		p.Kind = auth.KindAdmin
	}
	return p
}

// LoadOrCreateAdminKey reads the admin key at path, creating it (mode 0600) with a new random
// key if it does not exist.
func LoadOrCreateAdminKey(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key := strings.TrimSpace(string(b))
		if key == "" {
			return "", fmt.Errorf("admin key file %s is empty", path)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	key := "vgl_" + base64.RawURLEncoding.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("create admin key: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		_ = f.Close()
		return "", err
	}
	return key, f.Close()
}

// bearer extracts the key from "Authorization: Bearer KEY" (or "api-key: KEY").
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, key, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(key)
		}
	}
	return strings.TrimSpace(r.Header.Get("api-key"))
}

// credential extracts the API key from every form a shipper sends: "Bearer KEY", "api-key:
// KEY", "Splunk KEY" (Splunk HEC), HTTP Basic with the key as the password and any user
// (Beats, Logstash, Vector), and "ApiKey base64(id:KEY)" (Elasticsearch API keys; the id is
// ignored). Query-string tokens are never accepted: they end up in access logs.
func credential(r *http.Request) string {
	if key := bearer(r); key != "" {
		return key
	}
	scheme, rest, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok {
		return ""
	}
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(scheme) {
	case "splunk":
		return rest
	case "basic":
		_, pass, _ := r.BasicAuth()
		return pass
	case "apikey":
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return ""
		}
		_, key, _ := strings.Cut(string(raw), ":")
		return key
	}
	return ""
}

func stack() string { return string(debug.Stack()) }
