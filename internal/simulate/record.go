package simulate

import (
	"strconv"
	"time"
)

// Format names a Sink understands: the server's source formats, plain table rows, and lines
// for the syslog receiver.
const (
	FormatWinEventXML  = "winevent-xml"
	FormatEntraSignin  = "entra-signin"
	FormatO365Audit    = "o365-audit"
	FormatEmailTrace   = "email-trace"
	FormatURLClick     = "url-click"
	FormatIdentityInfo = "table:IdentityInfo"
	FormatCEF          = "cef"
	FormatSyslog       = "syslog"
)

// Record is one raw source record: an <Event> element, a JSON object, or a syslog message
// without framing.
type Record struct {
	Time    time.Time
	Format  string
	Payload []byte
}

// jsonTime renders t as the ISO 8601 UTC form the cloud formats use.
func jsonTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// o365Time renders t as the Management Activity API does: no zone.
func o365Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") }

func itoa(n int) string { return strconv.Itoa(n) }
