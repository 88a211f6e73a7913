package normalize

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// WinFormats are the names of the Windows event formats, as `vigil ingest --format` and the
// format route spell them: the XML `wevtutil qe /f:xml` prints and the JSON forms.
var winFormatForms = map[string]WinJSONForm{
	"winlogbeat": WinJSONWinlogbeat, "nxlog": WinJSONNXLog, "evtx-json": WinJSONEvtx, "winevent-json": WinJSONAuto,
}

// Names of the Windows event formats other packages route to.
const (
	WinFormatXML        = "winevent-xml" // the XML `wevtutil qe /f:xml` prints
	WinFormatWinlogbeat = "winlogbeat"   // Winlogbeat's ECS JSON documents
)

// WinFormats returns the Windows event format names, sorted.
func WinFormats() []string {
	out := []string{WinFormatXML}
	for f := range winFormatForms {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// IsWinFormat reports whether name is a Windows event format.
func IsWinFormat(name string) bool {
	_, ok := winFormatForms[name]
	return ok || name == WinFormatXML
}

// Normalize splits data into the Windows events of the format called name and maps each to
// rows, as Normalizer.Normalize does for the JSON formats: an event that cannot be read
// becomes a Record with Err set for WindowsEvent. It fails only for an unknown format.
func (m *WinMapper) Normalize(name string, data []byte) ([]Item, error) {
	if name == WinFormatXML {
		return m.normalizeXML(data), nil
	}
	form, ok := winFormatForms[name]
	if !ok {
		return nil, fmt.Errorf("unknown Windows event format %q (want one of %s)", name, strings.Join(WinFormats(), ", "))
	}
	var out []Item
	for _, it := range splitJSON(data, []string{"records", "value", "Records"}) {
		item := Item{Offset: it.Offset, Raw: it.Raw}
		ev, err := ParseWinEventJSON(it.Raw, form)
		if it.Err != nil {
			err = it.Err
		}
		item.Records = m.records(name, &ev, err)
		out = append(out, item)
	}
	return out, nil
}

// NormalizeDoc maps one JSON document of the Windows JSON format called name (one event, as a
// shipper sends it one per _bulk item, not a body of several) to its rows; a document that
// cannot be read is one Record with Err set for WindowsEvent. It fails only for a name that is
// not a JSON Windows event format.
func (m *WinMapper) NormalizeDoc(name string, doc []byte) ([]Record, error) {
	form, ok := winFormatForms[name]
	if !ok {
		return nil, fmt.Errorf("unknown Windows JSON event format %q", name)
	}
	ev, err := ParseWinEventJSON(doc, form)
	return m.records(name, &ev, err), nil
}

func (m *WinMapper) normalizeXML(data []byte) []Item {
	chunks := SplitWinEventXML(data)
	if len(chunks) == 0 && len(bytes.TrimSpace(data)) > 0 {
		return []Item{{Raw: clipRaw(data), Records: m.records(WinFormatXML, nil, errors.New("no <Event> element"))}}
	}
	out := make([]Item, 0, len(chunks))
	for _, ch := range chunks {
		ev, err := ParseWinEventXML(ch.Data)
		out = append(out, Item{Offset: ch.Offset, Raw: ch.Data, Records: m.records(WinFormatXML, &ev, err)})
	}
	return out
}

// records maps one parsed event, or records why it could not be read.
func (m *WinMapper) records(format string, ev *WinEvent, err error) []Record {
	if err != nil {
		return []Record{{Table: m.tables["WindowsEvent"].t, Err: &ParseError{Format: format, Reason: err.Error()}}}
	}
	return m.Map(ev)
}

// clipRaw bounds the raw text kept for an unreadable body.
func clipRaw(b []byte) []byte {
	const most = 64 << 10
	if len(b) > most {
		return b[:most]
	}
	return b
}
