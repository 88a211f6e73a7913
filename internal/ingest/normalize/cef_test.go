package normalize

import (
	"reflect"
	"testing"
)

func TestParseCEF(t *testing.T) {
	p := newTestParser(t)
	tests := []struct {
		name, msg string
		want      map[string]any
	}{{
		name: "Palo Alto TRAFFIC behind an RFC 3164 header",
		msg: "<14>Mar 10 11:00:00 PA-5220 CEF:0|Palo Alto Networks|PAN-OS|10.1.0|end|TRAFFIC|1|rt=Mar 10 2024 11:00:00 GMT deviceExternalId=013201001234 src=10.0.0.15 dst=203.0.113.80 " +
			"sourceTranslatedAddress=198.51.100.2 destinationTranslatedAddress=203.0.113.80 cs1Label=Rule cs1=allow-web suser=corp\\\\alice duser= cs2Label=App Category cs2=web-browsing " +
			"cs3Label=Virtual System cs3=vsys1 cs4Label=Source Zone cs4=trust cs5Label=Destination Zone cs5=untrust deviceInboundInterface=ethernet1/2 deviceOutboundInterface=ethernet1/1 " +
			"cn1Label=SessionID cn1=33760 cnt=1 spt=52311 dpt=443 sourceTranslatedPort=24816 destinationTranslatedPort=443 proto=TCP act=allow in=5120 out=1840 PanOSPackets=22 " +
			"start=Mar 10 2024 10:59:30 GMT cat=computer-and-internet-info dvchost=PA-5220 externalId=7215",
		want: map[string]any{
			"TimeGenerated": at(2024, 3, 10, 11, 0, 0, 0), "Computer": "PA-5220", "SourceSystem": "OpsManager",
			"DeviceVendor": "Palo Alto Networks", "DeviceProduct": "PAN-OS", "DeviceVersion": "10.1.0", "DeviceEventClassID": "end",
			"Activity": "TRAFFIC", "LogSeverity": "1", "ReceiptTime": "Mar 10 2024 11:00:00 GMT", "DeviceExternalID": "013201001234",
			"SourceIP": "10.0.0.15", "DestinationIP": "203.0.113.80", "SourceTranslatedAddress": "198.51.100.2",
			"DestinationTranslatedAddress": "203.0.113.80", "DeviceCustomString1Label": "Rule", "DeviceCustomString1": "allow-web",
			"SourceUserName": `corp\alice`, "DeviceCustomString2Label": "App Category", "DeviceCustomString2": "web-browsing",
			"DeviceCustomString3Label": "Virtual System", "DeviceCustomString3": "vsys1", "DeviceCustomString4Label": "Source Zone",
			"DeviceCustomString4": "trust", "DeviceCustomString5Label": "Destination Zone", "DeviceCustomString5": "untrust",
			"DeviceInboundInterface": "ethernet1/2", "DeviceOutboundInterface": "ethernet1/1", "DeviceCustomNumber1Label": "SessionID",
			"DeviceCustomNumber1": int32(33760), "FieldDeviceCustomNumber1": int64(33760), "EventCount": int32(1),
			"SourcePort": int32(52311), "DestinationPort": int32(443), "SourceTranslatedPort": int32(24816),
			"DestinationTranslatedPort": int32(443), "Protocol": "TCP", "DeviceAction": "allow", "ReceivedBytes": int64(5120),
			"SentBytes": int64(1840), "AdditionalExtensions": "PanOSPackets=22", "StartTime": at(2024, 3, 10, 10, 59, 30, 0),
			"DeviceEventCategory": "computer-and-internet-info", "DeviceName": "PA-5220", "ExternalID": int32(7215), "ExtID": "7215",
		},
	}, {
		name: "Fortinet FortiGate, bare CEF without a syslog header, epoch-millisecond times",
		msg: "CEF:0|Fortinet|Fortigate|v7.2.4|00013|traffic:forward close|3|deviceExternalId=FGT60F0000000001 FTNTFGTlogid=0000000013 cat=traffic:forward " +
			"FTNTFGTsubtype=forward FTNTFGTlevel=notice FTNTFGTvd=root src=192.168.1.20 spt=61337 deviceInboundInterface=internal dst=142.250.74.110 dpt=443 " +
			"deviceOutboundInterface=wan1 externalId=93817 act=close proto=6 app=HTTPS FTNTFGTpolicyid=1 out=2190 in=6730 end=1710068400123 smac=00:11:22:33:44:55",
		want: map[string]any{
			"TimeGenerated": testNow, "Computer": "192.0.2.10", "SourceSystem": "OpsManager",
			"DeviceVendor": "Fortinet", "DeviceProduct": "Fortigate", "DeviceVersion": "v7.2.4", "DeviceEventClassID": "00013",
			"Activity": "traffic:forward close", "LogSeverity": "3", "DeviceExternalID": "FGT60F0000000001",
			"DeviceEventCategory": "traffic:forward", "SourceIP": "192.168.1.20", "SourcePort": int32(61337),
			"DeviceInboundInterface": "internal", "DestinationIP": "142.250.74.110", "DestinationPort": int32(443),
			"DeviceOutboundInterface": "wan1", "ExternalID": int32(93817), "ExtID": "93817", "DeviceAction": "close", "Protocol": "6",
			"ApplicationProtocol": "HTTPS", "SentBytes": int64(2190), "ReceivedBytes": int64(6730),
			"EndTime": at(2024, 3, 10, 11, 0, 0, 123000000), "SourceMACAddress": "00:11:22:33:44:55",
			"AdditionalExtensions": "FTNTFGTlogid=0000000013;FTNTFGTsubtype=forward;FTNTFGTlevel=notice;FTNTFGTvd=root;FTNTFGTpolicyid=1",
		},
	}, {
		name: "Check Point behind RFC 5424, escaped pipe in the header, file fields, floating point",
		msg: `<134>1 2024-03-10T10:00:00Z cp-mgmt CheckPoint 26102 - - CEF:0|Check Point|SmartDefense|Check Point|Log|Threat Emulation \| malicious|High|` +
			`act=Prevent fname=invoice.pdf.exe fileHash=3395856ce81f2b7382dee72602f798b642f14140 fsize=48213 fileType=exe shost=ws-114 suser=bob dhost=mail.example.com ` +
			`cfp1Label=Confidence cfp1=0.97 reason=Malicious file deviceDirection=0 filePath=C:\\Users\\bob\\Downloads\\invoice.pdf.exe`,
		want: map[string]any{
			"TimeGenerated": at(2024, 3, 10, 10, 0, 0, 0), "Computer": "cp-mgmt", "SourceSystem": "OpsManager",
			"DeviceVendor": "Check Point", "DeviceProduct": "SmartDefense", "DeviceVersion": "Check Point", "DeviceEventClassID": "Log",
			"Activity": "Threat Emulation | malicious", "LogSeverity": "High", "DeviceAction": "Prevent", "FileName": "invoice.pdf.exe",
			"FileHash": "3395856ce81f2b7382dee72602f798b642f14140", "FileSize": int32(48213), "FileType": "exe", "SourceHostName": "ws-114",
			"SourceUserName": "bob", "DestinationHostName": "mail.example.com", "DeviceCustomFloatingPoint1Label": "Confidence",
			"DeviceCustomFloatingPoint1": 0.97, "Reason": "Malicious file", "CommunicationDirection": "0",
			"FilePath": `C:\Users\bob\Downloads\invoice.pdf.exe`,
		},
	}, {
		name: "Cisco ASA-style via a CEF forwarder: full key names, request URL with '=', escaped '=' and newline",
		msg: `<132>Mar 10 09:00:00 asa-fw01 CEF:0|Cisco|ASA|9.16|106023|Deny tcp by access-group|5|sourceAddress=10.2.3.4 destinationAddress=198.51.100.9 ` +
			`sourcePort=3312 destinationPort=80 transportProtocol=tcp deviceAction=Deny request=http://evil.example/p?a=1&b=2 requestMethod=GET ` +
			`msg=line one\nline two with \= sign and \\ backslash cs6Label=ACL cs6=outside_access_in dvc=10.0.0.1 dmac=AA:BB:CC:DD:EE:FF type=0 spid=412 sproc=lsass.exe`,
		want: map[string]any{
			"TimeGenerated": at(2024, 3, 10, 9, 0, 0, 0), "Computer": "asa-fw01", "SourceSystem": "OpsManager",
			"DeviceVendor": "Cisco", "DeviceProduct": "ASA", "DeviceVersion": "9.16", "DeviceEventClassID": "106023",
			"Activity": "Deny tcp by access-group", "LogSeverity": "5", "SourceIP": "10.2.3.4", "DestinationIP": "198.51.100.9",
			"SourcePort": int32(3312), "DestinationPort": int32(80), "Protocol": "tcp", "DeviceAction": "Deny",
			"RequestURL": "http://evil.example/p?a=1&b=2", "RequestMethod": "GET",
			"Message": "line one\nline two with = sign and \\ backslash", "DeviceCustomString6Label": "ACL",
			"DeviceCustomString6": "outside_access_in", "DeviceAddress": "10.0.0.1", "DestinationMACAddress": "AA:BB:CC:DD:EE:FF",
			"EventType": int32(0), "SourceProcessId": int32(412), "SourceProcessName": "lsass.exe",
		},
	}, {
		name: "bad numbers and unknown keys go to AdditionalExtensions; empty values stay null",
		msg:  "CEF:1|Acme|Box|1.0|42|Thing|Very-High|spt=notaport cn2=99999999999 cs1= ad.user=x y=z flexString1=f",
		want: map[string]any{
			"TimeGenerated": testNow, "Computer": "192.0.2.10", "SourceSystem": "OpsManager",
			"DeviceVendor": "Acme", "DeviceProduct": "Box", "DeviceVersion": "1.0", "DeviceEventClassID": "42", "Activity": "Thing",
			"LogSeverity": "Very-High", "FieldDeviceCustomNumber2": int64(99999999999), "FlexString1": "f",
			"AdditionalExtensions": "spt=notaport;ad.user=x;y=z",
		},
	}, {
		name: "header only, trailing pipe missing",
		msg:  "CEF:0|Vendor|Product|1|sig|Name|7",
		want: map[string]any{
			"TimeGenerated": testNow, "Computer": "192.0.2.10", "SourceSystem": "OpsManager", "DeviceVendor": "Vendor",
			"DeviceProduct": "Product", "DeviceVersion": "1", "DeviceEventClassID": "sig", "Activity": "Name", "LogSeverity": "7",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := p.Parse([]byte(tt.msg), "192.0.2.10", testNow)
			if rec.Err != nil {
				t.Fatalf("error: %v", rec.Err)
			}
			if rec.Table.Name != "CommonSecurityLog" {
				t.Fatalf("table %s", rec.Table.Name)
			}
			got := cells(rec.Table, rec.Row)
			for k, v := range tt.want {
				if !reflect.DeepEqual(got[k], v) {
					t.Errorf("%s = %#v, want %#v", k, got[k], v)
				}
			}
			for k, v := range got {
				if _, ok := tt.want[k]; !ok {
					t.Errorf("unexpected %s = %#v", k, v)
				}
			}
		})
	}
}

func TestParseCEFErrors(t *testing.T) {
	p := newTestParser(t)
	tests := []struct{ msg, reason string }{
		{"CEF:0|a|b|c", "cef: offset 11: CEF header has 4 of 8 '|'-separated fields"},
		{"<13>Mar 10 08:00:00 host CEF:0|only", "cef: offset 35: CEF header has 2 of 8 '|'-separated fields"},
		{"CEF:0x|a|b|c|d|e|f|", "cef: offset 4: invalid version \"0x\": want digits after CEF:"},
		{"CEF:0|a|b|c|d|e|f|no pairs here", "cef: offset 18: extension has no key=value pair"},
		{"CEF:0|a|b|c|d|e|f|junk src=1.2.3.4", "cef: offset 18: extension has text before its first key: \"junk\""},
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

// TestCEFMapping checks that every mapped key lands in a column of CommonSecurityLog.
func TestCEFMapping(t *testing.T) {
	p := newTestParser(t)
	if n := len(p.cef); n < 150 {
		t.Errorf("%d CEF keys mapped, want at least 150 (short and full names)", n)
	}
	for k, ts := range p.cef {
		if len(ts) == 0 {
			t.Errorf("key %s maps to no column", k)
		}
	}
}

func BenchmarkParseCEF(b *testing.B) {
	p := newTestParser(b)
	msg := []byte("<134>Mar 10 11:00:00 fw01 CEF:0|Palo Alto Networks|PAN-OS|10.1.0|end|TRAFFIC|1|rt=Mar 10 2024 11:00:00 GMT deviceExternalId=013201001234 " +
		"src=10.0.0.15 dst=203.0.113.80 cs1Label=Rule cs1=allow-web suser=corp\\\\alice cn1Label=SessionID cn1=33760 spt=52311 dpt=443 proto=TCP " +
		"act=allow in=5120 out=1840 PanOSPackets=22 cat=computer-and-internet-info dvchost=fw01 request=http://example.com/a?b\\=c")
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if rec := p.Parse(msg, "192.0.2.10", testNow); rec.Err != nil {
			b.Fatal(rec.Err)
		}
	}
}
