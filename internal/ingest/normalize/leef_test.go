package normalize

import (
	"reflect"
	"testing"
)

func TestParseLEEF(t *testing.T) {
	p := newTestParser(t)
	tests := []struct {
		name, msg string
		want      map[string]any
	}{{
		name: "LEEF 1.0 with tabs behind an RFC 3164 header (QRadar documentation style)",
		msg: "<13>Mar 10 10:30:00 sensor01 LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|src=192.0.2.0\tdst=172.50.123.1\tsev=5\tcat=anomaly\t" +
			"srcPort=81\tdstPort=21\tusrName=joe.black\tdevTime=Mar 10 2024 10:29:58\tdevTimeFormat=MMM dd yyyy HH:mm:ss\tsrcBytes=1024\tdstBytes=2048",
		want: map[string]any{
			"TimeGenerated": at(2024, 3, 10, 10, 30, 0, 0), "Computer": "sensor01", "SourceSystem": "OpsManager",
			"DeviceVendor": "Microsoft", "DeviceProduct": "MSExchange", "DeviceVersion": "4.0 SP1", "DeviceEventClassID": "15345",
			"SourceIP": "192.0.2.0", "DestinationIP": "172.50.123.1", "LogSeverity": "5", "DeviceEventCategory": "anomaly",
			"SourcePort": int32(81), "DestinationPort": int32(21), "SourceUserName": "joe.black", "ReceiptTime": "Mar 10 2024 10:29:58",
			"SentBytes": int64(1024), "ReceivedBytes": int64(2048), "AdditionalExtensions": "devTimeFormat=MMM dd yyyy HH:mm:ss",
		},
	}, {
		name: "LEEF 2.0 with a caret delimiter",
		msg:  "LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5^srcPort=1234^dstPort=22^proto=6^policy=SSH brute^url=ssh://10.0.0.5",
		want: map[string]any{
			"TimeGenerated": testNow, "Computer": "192.0.2.10", "SourceSystem": "OpsManager",
			"DeviceVendor": "Lancope", "DeviceProduct": "StealthWatch", "DeviceVersion": "1.0", "DeviceEventClassID": "41",
			"SourceIP": "10.0.1.8", "DestinationIP": "10.0.0.5", "LogSeverity": "5", "SourcePort": int32(1234),
			"DestinationPort": int32(22), "Protocol": "6", "RequestURL": "ssh://10.0.0.5", "AdditionalExtensions": "policy=SSH brute",
		},
	}, {
		name: "LEEF 2.0 with a hex delimiter (x7C is '|') and a value holding '='",
		msg:  "LEEF:2.0|IBM|QRadar|7.5|LoginFailed|x7C|src=10.1.1.1|usrName=CORP\\eve|url=https://sso.example.com/login?next=/home|identHostName=laptop-7",
		want: map[string]any{
			"TimeGenerated": testNow, "Computer": "192.0.2.10", "SourceSystem": "OpsManager",
			"DeviceVendor": "IBM", "DeviceProduct": "QRadar", "DeviceVersion": "7.5", "DeviceEventClassID": "LoginFailed",
			"SourceIP": "10.1.1.1", "SourceUserName": "CORP\\eve", "RequestURL": "https://sso.example.com/login?next=/home",
			"SourceHostName": "laptop-7",
		},
	}, {
		name: "LEEF 2.0 without a delimiter field uses tab; unescaped tab inside a value continues it",
		msg:  "LEEF:2.0|Vendor|Prod|2|evt|msg=hello\tworld\tsrc=10.0.0.1\t",
		want: map[string]any{
			"TimeGenerated": testNow, "Computer": "192.0.2.10", "SourceSystem": "OpsManager",
			"DeviceVendor": "Vendor", "DeviceProduct": "Prod", "DeviceVersion": "2", "DeviceEventClassID": "evt",
			"SourceIP": "10.0.0.1", "AdditionalExtensions": "msg=hello\tworld",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := p.Parse([]byte(tt.msg), "192.0.2.10", testNow)
			if rec.Err != nil {
				t.Fatalf("error: %v", rec.Err)
			}
			if got := cells(rec.Table, rec.Row); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("row\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseLEEFErrors(t *testing.T) {
	p := newTestParser(t)
	tests := []struct{ msg, reason string }{
		{"LEEF:1.0|a|b", "leef: offset 12: LEEF header has 3 of 6 '|'-separated fields"},
		{"LEEF:3.0|a|b|c|d|x=1", "leef: offset 5: invalid version \"3.0\": want 1.0 or 2.0"},
		{"LEEF:2.0|a|b|c|d|xZZ|x=1", "leef: offset 17: invalid delimiter \"xZZ\": want one character or its hex code such as x09 or 0x5E"},
	}
	for _, tt := range tests {
		rec := p.Parse([]byte(tt.msg), "192.0.2.10", testNow)
		if rec.Err == nil {
			t.Errorf("%q: no error", tt.msg)
			continue
		}
		if rec.Table.Name != "CommonSecurityLog" || rec.Err.Error() != tt.reason {
			t.Errorf("%q:\n got %s %q\nwant %q", tt.msg, rec.Table.Name, rec.Err.Error(), tt.reason)
		}
	}
}
