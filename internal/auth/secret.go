package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Prefixes of the secrets Vigil issues, so that leaked ones are recognizable
// (secret scanners look for such prefixes).
const (
	KeyPrefix     = "vgl_"  // API keys
	SessionPrefix = "vgls_" // session tokens
)

// NewSecret returns prefix followed by 256 random bits, base64url-encoded.
func NewSecret(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret returns the hex SHA-256 of a high-entropy secret, as stored.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CSRFToken returns the anti-CSRF token of a session: derived from the
// session token, which a cross-site page can neither read nor guess, so the
// server keeps nothing more and can give it again to a reloaded portal.
func CSRFToken(sessionToken string) string {
	h := sha256.Sum256([]byte("vigil-csrf\x00" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// newID returns a random identifier.
func newID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}
