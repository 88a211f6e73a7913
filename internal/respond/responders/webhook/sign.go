package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery.
const (
	// SignatureHeader is "sha256=" and the hex HMAC-SHA256, keyed with the secret, of the
	// timestamp header's value, a ".", and the body.
	SignatureHeader = "X-Vigil-Signature"
	// TimestampHeader is the delivery's time in Unix seconds.
	TimestampHeader = "X-Vigil-Timestamp"
	// ActionHeader is the action's id; a retried delivery repeats it.
	ActionHeader = "X-Vigil-Action-Id"
)

// Sign returns the signature header value of body sent at timestamp (Unix seconds, as in
// the timestamp header).
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// ErrSignature is returned by Verify for a delivery that is not signed with the secret.
var ErrSignature = errors.New("webhook signature does not match")

// Verify is the receiver's check of a delivery: the signature must be Sign's for the
// timestamp and body, and the timestamp within tolerance of now (5 minutes is usual), so
// that a captured delivery cannot be replayed later. Receivers that must refuse replays
// within the tolerance too also remember the action ids they have seen.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%s %q is not Unix seconds", TimestampHeader, timestamp)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%s is %s away from now, more than %s: a replay or a wrong clock", TimestampHeader, d.Round(time.Second), tolerance)
	}
	if !strings.HasPrefix(signature, "sha256=") {
		return fmt.Errorf("%s %q does not start with sha256=", SignatureHeader, signature)
	}
	if !hmac.Equal([]byte(Sign(secret, timestamp, body)), []byte(signature)) {
		return ErrSignature
	}
	return nil
}
