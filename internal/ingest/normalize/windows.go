package normalize

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/schema"
)

// Channels the WinMapper maps to dedicated tables.
const (
	SysmonChannel   = "Microsoft-Windows-Sysmon/Operational"
	SecurityChannel = "Security"
)

// winTables are the tables a WinMapper fills.
var winTables = []string{
	"DeviceProcessEvents", "DeviceNetworkEvents", "DeviceImageLoadEvents", "DeviceFileEvents",
	"DeviceRegistryEvents", "DeviceEvents", "DeviceLogonEvents", "SecurityEvent", "WindowsEvent", "IdentityLogonEvents",
}

// WinMapper maps Windows events to rows: Sysmon to the Defender Device* tables, Security to
// SecurityEvent (and DeviceLogonEvents/DeviceProcessEvents where Defender has the equivalent),
// and everything else to WindowsEvent. It is immutable and safe for concurrent use.
type WinMapper struct {
	tables map[string]*winTable
	sysmon map[int32]*sysmonSpec
	sec    map[string]target // Security event data name -> SecurityEvent column of that name
}

// winTable is a table with its columns by name.
type winTable struct {
	t    *schema.Table
	cols map[string]target
}

// NewWinMapper resolves the tables and every column the mapping tables name in reg.
func NewWinMapper(reg *schema.Registry) (*WinMapper, error) {
	m := &WinMapper{tables: map[string]*winTable{}}
	for _, name := range winTables {
		t, ok := reg.Table(name)
		if !ok {
			return nil, fmt.Errorf("normalize: table %s is not in the registry", name)
		}
		wt := &winTable{t: t, cols: make(map[string]target, len(t.Columns))}
		for i, c := range t.Columns {
			wt.cols[c.Name] = target{col: i, typ: c.Type}
		}
		m.tables[name] = wt
	}
	var err error
	if m.sysmon, err = m.resolveSysmon(); err != nil {
		return nil, fmt.Errorf("normalize: %w", err)
	}
	if m.sec, err = m.resolveSecurity(); err != nil {
		return nil, fmt.Errorf("normalize: %w", err)
	}
	return m, nil
}

// Map maps one event to its rows: one or more records, never none.
func (m *WinMapper) Map(ev *WinEvent) []Record {
	var recs []Record
	switch ev.Channel {
	case SysmonChannel:
		if spec := m.sysmon[ev.EventID]; spec != nil {
			recs = append(recs, m.sysmonRow(spec, ev))
		}
	case SecurityChannel:
		recs = append(recs, m.securityRows(ev)...)
	default:
	}
	if len(recs) == 0 {
		recs = append(recs, m.windowsEventRow(ev))
	}
	return recs
}

// winRow builds one row of a table, converting text to each column's type.
type winRow struct {
	wt  *winTable
	row []schema.Value
	bad string // a column the mapping names that the table lacks (a mapping bug)
}

func (m *WinMapper) newRow(table string) *winRow {
	wt := m.tables[table]
	return &winRow{wt: wt, row: make([]schema.Value, len(wt.t.Columns))}
}

// set converts s into column col; empty text stays null. It reports whether the value fit.
func (r *winRow) set(col, s string) bool {
	tg, ok := r.wt.cols[col]
	if !ok {
		if r.bad == "" {
			r.bad = col
		}
		return false
	}
	if s == "" {
		return true
	}
	v, ok := winConvert(tg.typ, s)
	if ok {
		r.row[tg.col] = v
	}
	return ok
}

// setValue stores a value of the column's type.
func (r *winRow) setValue(col string, v schema.Value) {
	tg, ok := r.wt.cols[col]
	if !ok {
		if r.bad == "" {
			r.bad = col
		}
		return
	}
	r.row[tg.col] = v
}

// setNonDash is set, except that Windows' "-" placeholder stays null.
func (r *winRow) setNonDash(col, s string) {
	if s != "-" {
		r.set(col, s)
	}
}

func (r *winRow) record() Record {
	if r.bad != "" {
		return Record{Table: r.wt.t, Err: &ParseError{Format: "winevent", Reason: "internal: no column " + r.bad}}
	}
	return Record{Table: r.wt.t, Row: r.row}
}

// winConvert converts text to a value of typ; integers may be 0x-hexadecimal (logon ids,
// process ids in Security events).
func winConvert(typ schema.Type, s string) (schema.Value, bool) {
	switch typ {
	case schema.TypeString:
		return strings.ToValidUTF8(s, "\uFFFD"), true
	case schema.TypeInt:
		n, ok := parseWinInt(s)
		return int32(n), ok && n >= -1<<31 && n < 1<<31
	case schema.TypeLong:
		return parseWinInt(s)
	case schema.TypeBool:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "1":
			return true, true
		case "false", "0":
			return false, true
		}
	case schema.TypeDatetime:
		t, err := parseWinTime(s)
		return t, err == nil
	case schema.TypeDynamic:
		if json.Valid([]byte(s)) {
			return schema.Dynamic(s), true
		}
	default:
	}
	return nil, false
}

// splitPath splits a Windows path into folder path (the whole path, as Defender's FolderPath
// holds it) and file name.
func splitPath(p string) (full, name string) {
	if i := strings.LastIndexAny(p, `\/`); i >= 0 {
		return p, p[i+1:]
	}
	return p, p
}

// splitAccount splits "DOMAIN\user" into domain and name.
func splitAccount(a string) (domain, name string) {
	if i := strings.IndexByte(a, '\\'); i >= 0 {
		return a[:i], a[i+1:]
	}
	return "", a
}

// jsonObject renders name/value pairs as a JSON object in the given order.
func jsonObject(kvs []WinData) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, kv := range kvs {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, kv.Name)
		b.WriteByte(':')
		if strings.HasPrefix(kv.Value, "[") && json.Valid([]byte(kv.Value)) {
			b.WriteString(kv.Value)
		} else {
			writeJSONString(&b, kv.Value)
		}
	}
	b.WriteByte('}')
	return b.String()
}

// levelNames are the standard event levels.
var levelNames = map[int32]string{0: "Information", 1: "Critical", 2: "Error", 3: "Warning", 4: "Information", 5: "Verbose"}

// windowsEventRow maps any event to the WindowsEvent table (Sentinel's table for events
// collected from any channel), keeping every data field in EventData.
func (m *WinMapper) windowsEventRow(ev *WinEvent) Record {
	r := m.newRow("WindowsEvent")
	r.setValue("TimeGenerated", ev.Time)
	r.set("Channel", ev.Channel)
	r.set("Computer", ev.Computer)
	r.set("Provider", ev.Provider)
	r.setValue("EventID", ev.EventID)
	r.setValue("EventLevel", ev.Level)
	r.set("EventLevelName", eventLevelName(ev))
	r.setValue("Version", ev.Version)
	r.setValue("Task", ev.Task)
	r.set("Opcode", fmt.Sprint(ev.Opcode))
	r.set("Keywords", ev.Keywords)
	if ev.RecordID != 0 {
		r.set("EventRecordId", fmt.Sprint(ev.RecordID))
	}
	r.setValue("SystemProcessId", ev.ProcessID)
	r.setValue("SystemThreadId", ev.ThreadID)
	r.set("SystemUserId", ev.UserID)
	r.set("Correlation", ev.ActivityID)
	r.setValue("EventData", schema.Dynamic(jsonObject(ev.Data)))
	return r.record()
}

func eventLevelName(ev *WinEvent) string {
	if ev.LevelName != "" {
		return ev.LevelName
	}
	return levelNames[ev.Level]
}
