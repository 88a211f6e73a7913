package simulate

import (
	"encoding/xml"
	"strconv"
	"strings"
	"time"
)

// winEvent is one Windows event as `wevtutil qe /f:xml` prints it.
type winEvent struct {
	provider, guid, channel string
	id, version, task       int
	level                   int
	keywords                string
	time                    time.Time
	record                  int64
	computer                string
	userID                  string
	data                    []string // name, value pairs
}

// Channels and providers of the events the builders write.
var (
	sysmonSource   = [3]string{"Microsoft-Windows-Sysmon", "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}", "Microsoft-Windows-Sysmon/Operational"}
	securitySource = [3]string{"Microsoft-Windows-Security-Auditing", "{54849625-5478-4994-a5ba-3e3b0328c30d}", "Security"}
	scmSource      = [3]string{"Service Control Manager", "{555908d1-a6d7-4695-8e1e-26931d2012f4}", "System"}
)

// xml renders the event.
func (e *winEvent) xml() []byte {
	var b strings.Builder
	b.Grow(512 + 64*len(e.data))
	b.WriteString(`<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="`)
	b.WriteString(e.provider)
	b.WriteString(`" Guid="`)
	b.WriteString(e.guid)
	b.WriteString(`"/><EventID>`)
	b.WriteString(strconv.Itoa(e.id))
	b.WriteString(`</EventID><Version>`)
	b.WriteString(strconv.Itoa(e.version))
	b.WriteString(`</Version><Level>`)
	b.WriteString(strconv.Itoa(e.level))
	b.WriteString(`</Level><Task>`)
	b.WriteString(strconv.Itoa(e.task))
	b.WriteString(`</Task><Opcode>0</Opcode><Keywords>`)
	b.WriteString(e.keywords)
	b.WriteString(`</Keywords><TimeCreated SystemTime="`)
	b.WriteString(e.time.UTC().Format("2006-01-02T15:04:05.0000000Z"))
	b.WriteString(`"/><EventRecordID>`)
	b.WriteString(strconv.FormatInt(e.record, 10))
	b.WriteString(`</EventRecordID><Correlation/><Execution ProcessID="`)
	if e.provider == sysmonSource[0] {
		b.WriteString("3216")
	} else {
		b.WriteString("684")
	}
	b.WriteString(`" ThreadID="4412"/><Channel>`)
	b.WriteString(e.channel)
	b.WriteString(`</Channel><Computer>`)
	escape(&b, e.computer)
	b.WriteString(`</Computer><Security`)
	if e.userID != "" {
		b.WriteString(` UserID="`)
		b.WriteString(e.userID)
		b.WriteString(`"`)
	}
	b.WriteString(`/></System><EventData>`)
	for i := 0; i+1 < len(e.data); i += 2 {
		b.WriteString(`<Data Name="`)
		b.WriteString(e.data[i])
		b.WriteString(`">`)
		escape(&b, e.data[i+1])
		b.WriteString(`</Data>`)
	}
	b.WriteString(`</EventData></Event>`)
	return []byte(b.String())
}

func escape(b *strings.Builder, s string) {
	if !strings.ContainsAny(s, `<>&"'`+"\r\n\t") {
		b.WriteString(s)
		return
	}
	_ = xml.EscapeText(b, []byte(s))
}

// sysmonUTC is Sysmon's UtcTime form.
func sysmonUTC(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000") }
