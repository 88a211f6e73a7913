package kql_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// huntScale sizes a generated hunting data set. Rows are those of tenant t1; tenant t2 adds 1%
// more to every table, which no query may see.
type huntScale struct {
	Proc, Net, Signin int // rows of tenant t1 per table
	Devices, Accounts int
}

var (
	// huntFull is the data set of BenchmarkQueryKQLvsSQL.
	huntFull = huntScale{Proc: 10_000_000, Net: 2_000_000, Signin: 2_000_000, Devices: 300, Accounts: 400}
	// huntSmall is the data set of TestQueryKQLvsSQLSameRows: denser per device and account so
	// that every query has rows.
	huntSmall = huntScale{Proc: 200_000, Net: 50_000, Signin: 50_000, Devices: 40, Accounts: 80}
)

// huntStart and huntNow bound the generated events: 30 days, ending at the compiler's now().
var (
	huntStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	huntNow   = time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
)

// buildHuntStore creates a DuckDB store at path with Vigil's schema (EnsureTables) and fills
// DeviceProcessEvents, DeviceNetworkEvents and SigninLogs inside DuckDB with INSERT … SELECT from
// range(). Events come in time order (as ingest writes them), with up to two minutes of jitter.
// Timestamp and the string columns the queries read are never null, so hand-written SQL without
// the compiler's COALESCE wrappers gives the same answers.
func buildHuntStore(ctx context.Context, tb testing.TB, path string, sc huntScale) {
	tb.Helper()
	st, err := duckdb.Open(ctx, path, duckdb.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	reg := schema.NewRegistry()
	var tabs []*schema.Table
	for _, name := range []string{"DeviceProcessEvents", "DeviceNetworkEvents", "SigninLogs"} {
		t, ok := reg.Table(name)
		if !ok {
			tb.Fatalf("no table %s", name)
		}
		tabs = append(tabs, t)
	}
	if err := st.EnsureTables(ctx, tabs); err != nil {
		tb.Fatal(err)
	}
	if err := st.Close(); err != nil {
		tb.Fatal(err)
	}
	// The store has no way to run statements that write, so the data goes in through a plain
	// database/sql handle on the same file, closed before the store opens it again.
	db, err := sql.Open("duckdb", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	for _, q := range huntInserts(sc) {
		if _, err := db.ExecContext(ctx, q); err != nil {
			tb.Fatalf("%v\n%s", err, q)
		}
	}
	if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		tb.Fatal(err)
	}
}

// huntInserts returns the INSERT statements of a data set. u(k) is a uniform number in [0, 1)
// from hash(i, k), so the data is the same on every run and under any thread count.
func huntInserts(sc huntScale) []string {
	u := func(k int) string { return fmt.Sprintf("(CAST(hash(i, %d) %% 1000000 AS DOUBLE) / 1000000)", k) }
	h := func(k int) string { return fmt.Sprintf("CAST(hash(i, %d) %% 1000000007 AS BIGINT)", k) }
	spanUS := huntNow.Sub(huntStart).Microseconds()
	// Every 101st row is tenant t2's, placed among t1's rows.
	rows := func(n int) int { return n + n/100 }
	base := func(n int) string {
		total := rows(n)
		return fmt.Sprintf(`SELECT i,
    CASE WHEN i %% 101 = 100 THEN 't2' ELSE 't1' END AS tenant,
    TIMESTAMP '%s' + to_microseconds(CAST(CAST(i AS DOUBLE) * %d / %d AS BIGINT) + CAST(%s * 120000000 AS BIGINT)) AS ts,
    CAST(floor(%d * pow(%s, 1.3)) AS INTEGER) AS dev,
    CAST(floor(%d * pow(%s, 1.2)) AS INTEGER) AS acct,
    CAST(floor(40 * pow(%s, 3)) AS INTEGER) AS proc,
    CAST(floor(%s * 10000) AS INTEGER) AS r,
    %s AS h, %s AS h2
  FROM range(%d) t(i)`, huntStart.Format("2006-01-02 15:04:05"), spanUS, total, u(1),
			sc.Devices, u(2), sc.Accounts, u(3), u(4), u(5), h(6), h(7), total)
	}
	procs := `['svchost.exe', 'conhost.exe', 'chrome.exe', 'msedge.exe', 'explorer.exe', 'RuntimeBroker.exe',
    'backgroundTaskHost.exe', 'powershell.exe', 'cmd.exe', 'taskhostw.exe', 'SearchProtocolHost.exe', 'WmiPrvSE.exe',
    'dllhost.exe', 'OUTLOOK.EXE', 'ms-teams.exe', 'OneDrive.exe', 'git.exe', 'python.exe', 'net.exe', 'rundll32.exe',
    'reg.exe', 'schtasks.exe', 'whoami.exe', 'pwsh.exe', 'msiexec.exe', 'wscript.exe', 'cscript.exe', 'certutil.exe',
    'sc.exe', 'tasklist.exe', 'ipconfig.exe', 'nslookup.exe', 'WINWORD.EXE', 'EXCEL.EXE', 'notepad.exe', 'mstsc.exe',
    'bitsadmin.exe', 'regsvr32.exe', 'mshta.exe', 'net1.exe']`
	device := func(d string) string {
		return fmt.Sprintf(`CASE WHEN tenant = 't2' THEN 'other-' ELSE CASE WHEN %[1]s < %[2]d THEN 'srv-' ELSE 'ws-' END END || lpad(CAST(%[1]s AS VARCHAR), 4, '0') || '.contoso.local'`, d, sc.Devices/8)
	}
	account := func(a string) string { return fmt.Sprintf(`'user' || lpad(CAST(%s AS VARCHAR), 3, '0')`, a) }
	b64 := `replace(to_base64(CAST(md5(CAST(h AS VARCHAR)) || md5(CAST(h2 AS VARCHAR)) AS BLOB)), '=', '')`

	proc := fmt.Sprintf(`INSERT INTO "DeviceProcessEvents" ("TenantId", "TimeGenerated", "Timestamp", "DeviceId", "DeviceName",
  "ActionType", "FileName", "FolderPath", "ProcessCommandLine", "ProcessId", "SHA256", "FileSize", "AccountDomain",
  "AccountName", "InitiatingProcessFileName", "InitiatingProcessId", "ReportId", "Type")
SELECT tenant, ts + to_microseconds(CAST(h2 %% 5000000 AS BIGINT)), ts, md5('dev' || d), %[1]s,
  'ProcessCreated', fname, folder || fname, cmd, h %% 60000, sha256(fname), 10000 + h %% 5000000, 'CONTOSO',
  CASE WHEN proc < 2 THEN 'system' ELSE %[2]s END,
  CASE WHEN proc < 2 THEN 'services.exe' WHEN h %% 3 = 0 THEN 'explorer.exe' WHEN h %% 3 = 1 THEN 'cmd.exe' ELSE 'svchost.exe' END,
  h2 %% 60000, i, 'DeviceProcessEvents'
FROM (
  SELECT *,
    CASE
      WHEN fname = 'powershell.exe' THEN CASE h %% 20
        WHEN 0 THEN 'powershell.exe -NoP -NonI -W Hidden -Enc ' || %[3]s
        WHEN 1 THEN 'powershell.exe -ExecutionPolicy Bypass -EncodedCommand ' || %[3]s
        WHEN 2 THEN 'powershell.exe -NoProfile -Command "Get-Process | Out-File -Encoding utf8 C:\Temp\procs_' || (h2 %% 100) || '.txt"'
        ELSE '"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -ExecutionPolicy Bypass -File "C:\ProgramData\Scripts\inventory_' || (h2 %% 50) || '.ps1" -Verbose' END
      WHEN fname = 'pwsh.exe' THEN CASE WHEN h %% 10 = 0 THEN 'pwsh.exe -ec ' || %[3]s
        ELSE 'pwsh.exe -NoLogo -Command Get-ChildItem -Path C:\Users\' || %[2]s || '\Documents -Recurse -Filter *.docx' END
      WHEN fname = 'net.exe' THEN CASE h %% 4
        WHEN 0 THEN 'net.exe user ' || %[2]s || ' /domain'
        WHEN 1 THEN 'net.exe localgroup administrators'
        WHEN 2 THEN 'net.exe use \\fileserver01\share' || (h2 %% 9) || ' /persistent:no'
        ELSE 'net.exe user ' || %[2]s END
      WHEN fname = 'cmd.exe' THEN 'C:\Windows\system32\cmd.exe /c "C:\Program Files\Vendor\agent\update_' || (h2 %% 30) || '.bat" > nul 2>&1'
      WHEN fname LIKE 'rare%%' THEN fname || ' --install --silent --token ' || md5(CAST(h2 AS VARCHAR))
      ELSE '"' || folder || fname || '" --type=worker --field-trial-handle=' || (h2 %% 100000) || ',' || md5(CAST(h AS VARCHAR)) || ' --lang=en-US --mojo-platform-channel-handle=' || (h %% 9000) || ' /prefetch:' || (h %% 9) END AS cmd
  FROM (
    SELECT *,
      CASE WHEN fname LIKE 'rare%%' OR fname IN ('python.exe', 'git.exe', 'ms-teams.exe', 'OneDrive.exe') THEN 'C:\Users\Public\AppData\Local\Programs\'
           ELSE 'C:\Windows\System32\' END AS folder
    FROM (
      SELECT *,
        CASE WHEN r < 3 THEN 'rare' || (h %% 300) || '.exe' ELSE (%[4]s)[proc + 1] END AS fname,
        -- a rare binary runs on 1 to 4 devices: those with a (h %% 300) %% 4 of 3 may be seen on 3 or 4.
        CASE WHEN r < 3 THEN CAST(((h %% 300) * 13 + (h2 %% (1 + (h %% 300) %% 4))) %% %[5]d AS INTEGER) ELSE dev END AS d
      FROM (%[6]s)
    )
  )
)`, device("d"), account("acct"), b64, procs, sc.Devices, base(sc.Proc))

	net := fmt.Sprintf(`INSERT INTO "DeviceNetworkEvents" ("TenantId", "TimeGenerated", "Timestamp", "DeviceId", "DeviceName",
  "ActionType", "RemoteIP", "RemotePort", "RemoteUrl", "LocalIP", "LocalPort", "Protocol", "InitiatingProcessFileName",
  "InitiatingProcessId", "ReportId", "Type")
SELECT tenant, ts + to_microseconds(CAST(h2 %% 5000000 AS BIGINT)), ts, md5('dev' || dev), %[1]s,
  CASE WHEN h2 %% 20 = 0 THEN 'ConnectionFailed' ELSE 'ConnectionSuccess' END,
  CASE WHEN port = 4444 THEN '185.220.101.' || (h %% 16)
       WHEN port IN (445, 135, 3389, 22) THEN '10.1.' || (h %% 4) || '.' || (h2 %% 250)
       WHEN port = 53 THEN '10.0.0.' || (2 + h %% 2)
       ELSE (['52.', '13.', '20.', '142.250.', '151.101.', '104.16.'])[h %% 6 + 1] || (h2 %% 256) || '.' || (h %% 251) END,
  port,
  CASE WHEN port IN (80, 443, 8080) THEN 'https://' || (['login.microsoftonline.com', 'outlook.office365.com', 'www.google.com',
    'github.com', 'cdn.jsdelivr.net', 'update.contoso.com', 'teams.microsoft.com', 'graph.microsoft.com'])[h2 %% 8 + 1] || '/'
    ELSE '' END,
  '10.20.' || (dev // 250) || '.' || (dev %% 250), 49152 + h2 %% 16000, 'Tcp',
  CASE WHEN port = 4444 THEN 'powershell.exe' WHEN port IN (445, 135) THEN 'System' WHEN port = 53 THEN 'svchost.exe'
       ELSE (['chrome.exe', 'msedge.exe', 'ms-teams.exe', 'OUTLOOK.EXE', 'OneDrive.exe'])[h2 %% 5 + 1] END,
  h2 %% 60000, i, 'DeviceNetworkEvents'
FROM (
  SELECT *, CASE WHEN r < 30 THEN 4444 ELSE ([443, 443, 443, 443, 80, 80, 53, 53, 445, 135, 3389, 8080, 22])[h %% 13 + 1] END AS port
  FROM (%[2]s)
)`, device("dev"), base(sc.Net))

	signin := fmt.Sprintf(`INSERT INTO "SigninLogs" ("TenantId", "TimeGenerated", "CreatedDateTime", "UserPrincipalName", "UserDisplayName",
  "IPAddress", "ResultType", "ResultDescription", "AppDisplayName", "ClientAppUsed", "Location", "IsInteractive", "DurationMs",
  "UserAgent", "Type")
SELECT tenant, ts, ts - INTERVAL 1 SECOND,
  %[1]s || CASE WHEN tenant = 't2' THEN '@fabrikam.com' ELSE '@contoso.com' END, %[1]s, ip, rt,
  CASE rt WHEN '0' THEN '' WHEN '50126' THEN 'Invalid username or password' WHEN '50074' THEN 'Strong authentication is required.'
    WHEN '50140' THEN 'Keep me signed in interrupt' WHEN '53003' THEN 'Blocked by Conditional Access' ELSE 'Account is locked' END,
  app, CASE WHEN spray THEN 'Other clients' ELSE 'Browser' END,
  CASE WHEN spray THEN 'RU' WHEN h2 %% 50 = 0 THEN 'GB' ELSE 'US' END, NOT spray, 20 + h %% 900,
  CASE WHEN spray THEN 'python-requests/2.31' ELSE 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36' END,
  'SigninLogs'
FROM (
  SELECT *,
    CASE WHEN spray THEN '45.155.205.' || (h %% 5)
         WHEN r < 1200 THEN '20.50.0.' || (h %% 3)
         WHEN h2 %% 4 = 0 THEN '73.' || (acct2 %% 200) || '.' || (acct2 // 200) || '.' || (10 + h %% 3)
         ELSE '10.30.' || (acct2 // 200) || '.' || (acct2 %% 200) END AS ip,
    CASE WHEN spray THEN '50126' ELSE CASE WHEN h2 %% 10000 < 9000 THEN '0' WHEN h2 %% 10000 < 9500 THEN '50126'
      WHEN h2 %% 10000 < 9700 THEN '50074' WHEN h2 %% 10000 < 9850 THEN '50140' WHEN h2 %% 10000 < 9950 THEN '53003' ELSE '50053' END END AS rt,
    CASE WHEN spray THEN 'Azure Active Directory PowerShell' ELSE (['Office 365 Exchange Online', 'Microsoft Teams', 'Microsoft Teams',
      'Office 365 Exchange Online', 'SharePoint Online', 'Azure Portal', 'Microsoft Office', 'OneDrive SyncEngine',
      'Windows Sign In', 'My Apps'])[CAST(floor(10 * pow(CAST(h2 %% 1000 AS DOUBLE) / 1000, 2)) AS INTEGER) + 1] END AS app
  FROM (
    SELECT *, r < 200 AS spray, CASE WHEN r < 200 THEN CAST(h2 %% %[3]d AS INTEGER) ELSE acct END AS acct2
    FROM (%[2]s)
  )
)`, account("acct2"), base(sc.Signin), sc.Accounts)
	return []string{proc, net, signin}
}

// openHuntStore builds a data set of the given scale in dir and opens it as a store.
func openHuntStore(ctx context.Context, tb testing.TB, dir string, sc huntScale) (*duckdb.Store, time.Duration) {
	tb.Helper()
	path := filepath.Join(dir, "hunt.db")
	start := time.Now()
	buildHuntStore(ctx, tb, path, sc)
	took := time.Since(start)
	st, err := duckdb.Open(ctx, path, duckdb.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return st, took
}

// openKeptHuntStore opens the full data set kept in dir, building it there first when dir
// holds none. The file is built under a temporary name and renamed when complete, so that an
// interrupted build is never mistaken for a data set.
func openKeptHuntStore(ctx context.Context, tb testing.TB, dir string) (*duckdb.Store, error) {
	tb.Helper()
	path := filepath.Join(dir, "hunt.db")
	if _, err := os.Stat(path); err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		tmp := filepath.Join(dir, "building")
		if err := os.RemoveAll(tmp); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			return nil, err
		}
		st, took := openHuntStore(ctx, tb, tmp, huntFull)
		if err := st.Close(); err != nil {
			return nil, err
		}
		if err := os.Rename(filepath.Join(tmp, "hunt.db"), path); err != nil {
			return nil, err
		}
		_ = os.RemoveAll(tmp)
		fmt.Printf("# data set built in %v, kept in %s\n", took.Round(100_000_000), dir)
	}
	return duckdb.Open(ctx, path, duckdb.Options{})
}
