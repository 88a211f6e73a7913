package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
)

// actionReply is the part of an action the tests read.
type actionReply struct {
	ID              string
	Status          string
	Approver        string
	ApprovalComment string
	UndoOf          string
	UndoneBy        string
	Requestor       struct{ Type, Name string }
	Result          struct{ Detail, Error string }
}

func decodeAction(t *testing.T, r reply, want int) actionReply {
	t.Helper()
	mustStatus(t, r, want)
	var a actionReply
	if err := json.Unmarshal([]byte(r.body), &a); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
	return a
}

// as sends a request with key.
func (s *testServer) as(t *testing.T, key, method, path, body string) reply {
	t.Helper()
	return s.do(t, method, path, []byte(body), map[string]string{"Authorization": "Bearer " + key})
}

// waitAction polls an action until it reaches a final status.
func (s *testServer) waitAction(t *testing.T, id string) actionReply {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		a := decodeAction(t, s.do(t, "GET", "/api/v1/security/actions/"+id, nil, nil), http.StatusOK)
		switch a.Status {
		case "completed", "failed", "cancelled", "timedOut", "rejected":
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("action %s still %s", id, a.Status)
		}
	}
}

func TestActionCenterAPI(t *testing.T) {
	s := startTest(t, nil)
	const base = "/api/v1/security/actions"
	responder := createKey(t, s, "resp", auth.RoleResponder, "default")
	approver := createKey(t, s, "secadmin", auth.RoleSecAdmin, "default")
	mustStatus(t, s.do(t, "GET", "/api/v1/security/automationLevel", nil, nil), http.StatusOK)
	if r := s.do(t, "GET", "/api/v1/security/automationLevel", nil, nil); r.body != "{\"level\":\"semi\",\"fourEyes\":true,\"attackDisruption\":true}\n" {
		t.Errorf("default level: %s", r.body)
	}
	isolate := `{"type":"isolateDevice","target":{"device":"ws1"},"comment":"beaconing to a C2 address","incidentId":7}`
	a := decodeAction(t, s.as(t, responder, "POST", base, isolate), http.StatusCreated)
	if a.Status != "pendingApproval" || a.Requestor.Type != "user" {
		t.Fatalf("request: %+v", a)
	}
	mustStatus(t, s.as(t, responder, "POST", base+"/"+a.ID+"/approve", `{}`), http.StatusForbidden) // lacks response:approve

	// Four eyes: the security admin cannot approve its own request.
	own := decodeAction(t, s.as(t, approver, "POST", base, `{"type":"disableAccount","target":{"account":"bob"}}`), http.StatusCreated)
	if r := s.as(t, approver, "POST", base+"/"+own.ID+"/approve", `{"comment":"mine"}`); r.status != http.StatusForbidden {
		t.Errorf("self-approval: %d %s", r.status, r.body)
	}
	rej := decodeAction(t, s.as(t, approver, "POST", base+"/"+a.ID+"/reject", `{"comment":"not this one"}`), http.StatusOK)
	if rej.Status != "rejected" || rej.ApprovalComment != "not this one" {
		t.Errorf("reject: %+v", rej)
	}
	mustStatus(t, s.as(t, approver, "POST", base+"/"+a.ID+"/approve", ``), http.StatusConflict)

	a = decodeAction(t, s.as(t, responder, "POST", base, isolate), http.StatusCreated)
	decodeAction(t, s.as(t, approver, "POST", base+"/"+a.ID+"/approve", `{"comment":"go"}`), http.StatusOK)
	if a = s.waitAction(t, a.ID); a.Status != "completed" || a.Approver == "" {
		t.Fatalf("isolate: %+v", a)
	}
	mustStatus(t, s.as(t, responder, "POST", base+"/"+a.ID+"/cancel", ``), http.StatusConflict)

	// Undo: a linked releaseIsolation, approved by the second person.
	u := decodeAction(t, s.as(t, responder, "POST", base+"/"+a.ID+"/undo", `{"comment":"false positive"}`), http.StatusCreated)
	if u.UndoOf != a.ID || u.Status != "pendingApproval" {
		t.Fatalf("undo: %+v", u)
	}
	decodeAction(t, s.as(t, approver, "POST", base+"/"+u.ID+"/approve", ``), http.StatusOK)
	if u = s.waitAction(t, u.ID); u.Status != "completed" {
		t.Errorf("undo: %+v", u)
	}
	mustStatus(t, s.as(t, responder, "POST", base+"/"+a.ID+"/undo", ``), http.StatusConflict)
	if got := decodeAction(t, s.do(t, "GET", base+"/"+a.ID, nil, nil), http.StatusOK); got.UndoneBy != u.ID {
		t.Errorf("undone by %q, want %q", got.UndoneBy, u.ID)
	}

	c := decodeAction(t, s.as(t, responder, "POST", base+"/"+own.ID+"/cancel", `{"comment":"duplicate"}`), http.StatusOK)
	if c.Status != "cancelled" {
		t.Errorf("cancel: %+v", c)
	}

	// Full automation: approved at once; an injected failure is reported as failed.
	mustStatus(t, s.as(t, responder, "PUT", "/api/v1/security/automationLevel", `{"level":"full"}`), http.StatusForbidden)
	mustStatus(t, s.as(t, approver, "PUT", "/api/v1/security/automationLevel", `{"level":"max"}`), http.StatusBadRequest)
	mustStatus(t, s.as(t, approver, "PUT", "/api/v1/security/automationLevel", `{"level":"full"}`), http.StatusOK)
	f := decodeAction(t, s.as(t, responder, "POST", base, `{"type":"stopAndQuarantineFile","target":{"fileSha256":"abc","filePath":"/tmp/x"},"parameters":{"simulate":"fail"}}`), http.StatusCreated)
	if f = s.waitAction(t, f.ID); f.Status != "failed" || f.Result.Error == "" {
		t.Errorf("injected failure: %+v", f)
	}
	d := decodeAction(t, s.as(t, responder, "POST", base, `{"type":"disableAccount","target":{"account":"bob"}}`), http.StatusCreated)
	if d = s.waitAction(t, d.ID); d.Status != "completed" {
		t.Errorf("disable: %+v", d)
	}
	r := s.do(t, "GET", base+"/simulatedState", nil, nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, `"kind":"disabledAccount","target":"bob"`) ||
		strings.Contains(r.body, "isolatedDevice") || strings.Contains(r.body, "quarantinedFile") {
		t.Errorf("simulated state: %d %s", r.status, r.body)
	}
	mustStatus(t, s.as(t, responder, "POST", base, `{"type":"isolateDevice","target":{"account":"x"}}`), http.StatusBadRequest)
	mustStatus(t, s.as(t, responder, "POST", base, `{"type":"isolateDevice","target":{"device":"x"},"bogus":1}`), http.StatusBadRequest)

	listCases := []struct {
		query string
		want  int
	}{
		{"", 6},
		{"?status=completed", 3},
		{"?type=isolateDevice", 2},
		{"?target=ws1", 3},
		{"?incidentId=7", 3},
		{"?$top=2&$skip=5", 1},
	}
	for _, lc := range listCases {
		var list struct{ Value []actionReply }
		r := s.do(t, "GET", base+lc.query, nil, nil)
		if err := json.Unmarshal([]byte(r.body), &list); err != nil || r.status != http.StatusOK || len(list.Value) != lc.want {
			t.Errorf("list %q: %d actions (%d %.300s), want %d", lc.query, len(list.Value), r.status, r.body, lc.want)
		}
	}
	mustStatus(t, s.do(t, "GET", base+"?status=bogus", nil, nil), http.StatusBadRequest)

	// Every change is a VigilActions row and an audit record.
	rows := s.sql(t, fmt.Sprintf(`SELECT Status FROM VigilActions WHERE ActionId = '%s' ORDER BY TimeGenerated`, rej.ID))
	if got := fmt.Sprint(rows); got != "[[pendingApproval] [rejected]]" {
		t.Errorf("VigilActions rows of %s: %s", rej.ID, got)
	}
	rows = s.sql(t, fmt.Sprintf(`SELECT Status FROM VigilActions WHERE ActionId = '%s' ORDER BY TimeGenerated`, u.ID))
	if got := fmt.Sprint(rows); got != "[[pendingApproval] [approved] [sent] [running] [completed]]" {
		t.Errorf("VigilActions rows of undo %s: %s", u.ID, got)
	}
	q, _ := json.Marshal(map[string]string{"Query": fmt.Sprintf(
		`VigilActions | where ActionId == '%s' and Status == 'completed' | project ActionType, Target.device, Requester, UndoOf`, u.ID)})
	want := fmt.Sprintf(`"results":[{"ActionType":"releaseIsolation","Requester":"key:resp","Target_device":"ws1","UndoOf":"%s"}]`, a.ID)
	if r := s.do(t, "POST", "/api/v1/security/runHuntingQuery", q, nil); !strings.Contains(r.body, want) {
		t.Errorf("hunting VigilActions: %d %s; want %s", r.status, r.body, want)
	}
	var audit struct {
		Value []struct{ Action, Target string }
	}
	r = s.do(t, "GET", "/api/v1/audit?action=response.releaseIsolation", nil, nil)
	if err := json.Unmarshal([]byte(r.body), &audit); err != nil || len(audit.Value) != 5 {
		t.Errorf("audit of the undo: %d records, %v: %.300s", len(audit.Value), err, r.body)
	}
}
