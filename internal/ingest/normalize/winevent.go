package normalize

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WinEvent is one Windows event log record, whatever form it arrived in (event XML,
// Winlogbeat, NXLog or EVTX-to-JSON).
type WinEvent struct {
	Channel     string // e.g. Security, Microsoft-Windows-Sysmon/Operational
	Provider    string // e.g. Microsoft-Windows-Security-Auditing
	EventID     int32
	Version     int32
	Level       int32
	Task        int32
	Opcode      int32
	Keywords    string // as the source gives it (0x8020000000000000 or a name)
	Time        time.Time
	Computer    string
	RecordID    int64
	ProcessID   int32 // of the process that wrote the event (System/Execution)
	ThreadID    int32
	UserID      string // System/Security UserID (a SID)
	ActivityID  string // System/Correlation ActivityID
	Data        []WinData
	LevelName   string // a level name given by the shipper instead of a number
	KeywordName string
}

// WinData is one named value of an event's EventData (or UserData).
type WinData struct{ Name, Value string }

// Get returns the value of the data field name, or "".
func (e *WinEvent) Get(name string) string {
	for _, d := range e.Data {
		if d.Name == name {
			return d.Value
		}
	}
	return ""
}

// maxWinData bounds the data fields kept per event, so hostile input cannot make one huge row.
const maxWinData = 1024

// xmlWinEvent is the XML form of an event, as `wevtutil qe /f:xml`, Windows Event Forwarding
// and EvtRender write it. Element names match in any namespace.
type xmlWinEvent struct {
	System struct {
		Provider struct {
			Name string `xml:"Name,attr"`
		} `xml:"Provider"`
		EventID     string `xml:"EventID"`
		Version     string `xml:"Version"`
		Level       string `xml:"Level"`
		Task        string `xml:"Task"`
		Opcode      string `xml:"Opcode"`
		Keywords    string `xml:"Keywords"`
		TimeCreated struct {
			SystemTime string `xml:"SystemTime,attr"`
		} `xml:"TimeCreated"`
		EventRecordID string `xml:"EventRecordID"`
		Correlation   struct {
			ActivityID string `xml:"ActivityID,attr"`
		} `xml:"Correlation"`
		Execution struct {
			ProcessID string `xml:"ProcessID,attr"`
			ThreadID  string `xml:"ThreadID,attr"`
		} `xml:"Execution"`
		Channel  string `xml:"Channel"`
		Computer string `xml:"Computer"`
		Security struct {
			UserID string `xml:"UserID,attr"`
		} `xml:"Security"`
	} `xml:"System"`
	EventData struct {
		Data []struct {
			Name  string `xml:"Name,attr"`
			Value string `xml:",chardata"`
		} `xml:"Data"`
	} `xml:"EventData"`
	UserData struct {
		Inner []byte `xml:",innerxml"`
	} `xml:"UserData"`
	RenderingInfo struct {
		Level    string `xml:"Level"`
		Keywords struct {
			Keyword []string `xml:"Keyword"`
		} `xml:"Keywords"`
	} `xml:"RenderingInfo"`
}

// ParseWinEventXML parses one <Event> element.
func ParseWinEventXML(b []byte) (WinEvent, error) {
	var x xmlWinEvent
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	start, err := firstStart(d)
	if err != nil {
		return WinEvent{}, err
	}
	if start.Name.Local != "Event" {
		return WinEvent{}, fmt.Errorf("root element is <%s>, want <Event>", start.Name.Local)
	}
	if err := d.DecodeElement(&x, &start); err != nil {
		return WinEvent{}, fmt.Errorf("xml: %w", err)
	}
	s := &x.System
	ev := WinEvent{
		Channel: strings.TrimSpace(s.Channel), Provider: s.Provider.Name, Keywords: strings.TrimSpace(s.Keywords),
		Computer: strings.TrimSpace(s.Computer), UserID: s.Security.UserID, ActivityID: s.Correlation.ActivityID,
		LevelName: x.RenderingInfo.Level,
	}
	if len(x.RenderingInfo.Keywords.Keyword) > 0 {
		ev.KeywordName = x.RenderingInfo.Keywords.Keyword[0]
	}
	if err := ev.setSystem(s.EventID, s.TimeCreated.SystemTime, [...]string{
		s.Version, s.Level, s.Task, s.Opcode, s.Execution.ProcessID, s.Execution.ThreadID, s.EventRecordID,
	}); err != nil {
		return WinEvent{}, err
	}
	for i, dd := range x.EventData.Data {
		name := dd.Name
		if name == "" {
			name = "param" + strconv.Itoa(i+1)
		}
		ev.addData(name, dd.Value)
	}
	if len(x.UserData.Inner) > 0 {
		if err := ev.addUserData(x.UserData.Inner); err != nil {
			return WinEvent{}, err
		}
	}
	return ev, nil
}

// firstStart skips the prolog (declaration, comments, white space) to the first element.
func firstStart(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, fmt.Errorf("xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return xml.StartElement{}, fmt.Errorf("text %q before the <Event> element", clip(string(t)))
			}
		default:
		}
	}
}

// addUserData flattens UserData (one provider element holding leaf elements) into data fields.
func (e *WinEvent) addUserData(inner []byte) error {
	d := xml.NewDecoder(bytes.NewReader(inner))
	var name string
	var text strings.Builder
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("xml: UserData: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			name = t.Name.Local
			text.Reset()
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if name != "" && depth >= 2 {
				e.addData(name, text.String())
			}
			name = ""
			depth--
		default:
		}
	}
}

func (e *WinEvent) addData(name, value string) {
	if len(e.Data) < maxWinData {
		e.Data = append(e.Data, WinData{Name: name, Value: value})
	}
}

// setSystem sets the event id, the time and the numeric System fields (version, level, task,
// opcode, process id, thread id, record id, in that order); empty ones stay zero.
func (e *WinEvent) setSystem(id, ts string, nums [7]string) error {
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 32)
	if err != nil {
		if strings.TrimSpace(id) == "" {
			return fmt.Errorf("missing EventID")
		}
		return fmt.Errorf("EventID %q is not a number", clip(id))
	}
	e.EventID = int32(n)
	if strings.TrimSpace(ts) == "" {
		return fmt.Errorf("missing event time")
	}
	if e.Time, err = parseWinTime(ts); err != nil {
		return err
	}
	dst := [...]*int32{&e.Version, &e.Level, &e.Task, &e.Opcode, &e.ProcessID, &e.ThreadID}
	for i, p := range dst {
		if v, ok := parseWinInt(nums[i]); ok && v >= -1<<31 && v < 1<<31 {
			*p = int32(v)
		}
	}
	if v, ok := parseWinInt(nums[6]); ok {
		e.RecordID = v
	}
	return nil
}

// parseWinInt parses decimal or 0x-prefixed hexadecimal text.
func parseWinInt(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		u, err := strconv.ParseUint(h, 16, 64)
		return int64(u), err == nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// winTimeLayouts are the time forms of SystemTime, Sysmon's UtcTime and the shippers; text
// without a zone is UTC.
var winTimeLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999 -07:00",
}

func parseWinTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range winTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			t = t.UTC()
			if !validYear(t) {
				return time.Time{}, fmt.Errorf("event time %q is out of range", clip(s))
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("event time %q is not a timestamp", clip(s))
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 64 {
		return strings.ToValidUTF8(s[:64], "") + "..."
	}
	return s
}

// WinXMLChunk is one <Event>...</Event> element found in a stream of events, with its byte
// offset in the input.
type WinXMLChunk struct {
	Offset int
	Data   []byte
}

// SplitWinEventXML finds the <Event> elements of b: concatenated events as `wevtutil qe
// /f:xml` writes them, or events inside a root element (<Events>, WEF's envelope). It splits on
// the text of the tags, so that one malformed event does not hide the ones after it; text
// outside events is skipped.
func SplitWinEventXML(b []byte) []WinXMLChunk {
	var out []WinXMLChunk
	for off := 0; off < len(b); {
		i := indexEventStart(b[off:])
		if i < 0 {
			break
		}
		start := off + i
		j := bytes.Index(b[start:], []byte("</Event>"))
		end := len(b)
		if j >= 0 {
			end = start + j + len("</Event>")
		}
		// An event with no end tag of its own runs to the next event start.
		if k := indexEventStart(b[start+1 : end]); k >= 0 {
			end = start + 1 + k
		}
		out = append(out, WinXMLChunk{Offset: start, Data: b[start:end]})
		off = end
	}
	return out
}

// indexEventStart finds "<Event" followed by white space, '>' or '/'.
func indexEventStart(b []byte) int {
	for off := 0; ; {
		i := bytes.Index(b[off:], []byte("<Event"))
		if i < 0 {
			return -1
		}
		i += off
		if n := i + len("<Event"); n < len(b) && strings.IndexByte(" \t\r\n>/", b[n]) >= 0 {
			return i
		}
		off = i + 1
	}
}
