package sigma

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// BenchData is a generated benchmark input: process_creation rules and Windows process
// creation events, as plain files other Sigma engines can read too.
type BenchData struct {
	Rules        map[string][]byte // file name -> Sigma rule YAML
	SysmonEvents [][]byte          // NDJSON lines with Sysmon event 1 field names
	VigilEvents  [][]byte          // the same events as DeviceProcessEvents columns
	Malicious    int               // events built to match some rule
}

// benchBinaries are process images the generator uses for rules and events.
var benchBinaries = []string{
	"powershell.exe", "pwsh.exe", "cmd.exe", "rundll32.exe", "regsvr32.exe", "mshta.exe", "wscript.exe",
	"cscript.exe", "certutil.exe", "bitsadmin.exe", "schtasks.exe", "wmic.exe", "reg.exe", "net.exe",
	"net1.exe", "sc.exe", "msiexec.exe", "installutil.exe", "regasm.exe", "msbuild.exe", "forfiles.exe",
	"at.exe", "bcdedit.exe", "vssadmin.exe", "wevtutil.exe", "whoami.exe", "nltest.exe", "dsquery.exe",
	"curl.exe", "wget.exe", "tar.exe", "expand.exe", "findstr.exe", "hh.exe", "odbcconf.exe",
	"pcalua.exe", "msdt.exe", "control.exe", "explorer.exe", "svchost.exe", "conhost.exe", "taskhostw.exe",
	"notepad.exe", "chrome.exe", "msedge.exe", "outlook.exe", "winword.exe", "excel.exe", "teams.exe",
	"onedrive.exe", "searchindexer.exe", "dllhost.exe", "wmiprvse.exe", "spoolsv.exe", "lsass.exe",
}

// benchWords are command-line fragments of the kinds detection rules look for.
var benchWords = []string{
	"-encodedcommand", "-enc", "downloadstring", "downloadfile", "invoke-expression", "iex", "-nop",
	"-windowstyle hidden", "bypass", "frombase64string", "net.webclient", "start-bitstransfer",
	"-urlcache", "-split", "/transfer", "javascript:", "vbscript:", "scrobj.dll", "/i:http", "shadowcopy",
	"delete shadows", "/create", "/sc minute", "add-mppreference", "exclusionpath", "sekurlsa",
	"lsadump", "comsvcs.dll", "minidump", "procdump", "-ma lsass", "domain_trusts", "dclist",
	"/dcname", "localgroup administrators", "user /add", "/grant", "everyone:f", "safeboot",
	"recoveryenabled no", "clear-log", "cl security", "reg save", "hklm\\sam", "hklm\\system",
}

const benchTemplate = `title: Generated rule %d
id: %s
status: test
level: %s
description: Generated benchmark rule %d
author: vigil bench-data
date: 2024-01-01
tags:
    - attack.execution
    - attack.t%04d
logsource:
    category: process_creation
    product: windows
detection:
%s
falsepositives:
    - Unknown
`

// GenerateBench makes nRules rules and nEvents events from seed. Rules take the usual shapes
// (Image endswith, CommandLine contains any or all, ParentImage, OriginalFileName, re, a
// filter); about 1% of events are built to match a rule, the rest are benign-looking.
func GenerateBench(seed uint64, nRules, nEvents int) *BenchData {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) //nolint:gosec // reproducible benchmark data, not secrets
	d := &BenchData{Rules: map[string][]byte{}}
	words := benchVocabulary(rng)
	type shape struct{ image, parent, word, word2 string }
	shapes := make([]shape, nRules)
	levels := []string{"low", "medium", "high", "critical"}
	for i := range nRules {
		s := shape{image: pick(rng, benchBinaries), parent: pick(rng, benchBinaries), word: pick(rng, words), word2: pick(rng, words)}
		shapes[i] = s
		det := benchDetection(i, s.image, s.parent, s.word, s.word2)
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		d.Rules[fmt.Sprintf("rule_%05d.yml", i)] = fmt.Appendf(nil, benchTemplate, i, id, levels[i%4], i, 1000+i%1000, det)
	}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range nEvents {
		ev := benignEvent(rng, i, t0)
		if nRules > 0 && rng.IntN(100) == 0 {
			s := shapes[rng.IntN(nRules)]
			ev.image, ev.parent = `C:\Windows\System32\`+s.image, `C:\Windows\System32\`+s.parent
			ev.original = strings.ToUpper(s.image)
			ev.cmd = s.image + " " + s.word + " " + s.word2 + " 1234"
			d.Malicious++
		}
		d.SysmonEvents = append(d.SysmonEvents, ev.sysmon())
		d.VigilEvents = append(d.VigilEvents, ev.vigil())
	}
	return d
}

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

// benchVocabulary is the rule words plus synthetic tool names, so that large rule sets do not
// repeat themselves.
func benchVocabulary(rng *rand.Rand) []string {
	out := append([]string{}, benchWords...)
	for range 2000 {
		out = append(out, fmt.Sprintf("-%s%04x", []string{"tool", "stage", "pay", "inject", "dump"}[rng.IntN(5)], rng.IntN(1<<16)))
	}
	return out
}

// benchDetection writes one of seven rule shapes.
func benchDetection(i int, image, parent, word, word2 string) string {
	switch i % 7 {
	case 0:
		return fmt.Sprintf("    selection:\n        Image|endswith: '\\%s'\n        CommandLine|contains:\n            - '%s'\n            - '%s'\n    condition: selection", image, word, word2)
	case 1:
		return fmt.Sprintf("    selection:\n        Image|endswith: '\\%s'\n        CommandLine|contains|all:\n            - '%s'\n            - '%s'\n    condition: selection", image, word, word2)
	case 2:
		return fmt.Sprintf("    selection:\n        ParentImage|endswith: '\\%s'\n        Image|endswith: '\\%s'\n        CommandLine|contains: '%s'\n    condition: selection", parent, image, word)
	case 3:
		return fmt.Sprintf("    selection_img:\n        - Image|endswith: '\\%s'\n        - OriginalFileName: '%s'\n    selection_cli:\n        CommandLine|contains: '%s'\n    condition: all of selection_*", image, strings.ToUpper(image), word)
	case 4:
		return fmt.Sprintf("    selection:\n        CommandLine|re: '(?i)%s\\s+%s'\n    condition: selection", reQuote(image), reQuote(word))
	case 5:
		return fmt.Sprintf("    selection:\n        Image|endswith: '\\%s'\n        CommandLine|contains: '%s'\n    filter:\n        User|contains:\n            - 'AUTHORI'\n            - 'AUTORI'\n    condition: selection and not filter", image, word)
	default:
		return fmt.Sprintf("    selection_a:\n        CommandLine|contains: '%s'\n    selection_b:\n        CommandLine|contains: '%s'\n    condition: 1 of selection_*", word+" "+word2, word2+" "+word)
	}
}

func reQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`.+*?()|[]{}^$\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return strings.ReplaceAll(b.String(), "'", "''")
}

type benchEvent struct {
	t                                      time.Time
	host, user, domain, image, parent, cmd string
	parentCmd, original, integrity, curdir string
	pid, ppid                              int
	sha1, md5, sha256                      string
}

func benignEvent(rng *rand.Rand, i int, t0 time.Time) benchEvent {
	img := benchBinaries[30+rng.IntN(len(benchBinaries)-30)]
	par := benchBinaries[30+rng.IntN(len(benchBinaries)-30)]
	args := []string{"--type=renderer", "/prefetch:1", "-Embedding", "/s", "--no-sandbox", "-k netsvcs", "/c echo ok", "C:\\Users\\Public\\doc.txt"}
	cmd := fmt.Sprintf(`"C:\Program Files\App\%s" %s %s --field-trial-handle=%d,%d`, img, pick(rng, args), pick(rng, args), rng.IntN(99999), rng.IntN(99999))
	return benchEvent{
		t: t0.Add(time.Duration(i) * time.Millisecond), host: fmt.Sprintf("WS%04d.corp.local", rng.IntN(500)),
		user: fmt.Sprintf("user%03d", rng.IntN(300)), domain: "CORP", image: `C:\Program Files\App\` + img,
		parent: `C:\Windows\` + par, cmd: cmd, parentCmd: par + " -k", original: strings.ToUpper(img), integrity: "Medium",
		curdir: `C:\Users\Public\`, pid: 1000 + rng.IntN(60000), ppid: 1000 + rng.IntN(60000),
		sha1: fmt.Sprintf("%040x", rng.Uint64()), md5: fmt.Sprintf("%032x", rng.Uint64()), sha256: fmt.Sprintf("%064x", rng.Uint64()),
	}
}

func (e benchEvent) sysmon() []byte {
	b, _ := json.Marshal(map[string]any{
		"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": e.host,
		"UtcTime": e.t.Format("2006-01-02 15:04:05.000"), "Image": e.image, "CommandLine": e.cmd,
		"ParentImage": e.parent, "ParentCommandLine": e.parentCmd, "OriginalFileName": e.original,
		"User": e.domain + `\` + e.user, "IntegrityLevel": e.integrity, "CurrentDirectory": e.curdir,
		"ProcessId": e.pid, "ParentProcessId": e.ppid,
		"Hashes": "SHA1=" + strings.ToUpper(e.sha1) + ",MD5=" + strings.ToUpper(e.md5) + ",SHA256=" + strings.ToUpper(e.sha256),
	})
	return b
}

func (e benchEvent) vigil() []byte {
	_, file := splitLast(e.image)
	_, pfile := splitLast(e.parent)
	b, _ := json.Marshal(map[string]any{
		"Timestamp": e.t.Format(time.RFC3339Nano), "TimeGenerated": e.t.Format(time.RFC3339Nano), "DeviceName": e.host,
		"ActionType": "ProcessCreated", "FolderPath": e.image, "FileName": file, "ProcessCommandLine": e.cmd,
		"InitiatingProcessFolderPath": e.parent, "InitiatingProcessFileName": pfile, "InitiatingProcessCommandLine": e.parentCmd,
		"ProcessVersionInfoOriginalFileName": e.original, "AccountDomain": e.domain, "AccountName": e.user,
		"ProcessIntegrityLevel": e.integrity, "ProcessId": e.pid, "InitiatingProcessId": e.ppid,
		"SHA1": e.sha1, "MD5": e.md5, "SHA256": e.sha256, "AdditionalFields": `{"CurrentDirectory":` + jsonString(e.curdir) + `}`,
	})
	return b
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func splitLast(p string) (dir, file string) {
	if i := strings.LastIndexByte(p, '\\'); i >= 0 {
		return p[:i], p[i+1:]
	}
	return "", p
}
