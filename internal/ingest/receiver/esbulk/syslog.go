package esbulk

import (
	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// syslogRow maps an ECS-shaped document (as Beats, Logstash and Vector send) to a Syslog row.
func syslogRow(t *schema.Table, index string, src []byte) ([]schema.Value, *ingest.RowError) {
	var p fastjson.Parser
	v, rerr := parseObject(&p, src)
	if rerr != nil {
		return nil, rerr
	}
	ts := text(v, "@timestamp")
	if ts == "" {
		return nil, &ingest.RowError{Column: schema.ColTimeGenerated, Reason: "missing required time: @timestamp"}
	}
	tm, err := ingest.ParseDatetime(ts)
	if err != nil {
		return nil, &ingest.RowError{Column: schema.ColTimeGenerated, Reason: "@timestamp: " + err.Error()}
	}
	row := make([]schema.Value, len(t.Columns))
	set := func(col string, val schema.Value) {
		if i, ok := t.Column(col); ok && val != "" {
			row[i] = val
		}
	}
	set(schema.ColTimeGenerated, tm)
	set("SourceSystem", SourceSystem)
	if msg := text(v, "message"); msg != "" {
		set("SyslogMessage", msg)
	} else {
		set("SyslogMessage", string(src))
	}
	host := first(text(v, "host", "name"), text(v, "host", "hostname"))
	if h := v.Get("host"); host == "" && h != nil && h.Type() == fastjson.TypeString {
		host = string(h.GetStringBytes())
	}
	set("Computer", host)
	set("HostName", host)
	if ip := v.Get("host", "ip"); ip != nil {
		if ip.Type() == fastjson.TypeArray {
			ip = ip.Get("0")
		}
		if ip != nil && ip.Type() == fastjson.TypeString {
			set("HostIP", string(ip.GetStringBytes()))
		}
	}
	set("ProcessName", text(v, "process", "name"))
	if pid := v.Get("process", "pid"); pid != nil && pid.Type() == fastjson.TypeNumber {
		if n, err := pid.Int(); err == nil && n >= 0 && n <= 1<<31-1 {
			if i, ok := t.Column("ProcessID"); ok {
				row[i] = int32(n)
			}
		}
	}
	set("SeverityLevel", first(text(v, "log", "level"), text(v, "log", "syslog", "severity", "name")))
	set("Facility", first(text(v, "log", "syslog", "facility", "name"), index))
	return row, nil
}

// text returns the string at path ("" when absent or not a string). Dotted keys as sent by
// some shippers ("host.name": ...) are tried too.
func text(v *fastjson.Value, path ...string) string {
	x := v.Get(path...)
	if x == nil && len(path) > 1 {
		key := path[0]
		for _, p := range path[1:] {
			key += "." + p
		}
		x = v.Get(key)
	}
	if x == nil || x.Type() != fastjson.TypeString {
		return ""
	}
	return string(x.GetStringBytes())
}

func first(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
