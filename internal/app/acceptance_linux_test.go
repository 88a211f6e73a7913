package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	vigilagent "github.com/vigilsec/vigil/internal/agent"
	"github.com/vigilsec/vigil/internal/agent/netnstest"
	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/detect/schedule"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/respond/responders/ldap"
	"github.com/vigilsec/vigil/internal/respond/responders/ldap/ldaptest"
)

// acceptanceEnv names the role a re-executed test binary plays inside a network namespace
// of the acceptance lab: listen, dial, or agent.
const acceptanceEnv = "VIGIL_ACCEPTANCE_HELPER"

// TestAcceptanceHelperProcess is not a test: the acceptance test runs the test binary inside
// a network namespace with acceptanceEnv set, to listen, to dial, or to be the agent.
func TestAcceptanceHelperProcess(t *testing.T) {
	role := os.Getenv(acceptanceEnv)
	if role == "" {
		t.Skip("helper process for TestAcceptanceDisruptionContainsAndUndoes")
	}
	arg := os.Getenv(acceptanceEnv + "_ARG")
	var err error
	switch role {
	case "listen":
		var l net.Listener
		if l, err = net.Listen("tcp", arg); err == nil {
			for {
				c, aerr := l.Accept()
				if aerr != nil {
					err = aerr
					break
				}
				c.Close()
			}
		}
	case "dial":
		var c net.Conn
		if c, err = net.DialTimeout("tcp", arg, 700*time.Millisecond); err == nil {
			c.Close()
		}
	case "agent":
		err = runAcceptanceAgent(arg)
	default:
		err = fmt.Errorf("unknown helper role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// acceptanceAgent is what the agent helper is told: where the server is and where it keeps
// its state. It is what `vigil agent run` does, without the process sensor (the proc
// connector is not there in a network namespace of its own).
type acceptanceAgent struct {
	API, NATS, Token, State string
	Servers                 []string
}

func runAcceptanceAgent(arg string) error {
	var c acceptanceAgent
	if err := json.Unmarshal([]byte(arg), &c); err != nil {
		return err
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	id, err := vigilagent.Enroll(ctx, c.API, c.Token, c.State, nil)
	if err != nil {
		return err
	}
	dev := &vigilagent.Device{State: &vigilagent.StateFile{Path: filepath.Join(c.State, "state.json")},
		Quarantine: vigilagent.Quarantine{Dir: filepath.Join(c.State, "quarantine")}, Servers: c.Servers, Log: log,
		Journal: &vigilagent.Journal{Path: filepath.Join(c.State, "commands.json")}}
	if err := dev.Reapply(); err != nil {
		return err
	}
	nc, err := vigilagent.Connect(c.NATS, id, nil, log)
	if err != nil {
		return err
	}
	defer nc.Close()
	return dev.Serve(ctx, nc, id)
}

// acceptanceLab is two network namespaces beside the root one, where the server runs: the
// agent's, linked by veth pairs to the root namespace and to the third host's.
type acceptanceLab struct {
	t                *testing.T
	agentNS, thirdNS string
	// The addresses of the server's end of the agent's link, of the third host, and of the
	// agent on the server's link.
	server, third, agentA string
}

const acceptancePort = "7433" // the third host's listener

// requireAcceptanceLab skips (fails under CI=true) when the lab cannot be built: not root,
// no ip command, no network namespaces or no nftables in them.
func requireAcceptanceLab(t *testing.T) {
	t.Helper()
	netnstest.Require(t, func(nsPath string) error {
		f, err := os.Open(nsPath)
		if err != nil {
			return fmt.Errorf("network namespace not under /run/netns: %w", err)
		}
		defer f.Close()
		if err := (vigilagent.Firewall{NetNSFd: int(f.Fd())}).Apply(vigilagent.NetState{BlockedIPs: []string{"192.0.2.1"}}); err != nil {
			return fmt.Errorf("no nftables in a network namespace: %w", err)
		}
		return nil
	})
}

func newAcceptanceLab(t *testing.T) *acceptanceLab {
	p := os.Getpid()
	net2 := 200 + p%50 // the root namespace gets an address: keep two runs apart
	l := &acceptanceLab{t: t, agentNS: fmt.Sprintf("vaca%d", p%100000), thirdNS: fmt.Sprintf("vact%d", p%100000),
		server: fmt.Sprintf("10.%d.1.1", net2), agentA: fmt.Sprintf("10.%d.1.2", net2), third: fmt.Sprintf("10.%d.2.2", net2)}
	t.Cleanup(func() {
		for _, ns := range []string{l.agentNS, l.thirdNS} {
			_ = exec.Command("ip", "netns", "del", ns).Run()
		}
	})
	for _, ns := range []string{l.agentNS, l.thirdNS} {
		l.ip("netns", "add", ns)
		l.ip("-n", ns, "link", "set", "lo", "up")
	}
	// The server link: its root end stays in the root namespace.
	ra, rb := fmt.Sprintf("vacsr%d", p%10000), fmt.Sprintf("vacsa%d", p%10000)
	l.ip("link", "add", ra, "type", "veth", "peer", "name", rb, "netns", l.agentNS)
	l.ip("addr", "add", l.server+"/24", "dev", ra)
	l.ip("link", "set", ra, "up")
	l.ip("-n", l.agentNS, "addr", "add", l.agentA+"/24", "dev", rb)
	l.ip("-n", l.agentNS, "link", "set", rb, "up")
	ta, tb := fmt.Sprintf("vacta%d", p%10000), fmt.Sprintf("vactt%d", p%10000)
	l.ip("link", "add", ta, "netns", l.agentNS, "type", "veth", "peer", "name", tb, "netns", l.thirdNS)
	l.ip("-n", l.agentNS, "addr", "add", fmt.Sprintf("10.%d.2.1/24", net2), "dev", ta)
	l.ip("-n", l.thirdNS, "addr", "add", l.third+"/24", "dev", tb)
	l.ip("-n", l.agentNS, "link", "set", ta, "up")
	l.ip("-n", l.thirdNS, "link", "set", tb, "up")
	cmd := l.helper(l.thirdNS, "listen", "0.0.0.0:"+acceptancePort)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return l
}

func (l *acceptanceLab) ip(args ...string) {
	l.t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		l.t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

func (l *acceptanceLab) helper(ns, role, arg string) *exec.Cmd {
	cmd := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run=^TestAcceptanceHelperProcess$")
	cmd.Env = append(os.Environ(), acceptanceEnv+"="+role, acceptanceEnv+"_ARG="+arg)
	return cmd
}

// reaches reports whether the agent's namespace connects to addr.
func (l *acceptanceLab) reaches(addr string) bool {
	return l.helper(l.agentNS, "dial", addr).Run() == nil
}

// expect checks which of the server (at serverAddr) and the third host the agent reaches,
// waiting up to a few seconds for the third host to come up.
func (l *acceptanceLab) expect(step, serverAddr string, server, third bool) {
	l.t.Helper()
	thirdAddr := l.third + ":" + acceptancePort
	got := l.reaches(thirdAddr)
	for deadline := time.Now().Add(5 * time.Second); third && !got && time.Now().Before(deadline); got = l.reaches(thirdAddr) {
		time.Sleep(100 * time.Millisecond)
	}
	if got != third {
		l.t.Errorf("%s: agent -> third host connects=%v, want %v", step, got, third)
	}
	if got := l.reaches(serverAddr); got != server {
		l.t.Errorf("%s: agent -> server connects=%v, want %v", step, got, server)
	}
}

// syncBuffer is the agent's log, written by its process and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startAcceptanceAgent runs the agent in its namespace, enrolled through the API with a new
// token, and waits until it answers commands over the agent listener; it returns its
// identity.
func startAcceptanceAgent(t *testing.T, s *testServer, l *acceptanceLab) vigilagent.Identity {
	t.Helper()
	r := s.do(t, "POST", "/api/v1/agents/enrollmentTokens", []byte(`{"expiresInHours":1}`), nil)
	mustStatus(t, r, http.StatusCreated)
	var tok struct{ Token string }
	_ = json.Unmarshal([]byte(r.body), &tok)
	state := t.TempDir()
	arg, _ := json.Marshal(acceptanceAgent{API: s.url, NATS: "nats://" + s.a.bus.AgentAddr(), Token: tok.Token, State: state,
		Servers: []string{l.server}})
	cmd := l.helper(l.agentNS, "agent", string(arg))
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("agent log:\n%s", logs.String())
		}
	})
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		id, err := vigilagent.LoadIdentity(state)
		if err != nil {
			continue
		}
		subj, _ := bus.AgentSubject(id.Tenant, id.DeviceID, "cmd")
		if _, err := s.a.bus.Conn().Request(subj, []byte(`{"type":"ping"}`), time.Second); err == nil {
			return id
		}
	}
	t.Fatalf("the agent did not enroll and answer in time:\n%s", logs.String())
	return vigilagent.Identity{}
}

// acceptanceRules are the shipped rules the scenario trips: two for the credential theft on
// the agent's device, one for the stolen account's use on a server.
var acceptanceRules = []string{
	"../../content/rules/credential_dumping_commands.yaml",
	"../../content/rules/lsass_access.yaml",
	"../../content/rules/wmi_remote_execution.yaml",
}

// TestAcceptanceDisruptionContainsAndUndoes is issue 8's end-to-end acceptance: the events of
// a credential theft then lateral movement arrive, the shipped rules fire, the incident
// forms, attack disruption isolates the agent's device (the real agent, in a network
// namespace of its own, applies nftables rules) and disables the account in a real slapd,
// the Action Center shows both completed by attack disruption, and undoing both restores
// the network and the account.
func TestAcceptanceDisruptionContainsAndUndoes(t *testing.T) {
	requireAcceptanceLab(t)
	ldapURL := ldaptest.Start(t)
	pwFile := filepath.Join(t.TempDir(), "ldap.pw")
	if err := os.WriteFile(pwFile, []byte(ldaptest.ServicePW+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l := newAcceptanceLab(t)
	clock := schedule.NewManualClock(time.Now().UTC().Add(-time.Hour))
	s := startDetectTest(t, clock, func(c *Config) {
		c.Server.Listen, c.Agents.Listen = l.server+":0", l.server+":0"
		c.Detection.Rules = acceptanceRules
		c.Response.Responders.LDAP = &ldap.Config{Flavor: ldap.OpenLDAP, URL: ldapURL, BindDN: ldaptest.ServiceDN,
			PasswordFile: pwFile, BaseDN: ldaptest.PeopleBase}
	})
	mustStatus(t, s.do(t, "PUT", "/api/v1/security/automationLevel", []byte(`{"level":"full","fourEyes":false,"attackDisruption":true}`), nil), http.StatusOK)
	id := startAcceptanceAgent(t, s, l)
	host, _ := os.Hostname() // the name the agent enrolled with, and its events carry
	apiAddr := strings.TrimPrefix(s.url, "http://")
	aliceDN := "uid=alice," + ldaptest.PeopleBase
	l.expect("before the attack", apiAddr, true, true)
	if err := ldaptest.Bind(t, ldapURL, aliceDN, "alice-password"); err != nil {
		t.Fatalf("alice cannot sign in before the attack: %v", err)
	}

	ingestScenario(t, s, clock, host, l.agentA)
	patternSeen := watchPattern(t, s, "WMI started")
	start := time.Now()
	runRulesOnce(t, s, clock)
	isolated, err := waitIsolated(context.Background(), s.a.meta, host, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	alerted := patternSeen()
	t.Logf("latency: alerts in one incident -> device isolated by its agent %s; isolation requested -> completed %s; rule runs started -> isolated %s",
		isolated.FinishedAt.Sub(alerted).Round(time.Millisecond), isolated.FinishedAt.Sub(isolated.CreatedAt).Round(time.Millisecond),
		isolated.FinishedAt.Sub(start).Round(time.Millisecond))
	if !strings.Contains(isolated.Result, "device isolated: only "+l.server) || !strings.Contains(isolated.Result, id.DeviceID) {
		t.Errorf("isolation not by the agent %s: %s", id.DeviceID, isolated.Result)
	}

	acts := disruptionActions(t, s, isolated.IncidentID, 2)
	for _, a := range acts {
		if a.Status != "completed" || a.Requestor.Type != string(respond.ByDisruption) || a.Requestor.Name != "attack-disruption" {
			t.Errorf("action %s on %s: %+v, want completed by attack disruption", a.Type, a.Target, a)
		}
	}
	// The directory responder and the agent carried them out, not the simulated responder.
	var got []string
	for _, a := range acts {
		got = append(got, a.Type+" "+a.Target.Device+a.Target.Account)
		if !strings.HasPrefix(a.Result.Detail, map[string]string{"disableAccount": "account disabled: " + aliceDN,
			"isolateDevice": "device isolated: only " + l.server}[a.Type]) || strings.Contains(a.Result.Detail, "simulated") {
			t.Errorf("%s: result %q", a.Type, a.Result.Detail)
		}
	}
	slices.Sort(got)
	if want := []string{"disableAccount alice", "isolateDevice " + host}; !slices.Equal(got, want) {
		t.Errorf("disruption actions %q, want %q", got, want)
	}
	l.expect("isolated", apiAddr, true, false)
	if got := ldaptest.Operational(t, ldapURL, aliceDN, "pwdAccountLockedTime"); got == "" {
		t.Error("alice's entry has no pwdAccountLockedTime after disableAccount")
	}
	if err := ldaptest.Bind(t, ldapURL, aliceDN, "alice-password"); err == nil {
		t.Error("alice still signs in after disableAccount")
	}
	checkDisruptedIncident(t, s, isolated.IncidentID, host)

	// Undo both through the Action Center.
	for _, a := range acts {
		u := decodeAction(t, s.do(t, "POST", "/api/v1/security/actions/"+a.ID+"/undo", []byte(`{"comment":"contained; restoring after the investigation"}`), nil), http.StatusCreated)
		if u = s.waitAction(t, u.ID); u.Status != "completed" || u.UndoOf != a.ID {
			t.Errorf("undo of %s: %+v", a.Type, u)
		}
	}
	l.expect("after undo", apiAddr, true, true)
	if got := ldaptest.Operational(t, ldapURL, aliceDN, "pwdAccountLockedTime"); got != "" {
		t.Errorf("alice's pwdAccountLockedTime after undo: %q, want none", got)
	}
	if err := ldaptest.Bind(t, ldapURL, aliceDN, "alice-password"); err != nil {
		t.Errorf("alice cannot sign in after undo: %v", err)
	}
}

// ingestScenario sends the events of the attack: on the agent's device alice runs Mimikatz
// (credential theft), then her account logs on to srv02 from that device and runs a command
// there over WMI (Impacket's wmiexec: lateral movement). The event times fall in the first
// run window of every rule.
func ingestScenario(t *testing.T, s *testServer, clock *schedule.ManualClock, host, agentIP string) {
	t.Helper()
	lo, hi := time.Time{}, time.Time{}
	for _, r := range s.a.sched.Rules() {
		f := r.Frequency.Std()
		slot := schedule.NextSlot(clock.Now(), f, schedule.Offset(r.ID, f))
		if lo.IsZero() || slot.Add(-r.Period.Std()).After(lo) {
			lo = slot.Add(-r.Period.Std())
		}
		if hi.IsZero() || slot.Before(hi) {
			hi = slot
		}
	}
	if len(s.a.sched.Rules()) != len(acceptanceRules) || !hi.After(lo.Add(time.Minute)) {
		t.Fatalf("rules %d, common window [%s, %s)", len(s.a.sched.Rules()), lo, hi)
	}
	theft, moved := lo.Add(hi.Sub(lo)/3), lo.Add(hi.Sub(lo)*2/3)
	ts := func(at time.Time) string { return at.Format(time.RFC3339Nano) }
	post := func(table, body string) {
		t.Helper()
		if r := s.do(t, "POST", "/api/v1/ingest/"+table, []byte(body), nil); r.status != http.StatusOK || !strings.Contains(r.body, `"accepted":1,`) {
			t.Fatalf("ingest %s: %d %s", table, r.status, r.body)
		}
	}
	post("DeviceProcessEvents", fmt.Sprintf(`{"Timestamp":%q,"DeviceName":%q,"AccountName":"alice","AccountDomain":"CORP","FileName":"mimikatz.exe","FolderPath":"C:\\Users\\alice\\Downloads\\mimikatz.exe","ProcessCommandLine":"mimikatz.exe privilege::debug sekurlsa::logonpasswords exit","ProcessId":6120,"SHA256":"92804faaab2175dc501d73e814663058c78c0a042675a8937266357bcfb96c50","InitiatingProcessFileName":"cmd.exe","ReportId":1}`, ts(theft), host))
	post("DeviceLogonEvents", fmt.Sprintf(`{"Timestamp":%q,"DeviceName":"srv02.corp.example","ActionType":"LogonSuccess","LogonType":"Network","AccountName":"alice","AccountDomain":"CORP","RemoteIP":%q,"RemoteDeviceName":%q,"Protocol":"NTLM","ReportId":2}`, ts(moved.Add(-time.Second)), agentIP, host))
	post("DeviceProcessEvents", fmt.Sprintf(`{"Timestamp":%q,"DeviceName":"srv02.corp.example","AccountName":"alice","AccountDomain":"CORP","FileName":"cmd.exe","ProcessCommandLine":"cmd.exe /Q /c whoami 1> \\\\127.0.0.1\\ADMIN$\\__1732580000 2>&1","ProcessId":7344,"InitiatingProcessFileName":"WmiPrvSE.exe","ReportId":3}`, ts(moved)))
	s.settle(t)
}

// watchPattern polls the state store until one incident holds both halves of the
// pattern, the lateral movement alert (its title starts with lateral) and a credential theft
// one; the function it returns waits for that and says when it was seen. The alerts' own
// times are the rules' slots, not the wall clock, so this is how the test times them.
func watchPattern(t *testing.T, s *testServer, lateral string) func() time.Time {
	t.Helper()
	seen := make(chan time.Time, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	complete := func(as []meta.IncidentAlert) bool {
		for _, m := range as {
			if m.IncidentID != 0 && strings.HasPrefix(m.Title, lateral) && slices.ContainsFunc(as, func(a meta.IncidentAlert) bool {
				return a.IncidentID == m.IncidentID && !strings.HasPrefix(a.Title, lateral)
			}) {
				return true
			}
		}
		return false
	}
	go func() {
		defer cancel()
		for ctx.Err() == nil {
			if as, err := s.a.meta.Alerts(ctx, meta.DefaultTenantID, 10, 0); err == nil && complete(as) {
				seen <- time.Now()
				return
			}
			time.Sleep(time.Millisecond)
		}
		close(seen)
	}()
	return func() time.Time {
		at, ok := <-seen
		if !ok {
			t.Fatal("the alerts of the pattern were not stored in one incident")
		}
		return at
	}
}

// runRulesOnce moves the scheduler's clock to the last rule's first slot and waits until
// every rule has run it.
func runRulesOnce(t *testing.T, s *testServer, clock *schedule.ManualClock) {
	t.Helper()
	n := len(s.a.sched.Rules())
	if !clock.WaitFor(n, 10*time.Second) {
		t.Fatal("the rules are not waiting for their slots")
	}
	var last time.Time
	for _, r := range s.a.sched.Rules() {
		f := r.Frequency.Std()
		if slot := schedule.NextSlot(clock.Now(), f, schedule.Offset(r.ID, f)); slot.After(last) {
			last = slot
		}
	}
	clock.Set(last)
	if !clock.WaitFor(n, 30*time.Second) {
		t.Fatal("the rule runs did not finish")
	}
}

// listedAction is an action as GET /api/v1/security/actions lists it.
type listedAction struct {
	actionReply
	Type       string
	Target     struct{ Device, Account string }
	IncidentID int64
}

// disruptionActions waits until the incident has n actions requested by attack disruption
// in a final status, and returns them.
func disruptionActions(t *testing.T, s *testServer, incident int64, n int) []listedAction {
	t.Helper()
	var list struct{ Value []listedAction }
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		r := s.do(t, "GET", fmt.Sprintf("/api/v1/security/actions?requestorType=disruption&incidentId=%d", incident), nil, nil)
		mustStatus(t, r, http.StatusOK)
		list.Value = nil
		if err := json.Unmarshal([]byte(r.body), &list); err != nil {
			t.Fatal(err)
		}
		final := 0
		for _, a := range list.Value {
			if a.Status != "approved" && a.Status != "sent" && a.Status != "running" {
				final++
			}
		}
		if len(list.Value) == n && final == n {
			return list.Value
		}
	}
	t.Fatalf("disruption actions of incident %d: %+v, want %d finished", incident, list.Value, n)
	return nil
}

// checkDisruptedIncident checks that the incident holds the scenario's three alerts, from the
// shipped rules, is tagged as disrupted, and says why in a comment.
func checkDisruptedIncident(t *testing.T, s *testServer, id int64, host string) {
	t.Helper()
	var in struct {
		CustomTags, SystemTags []string
		Alerts                 []struct{ Title string }
		Comments               []struct{ Comment string }
	}
	tagged := func() bool {
		return slices.Contains(in.CustomTags, respond.DisruptedTag) || slices.Contains(in.SystemTags, respond.DisruptedTag)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !tagged(); time.Sleep(20 * time.Millisecond) {
		r := s.do(t, "GET", fmt.Sprintf("/api/v1/security/incidents/%d?$expand=alerts", id), nil, nil)
		mustStatus(t, r, http.StatusOK)
		if err := json.Unmarshal([]byte(r.body), &in); err != nil {
			t.Fatal(err)
		}
	}
	var titles []string
	for _, a := range in.Alerts {
		titles = append(titles, a.Title)
	}
	slices.Sort(titles)
	want := []string{"Credential dumping on " + host + " with mimikatz.exe", "LSASS memory access or credential dumping tool", "WMI started cmd.exe on srv02.corp.example"}
	if !tagged() || !slices.Equal(titles, want) {
		t.Errorf("incident %d: tags %v %v, alerts %q; want tagged %q with the alerts %q", id, in.CustomTags, in.SystemTags, titles, respond.DisruptedTag, want)
	}
	why := "Automatic attack disruption isolated " + host + " and disabled alice: credential theft then use of the account"
	if !slices.ContainsFunc(in.Comments, func(c struct{ Comment string }) bool { return strings.HasPrefix(c.Comment, why) }) {
		t.Errorf("incident %d comments %+v: none starts %q", id, in.Comments, why)
	}
}
