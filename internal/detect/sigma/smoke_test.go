package sigma

import (
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

const smokeRule = `
title: Encoded PowerShell
id: 11111111-2222-3333-4444-555555555555
status: test
level: high
tags: [attack.execution, attack.t1059.001]
logsource: {product: windows, category: process_creation}
detection:
  selection:
    Image|endswith: '\powershell.exe'
    CommandLine|contains: [' -enc ', ' -encodedcommand ']
  filter:
    User|contains: 'SYSTEM'
  condition: selection and not filter
`

func TestSmoke(t *testing.T) {
	rs := mustCompile(t, smokeRule, nil)
	b := makeBatch(t, "DeviceProcessEvents", []map[string]schema.Value{
		{"FolderPath": `C:\Windows\System32\WindowsPowerShell\v1.0\PowerShell.exe`, "ProcessCommandLine": "powershell -ENC abc", "AccountName": "alice", "AccountDomain": "CORP", "DeviceName": "ws1"},
		{"FolderPath": `C:\Windows\System32\WindowsPowerShell\v1.0\PowerShell.exe`, "ProcessCommandLine": "powershell -ENC abc", "AccountName": "SYSTEM", "AccountDomain": "NT AUTHORITY"},
		{"FolderPath": `C:\Windows\System32\cmd.exe`, "ProcessCommandLine": "cmd -enc abc"},
	})
	got := matchedRows(t, rs, b)
	if len(got) != 1 || got[0] != 0 {
		t.Fatalf("matched rows %v, want [0]", got)
	}
	as := detect(t, rs, b)
	a := as[0]
	if a.Severity != "High" || a.Techniques[0] != "T1059.001" || a.Tactics[0] != "Execution" || a.RuleID != "11111111-2222-3333-4444-555555555555" {
		t.Fatalf("alert %+v", a)
	}
	t.Logf("%+v", a)
}

func TestSmokeKQL(t *testing.T) {
	rules, err := Load([]byte(smokeRule), "x.yml")
	if err != nil {
		t.Fatal(err)
	}
	q, err := ToKQL(rules[0], Config{Registry: testReg})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(q)
}
