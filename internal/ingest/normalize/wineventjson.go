package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// WinJSONForm names a JSON shape of Windows events.
type WinJSONForm int

// The JSON forms ParseWinEventJSON reads.
const (
	WinJSONAuto       WinJSONForm = iota // whichever of the others the object has the shape of
	WinJSONWinlogbeat                    // Elastic Winlogbeat: winlog.event_id, winlog.event_data, @timestamp
	WinJSONNXLog                         // NXLog im_msvistalog to_json(): EventID, Hostname, EventTime, data at the top
	WinJSONEvtx                          // EVTX/XML converted to JSON: Event.System, Event.EventData
)

// String returns the form's name as the CLI spells it.
func (f WinJSONForm) String() string {
	switch f {
	case WinJSONWinlogbeat:
		return "winlogbeat"
	case WinJSONNXLog:
		return "nxlog"
	case WinJSONEvtx:
		return "evtx-json"
	case WinJSONAuto:
	}
	return "winevent-json"
}

// jfield is one member of a JSON object, in document order.
type jfield struct {
	k string
	v any // string, json.Number, bool, nil, jobj or []any
}

// jobj is a JSON object that keeps its member order (EventData order matters).
type jobj []jfield

func (o jobj) get(k string) any {
	for _, f := range o {
		if f.k == k {
			return f.v
		}
	}
	return nil
}

func (o jobj) obj(k string) jobj { v, _ := o.get(k).(jobj); return v }

func (o jobj) str(k string) string { return jsonText(o.get(k)) }

const maxJSONDepth = 64

// decodeJObj decodes one JSON object, keeping member order; anything after it is an error.
func decodeJObj(b []byte) (jobj, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	v, err := decodeJValue(d, 0)
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	o, ok := v.(jobj)
	if !ok {
		return nil, errors.New("json: not an object")
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("json: text after the object")
	}
	return o, nil
}

func decodeJValue(d *json.Decoder, depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, errors.New("nested too deeply")
	}
	tok, err := d.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	switch delim {
	case '{':
		o := jobj{}
		for d.More() {
			kt, err := d.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			v, err := decodeJValue(d, depth+1)
			if err != nil {
				return nil, err
			}
			o = append(o, jfield{k: k, v: v})
		}
		_, err := d.Token()
		return o, err
	case '[':
		var a []any
		for d.More() {
			v, err := decodeJValue(d, depth+1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := d.Token()
		return a, err
	default:
		return nil, fmt.Errorf("unexpected %v", delim)
	}
}

// jsonText renders a JSON value as event data text: strings as they are, numbers as written,
// objects and arrays as compact JSON, null as "".
func jsonText(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		if t {
			return "true"
		}
		return "false"
	default:
		var b strings.Builder
		writeJSON(&b, v)
		return b.String()
	}
}

func writeJSON(b *strings.Builder, v any) {
	switch t := v.(type) {
	case jobj:
		b.WriteByte('{')
		for i, f := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, f.k)
			b.WriteByte(':')
			writeJSON(b, f.v)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case string:
		writeJSONString(b, t)
	case nil:
		b.WriteString("null")
	default:
		b.WriteString(jsonText(t))
	}
}

func writeJSONString(b *strings.Builder, s string) {
	q, _ := json.Marshal(strings.ToValidUTF8(s, "\uFFFD"))
	b.Write(q)
}

// ParseWinEventJSON parses one JSON event of the given form (WinJSONAuto detects it).
func ParseWinEventJSON(b []byte, form WinJSONForm) (WinEvent, error) {
	o, err := decodeJObj(b)
	if err != nil {
		return WinEvent{}, err
	}
	if form == WinJSONAuto {
		switch {
		case o.obj("winlog") != nil:
			form = WinJSONWinlogbeat
		case o.obj("Event") != nil:
			form = WinJSONEvtx
		case o.get("EventID") != nil:
			form = WinJSONNXLog
		default:
			return WinEvent{}, errors.New("not a Windows event: no winlog, Event or EventID member")
		}
	}
	switch form {
	case WinJSONWinlogbeat:
		return parseWinlogbeat(o)
	case WinJSONNXLog:
		return parseNXLog(o)
	case WinJSONEvtx:
		return parseEvtxJSON(o)
	case WinJSONAuto:
	}
	return WinEvent{}, fmt.Errorf("unknown form %d", form)
}

// parseWinlogbeat reads Winlogbeat's ECS document (winlog.* fields).
func parseWinlogbeat(o jobj) (WinEvent, error) {
	w := o.obj("winlog")
	if w == nil {
		return WinEvent{}, errors.New("winlogbeat: no winlog object")
	}
	proc := w.obj("process")
	ev := WinEvent{
		Channel: w.str("channel"), Provider: w.str("provider_name"), Computer: w.str("computer_name"),
		UserID: w.obj("user").str("identifier"), ActivityID: w.str("activity_id"), LevelName: o.obj("log").str("level"),
	}
	// Processors may drop winlog members ECS also carries: event.code is the event id,
	// event.provider the provider, host.name the computer.
	id := w.str("event_id")
	if id == "" {
		id = o.obj("event").str("code")
	}
	if ev.Provider == "" {
		ev.Provider = o.obj("event").str("provider")
	}
	if ev.Computer == "" {
		ev.Computer = o.obj("host").str("name")
	}
	if kw, ok := w.get("keywords").([]any); ok && len(kw) > 0 {
		ev.KeywordName = jsonText(kw[0])
	}
	ts := o.str("@timestamp")
	if ts == "" {
		ts = w.str("time_created")
	}
	if err := ev.setSystem(id, ts, [...]string{
		w.str("version"), "", w.str("task"), w.str("opcode"), proc.str("pid"), proc.obj("thread").str("id"), w.str("record_id"),
	}); err != nil {
		return WinEvent{}, fmt.Errorf("winlogbeat: %w", err)
	}
	ev.addObject(w.obj("event_data"))
	ev.addObject(w.obj("user_data"))
	return ev, nil
}

// nxlogSystem are the fields im_msvistalog adds besides the event data.
var nxlogSystem = map[string]bool{
	"EventTime": true, "EventTimeWritten": true, "Hostname": true, "Keywords": true, "EventType": true,
	"SeverityValue": true, "Severity": true, "EventID": true, "SourceName": true, "ProviderGuid": true,
	"Version": true, "Task": true, "OpcodeValue": true, "RecordNumber": true, "ActivityID": true,
	"RelatedActivityID": true, "ExecutionProcessID": true, "ExecutionThreadID": true, "Channel": true,
	"Message": true, "Category": true, "Opcode": true, "Level": true, "EventReceivedTime": true,
	"SourceModuleName": true, "SourceModuleType": true, "UserID": true, "AccountName": true,
	"AccountType": true, "Domain": true, "ERROR_EVT_UNRESOLVED": true, "MessageSourceAddress": true,
}

// parseNXLog reads NXLog's im_msvistalog fields, whose event data sit at the top level.
func parseNXLog(o jobj) (WinEvent, error) {
	ev := WinEvent{
		Channel: o.str("Channel"), Provider: o.str("SourceName"), Computer: o.str("Hostname"),
		UserID: o.str("UserID"), ActivityID: o.str("ActivityID"), LevelName: o.str("Severity"),
		KeywordName: o.str("EventType"),
	}
	if err := ev.setSystem(o.str("EventID"), o.str("EventTime"), [...]string{
		o.str("Version"), "", o.str("Task"), o.str("OpcodeValue"), o.str("ExecutionProcessID"),
		o.str("ExecutionThreadID"), o.str("RecordNumber"),
	}); err != nil {
		return WinEvent{}, fmt.Errorf("nxlog: %w", err)
	}
	if kw := o.str("Keywords"); kw != "" {
		if n, ok := parseWinInt(kw); ok {
			ev.Keywords = fmt.Sprintf("0x%x", uint64(n))
		}
	}
	for _, f := range o {
		if !nxlogSystem[f.k] {
			ev.addData(f.k, jsonText(f.v))
		}
	}
	return ev, nil
}

// parseEvtxJSON reads the XML structure converted to JSON: attributes either under
// "#attributes" (evtx_dump) or as "@Name" members (xmltodict), element text as "#text".
func parseEvtxJSON(o jobj) (WinEvent, error) {
	e := o.obj("Event")
	if e == nil {
		return WinEvent{}, errors.New("evtx-json: no Event object")
	}
	s := e.obj("System")
	if s == nil {
		return WinEvent{}, errors.New("evtx-json: no Event.System object")
	}
	exec := s.obj("Execution")
	ev := WinEvent{
		Channel: elemText(s.get("Channel")), Provider: attr(s.obj("Provider"), "Name"),
		Keywords: elemText(s.get("Keywords")), Computer: elemText(s.get("Computer")),
		UserID: attr(s.obj("Security"), "UserID"), ActivityID: attr(s.obj("Correlation"), "ActivityID"),
	}
	if err := ev.setSystem(elemText(s.get("EventID")), attr(s.obj("TimeCreated"), "SystemTime"), [...]string{
		elemText(s.get("Version")), elemText(s.get("Level")), elemText(s.get("Task")), elemText(s.get("Opcode")),
		attr(exec, "ProcessID"), attr(exec, "ThreadID"), elemText(s.get("EventRecordID")),
	}); err != nil {
		return WinEvent{}, fmt.Errorf("evtx-json: %w", err)
	}
	ev.addEvtxData(e.get("EventData"))
	if ud := e.obj("UserData"); ud != nil {
		for _, f := range ud {
			if inner, ok := f.v.(jobj); ok && !strings.HasPrefix(f.k, "#") && !strings.HasPrefix(f.k, "@") {
				ev.addObject(inner)
			}
		}
	}
	return ev, nil
}

// addEvtxData adds EventData in either shape: {"Name": value, ...} or {"Data": [{"@Name": n,
// "#text": v}, ...]}.
func (e *WinEvent) addEvtxData(v any) {
	o, ok := v.(jobj)
	if !ok {
		return
	}
	data := o.get("Data")
	list, isList := data.([]any)
	if one, isObj := data.(jobj); isObj {
		list, isList = []any{one}, true
	}
	if !isList {
		e.addObject(o)
		return
	}
	for i, d := range list {
		name, val := "", jsonText(d)
		if do, ok := d.(jobj); ok {
			name, val = attr(do, "Name"), elemText(do)
		}
		if name == "" {
			name = fmt.Sprintf("param%d", i+1)
		}
		e.addData(name, val)
	}
}

// addObject adds the members of a data object, skipping XML-attribute members.
func (e *WinEvent) addObject(o jobj) {
	for _, f := range o {
		if f.k == "#attributes" || strings.HasPrefix(f.k, "@") {
			continue
		}
		e.addData(f.k, elemText(f.v))
	}
}

// attr reads an XML attribute converted to JSON.
func attr(o jobj, name string) string {
	if a := o.obj("#attributes"); a != nil {
		if v := a.get(name); v != nil {
			return jsonText(v)
		}
	}
	if v := o.get("@" + name); v != nil {
		return jsonText(v)
	}
	return o.str(name)
}

// elemText reads an element converted to JSON: a plain value, or an object with "#text".
func elemText(v any) string {
	if o, ok := v.(jobj); ok {
		if t := o.get("#text"); t != nil {
			return jsonText(t)
		}
		if len(o) == 0 {
			return ""
		}
		for _, f := range o {
			if f.k != "#attributes" && !strings.HasPrefix(f.k, "@") {
				return jsonText(v)
			}
		}
		return ""
	}
	return jsonText(v)
}
