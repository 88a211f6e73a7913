package datacollector

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// Resource is the signed resource path.
const Resource = "/api/logs"

// MaxSkew is how far x-ms-date may be from the server's clock.
const MaxSkew = 15 * time.Minute

// ErrAuth is a request whose SharedKey authorization is missing or malformed.
var ErrAuth = errors.New("authorization must be SharedKey <WorkspaceID>:<base64 signature>")

// StringToSign returns the text a request's signature covers.
func StringToSign(contentLength int64, contentType, date string) string {
	return "POST\n" + strconv.FormatInt(contentLength, 10) + "\n" + contentType + "\nx-ms-date:" + date + "\n" + Resource
}

// MAC returns HMAC-SHA256 of msg with key.
func MAC(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// Signature returns the Authorization header value for a request, given the shared key as
// clients hold it (base64).
func Signature(workspace, sharedKey string, contentLength int64, contentType, date string) (string, error) {
	key, err := base64.StdEncoding.DecodeString(sharedKey)
	if err != nil {
		return "", fmt.Errorf("shared key is not base64: %w", err)
	}
	mac := MAC(key, StringToSign(contentLength, contentType, date))
	return "SharedKey " + workspace + ":" + base64.StdEncoding.EncodeToString(mac), nil
}

// ParseAuthorization splits "SharedKey <WorkspaceID>:<Signature>".
func ParseAuthorization(h string) (workspace string, sig []byte, err error) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "SharedKey") {
		return "", nil, ErrAuth
	}
	workspace, s, ok := strings.Cut(strings.TrimSpace(rest), ":")
	if !ok || workspace == "" {
		return "", nil, ErrAuth
	}
	if sig, err = base64.StdEncoding.DecodeString(s); err != nil || len(sig) != sha256.Size {
		return "", nil, ErrAuth
	}
	return workspace, sig, nil
}

// CheckDate parses x-ms-date (RFC 1123, GMT) and checks it is within MaxSkew of now.
func CheckDate(date string, now time.Time) error {
	t, err := http.ParseTime(date)
	if err != nil {
		return fmt.Errorf("x-ms-date %q is not an RFC 1123 date", date)
	}
	if d := now.Sub(t); d > MaxSkew || d < -MaxSkew {
		return fmt.Errorf("x-ms-date %q is more than %s from the server's time", date, MaxSkew)
	}
	return nil
}

var logTypeRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,100}$`)

// TableName returns the custom table of a Log-Type.
func TableName(logType string) (string, error) {
	if !logTypeRE.MatchString(logType) {
		return "", fmt.Errorf("Log-Type %q must be 1 to 100 letters, digits and underscores", logType)
	}
	return logType + "_CL", nil
}

// Rows rewrites a request body (a JSON object or an array of objects) as NDJSON for
// ingest.Service.Ingest, with TimeGenerated taken from the field timeField names (when it is
// set and present; the field itself is dropped unless keepField) or else, when a record has
// no TimeGenerated, the receive time.
func Rows(body []byte, timeField string, keepField bool, received time.Time) ([]byte, error) {
	if err := fastjson.ValidateBytes(body); err != nil {
		return nil, fmt.Errorf("the body is not JSON: %w", err)
	}
	var p fastjson.Parser
	v, err := p.ParseBytes(body)
	if err != nil {
		return nil, fmt.Errorf("the body is not JSON: %w", err)
	}
	records := []*fastjson.Value{v}
	if v.Type() == fastjson.TypeArray {
		records, _ = v.Array()
	}
	var (
		a   fastjson.Arena
		out bytes.Buffer
	)
	now := a.NewString(received.UTC().Format(time.RFC3339Nano))
	for _, r := range records {
		if r.Type() == fastjson.TypeObject {
			if tf := r.Get(timeField); timeField != "" && tf != nil {
				r.Set("TimeGenerated", tf)
				if !keepField && timeField != "TimeGenerated" {
					r.Del(timeField)
				}
			} else if r.Get("TimeGenerated") == nil {
				r.Set("TimeGenerated", now)
			}
		}
		out.Write(r.MarshalTo(nil))
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
}
