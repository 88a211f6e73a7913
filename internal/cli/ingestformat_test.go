package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/app"
)

// startServer runs the real server in-process on a free port and returns its URL and data dir.
func startServer(t *testing.T) (url, data string) {
	t.Helper()
	cfg := app.Default()
	cfg.Data = t.TempDir()
	cfg.Server.Listen = "127.0.0.1:0"
	cfg.Ingest.WriterMaxWait = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, func(s string) { addr <- s }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	return "http://" + <-addr, cfg.Data
}

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	root := NewRoot(&out, &errb)
	root.SetArgs(args)
	err := root.Execute()
	var ee *exitError
	switch {
	case err == nil:
		return 0, out.String(), errb.String()
	case asExit(err, &ee):
		return ee.code, out.String(), errb.String()
	}
	return 1, out.String(), errb.String() + err.Error()
}

func asExit(err error, ee **exitError) bool {
	e, ok := err.(*exitError) //nolint:errorlint // returned unwrapped by the commands
	*ee = e
	return ok
}

// waitSQL polls a query until its CSV output is want.
func waitSQL(t *testing.T, url, data, query, want string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var out, errOut string
	for time.Now().Before(deadline) {
		_, out, errOut = runCLI("sql", query, "-o", "csv", "--server", url, "--data", data)
		if out == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("%s:\n got %q %q\nwant %q", query, out, errOut, want)
}

func TestIngestFormats(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real server")
	}
	url, data := startServer(t)
	dir := t.TempDir()

	csvFile := filepath.Join(dir, "proc.csv")
	csvText := "Timestamp,DeviceName,ActionType,FileName,ProcessId,ProcessCommandLine\n" +
		"2024-03-10T11:00:00Z,ws1,ProcessCreated,cmd.exe,4120,\"cmd.exe /c \"\"echo a,b\"\"\"\n" +
		"2024-03-10T11:00:01Z,ws1,ProcessCreated,whoami.exe,notanumber,whoami\n" +
		"2024-03-10T11:00:02Z,ws2,ProcessCreated\n" +
		"2024-03-10T11:00:03Z,ws2,ProcessCreated,net.exe,77,\n"
	if err := os.WriteFile(csvFile, []byte(csvText), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI("ingest", csvFile, "--format", "csv", "--table", "DeviceProcessEvents", "--batch", "2", "--server", url, "--data", data)
	if code != 2 || out != "2 rows accepted, 2 rejected (see the IngestionErrors table)\n" ||
		!strings.Contains(errOut, "line 3: DeviceProcessEvents: ") || !strings.Contains(errOut, "line 4: 3 fields, the header has 6") {
		t.Errorf("csv: %d %q %q", code, out, errOut)
	}
	waitSQL(t, url, data, "SELECT FileName, ProcessId, ProcessCommandLine FROM DeviceProcessEvents ORDER BY Timestamp",
		"FileName,ProcessId,ProcessCommandLine\ncmd.exe,4120,\"cmd.exe /c \"\"echo a,b\"\"\"\nnet.exe,77,\n")

	xmlFile := filepath.Join(dir, "events.xml")
	sysmon := `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'/>` +
		`<EventID>1</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>` +
		`<TimeCreated SystemTime='2024-03-10T12:00:00.100Z'/><EventRecordID>77</EventRecordID><Correlation/><Execution ProcessID='3216' ThreadID='4412'/>` +
		`<Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>ws9.contoso.com</Computer><Security UserID='S-1-5-18'/></System>` +
		`<EventData><Data Name='UtcTime'>2024-03-10 12:00:00.098</Data><Data Name='ProcessId'>912</Data><Data Name='Image'>C:\Windows\System32\rundll32.exe</Data>` +
		`<Data Name='CommandLine'>rundll32.exe comsvcs.dll, MiniDump 640 C:\t\l.dmp full</Data><Data Name='User'>CONTOSO\bob</Data>` +
		`<Data Name='ParentImage'>C:\Windows\System32\cmd.exe</Data><Data Name='ParentProcessId'>800</Data></EventData></Event>`
	logon := `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing'/>` +
		`<EventID>4624</EventID><Version>2</Version><Level>0</Level><Task>12544</Task><Keywords>0x8020000000000000</Keywords>` +
		`<TimeCreated SystemTime='2024-03-10T12:00:01Z'/><EventRecordID>78</EventRecordID><Channel>Security</Channel><Computer>ws9.contoso.com</Computer></System>` +
		`<EventData><Data Name='TargetUserName'>bob</Data><Data Name='TargetDomainName'>CONTOSO</Data><Data Name='LogonType'>10</Data>` +
		`<Data Name='IpAddress'>10.1.2.3</Data></EventData></Event>`
	other := `<Event><System><Provider Name='Microsoft-Windows-PowerShell'/><EventID>4104</EventID><TimeCreated SystemTime='2024-03-10T12:00:02Z'/>` +
		`<Channel>Microsoft-Windows-PowerShell/Operational</Channel><Computer>ws9.contoso.com</Computer></System>` +
		`<EventData><Data Name='ScriptBlockText'>IEX (New-Object Net.WebClient)</Data></EventData></Event>`
	bad := `<Event><System><EventID>oops</EventID></System></Event>`
	xmlText := "<Events>\n" + sysmon + "\n" + logon + "\n" + bad + "\n" + other + "\n</Events>\n"
	if err := os.WriteFile(xmlFile, []byte(xmlText), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI("ingest", xmlFile, "--format", "winevent-xml", "--server", url, "--data", data)
	// 4 rows and the IdentityLogonEvents row of the domain account's RDP logon.
	if code != 2 || out != "5 rows accepted, 1 rejected (see the IngestionErrors table)\n" ||
		errOut != "line 4: EventID \"oops\" is not a number\n" {
		t.Errorf("winevent-xml: %d %q %q", code, out, errOut)
	}
	waitSQL(t, url, data, "SELECT DeviceName, FileName, AccountName, InitiatingProcessFileName, ReportId FROM DeviceProcessEvents WHERE ActionType = 'ProcessCreated' AND DeviceName = 'ws9.contoso.com'",
		"DeviceName,FileName,AccountName,InitiatingProcessFileName,ReportId\nws9.contoso.com,rundll32.exe,bob,cmd.exe,77\n")
	waitSQL(t, url, data, "SELECT ActionType, LogonType, AccountName, RemoteIP FROM DeviceLogonEvents",
		"ActionType,LogonType,AccountName,RemoteIP\nLogonSuccess,RemoteInteractive,bob,10.1.2.3\n")
	waitSQL(t, url, data, "SELECT Activity, Account, LogonTypeName FROM SecurityEvent",
		"Activity,Account,LogonTypeName\n4624 - An account was successfully logged on.,CONTOSO\\bob,10 - RemoteInteractive\n")
	waitSQL(t, url, data, "SELECT EventID, Channel, EventData.ScriptBlockText AS s FROM WindowsEvent",
		"EventID,Channel,s\n4104,Microsoft-Windows-PowerShell/Operational,IEX (New-Object Net.WebClient)\n")

	if code, _, errOut := runCLI("ingest", xmlFile, "--format", "winevent-xml", "--table", "X", "--server", url, "--data", data); code != 1 ||
		!strings.Contains(errOut, "--format winevent-xml routes each event to its tables; drop --table") {
		t.Errorf("--table with winevent-xml: %d %q", code, errOut)
	}
}

func TestIngestSourceFormats(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real server")
	}
	url, data := startServer(t)
	dir := t.TempDir()
	trail := filepath.Join(dir, "trail.json")
	text := `{"Records":[` + "\n" +
		`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},` +
		`"eventTime":"2024-03-10T09:01:30Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1",` +
		`"sourceIPAddress":"203.0.113.77","requestParameters":{"userName":"backdoor"}},` + "\n" +
		`{"eventSource":"iam.amazonaws.com","eventName":"DeleteUser"}]}` + "\n" +
		`{"eventTime":"2024-03-10T09:02:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","errorCode":"AccessDenied"}` + "\n" +
		`{"eventTime": oops` + "\n" +
		`{"eventTime":"2024-03-10T09:03:00Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity"}` + "\n"
	if err := os.WriteFile(trail, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI("ingest", trail, "--format", "cloudtrail", "--batch", "2", "--server", url, "--data", data)
	if code != 2 || out != "3 rows accepted, 2 rejected (see the IngestionErrors table)\n" ||
		errOut != "line 3: cloudtrail: missing time (eventTime)\nline 5: cloudtrail: json: invalid character 'o' looking for beginning of value\n" {
		t.Errorf("cloudtrail: %d %q %q", code, out, errOut)
	}
	waitSQL(t, url, data, "SELECT EventName, UserIdentityUserName, RequestParameters FROM AWSCloudTrail ORDER BY TimeGenerated",
		"EventName,UserIdentityUserName,RequestParameters\nCreateAccessKey,alice,\"{\"\"userName\"\":\"\"backdoor\"\"}\"\nGetObject,,\nGetCallerIdentity,,\n")
	waitSQL(t, url, data, "SELECT \"Table\", Reason FROM IngestionErrors ORDER BY Reason",
		"Table,Reason\nAWSCloudTrail,cloudtrail: json: invalid character 'o' looking for beginning of value\nAWSCloudTrail,cloudtrail: missing time (eventTime)\n")
	if code, _, errOut := runCLI("ingest", trail, "--format", "cloudtrail", "--table", "X", "--server", url, "--data", data); code != 1 ||
		!strings.Contains(errOut, "--format cloudtrail routes each record to its tables; drop --table") {
		t.Errorf("--table with cloudtrail: %d %q", code, errOut)
	}
}

// TestOTLPEndToEnd posts OTLP JSON logs to the real server and reads them back from the
// OTelLogs and Syslog tables.
func TestOTLPEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real server")
	}
	url, data := startServer(t)
	key, err := os.ReadFile(filepath.Join(data, "admin.key"))
	if err != nil {
		t.Fatal(err)
	}
	body := `{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"auth-api"}}]},"scopeLogs":[{"logRecords":[` +
		`{"timeUnixNano":"1710068400000000000","severityNumber":17,"severityText":"ERROR","body":{"stringValue":"login failed"},` +
		`"attributes":[{"key":"user","value":{"stringValue":"bob"}}]},` +
		`{"timeUnixNano":"1710068401000000000","body":{"stringValue":"x"},"attributes":[{"key":"appname","value":{"stringValue":"sshd"}},` +
		`{"key":"hostname","value":{"stringValue":"bastion"}},{"key":"priority","value":{"intValue":38}}]}]}]}]}`
	req, err := http.NewRequest("POST", url+"/v1/logs", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(key)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(b)) != "{}" {
		t.Fatalf("OTLP: %d %s", resp.StatusCode, b)
	}
	waitSQL(t, url, data, "SELECT ServiceName, SeverityText, Body, Attributes FROM OTelLogs",
		"ServiceName,SeverityText,Body,Attributes\nauth-api,ERROR,login failed,\"{\"\"user\"\":\"\"bob\"\"}\"\n")
	waitSQL(t, url, data, "SELECT Computer, ProcessName, Facility, SeverityLevel FROM Syslog", "Computer,ProcessName,Facility,SeverityLevel\nbastion,sshd,auth,info\n")
}
