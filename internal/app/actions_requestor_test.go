package app

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// credentialTheftImport is the credential-theft scenario as third-party Graph alerts: an
// LSASS dump on fs-01 by dave, then dave's sign-in from a threat-intelligence address. The
// portal's end-to-end test imports the same two alerts.
const credentialTheftImport = `{"value":[
 {"id":"imp-dump","title":"Credential dumping from LSASS on fs-01.corp.example","severity":"high","createdDateTime":"%s",
  "category":"CredentialAccess","mitreTechniques":["T1003.001"],
  "evidence":[{"@odata.type":"#microsoft.graph.security.deviceEvidence","deviceDnsName":"fs-01.corp.example"},
   {"@odata.type":"#microsoft.graph.security.userEvidence","userAccount":{"accountName":"dave","userPrincipalName":"dave@corp.example"}}]},
 {"id":"imp-signin","title":"Sign-in from a TI address","severity":"high","createdDateTime":"%s","category":"InitialAccess",
  "evidence":[{"@odata.type":"#microsoft.graph.security.userEvidence","userAccount":{"accountName":"dave","userPrincipalName":"dave@corp.example"}}]}]}`

// TestActionsByRequestorType imports alerts that attack disruption contains through the API,
// then lists the actions by who asked for them: requestorType=disruption finds both
// containments, user none, and an unknown type is a 400 naming the known ones.
func TestActionsByRequestorType(t *testing.T) {
	s := startTest(t, nil)
	at := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	body := strings.ReplaceAll(credentialTheftImport, "%s", at)
	mustStatus(t, s.do(t, "POST", "/api/v1/security/alerts", []byte(body), nil), http.StatusCreated)
	if _, err := waitIsolated(context.Background(), s.a.meta, "fs-01.corp.example", 20*time.Second); err != nil {
		t.Fatal(err)
	}
	list := func(query string) []string {
		t.Helper()
		r := s.do(t, "GET", "/api/v1/security/actions?"+query, nil, nil)
		mustStatus(t, r, http.StatusOK)
		var v struct {
			Value []struct {
				Type      string
				Requestor struct{ Type, Name string }
				Target    map[string]string
			}
		}
		if err := json.Unmarshal([]byte(r.body), &v); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range v.Value {
			out = append(out, a.Requestor.Type+"/"+a.Requestor.Name+" "+a.Type+" "+a.Target["device"]+a.Target["account"])
		}
		slices.Sort(out)
		return out
	}
	want := []string{"disruption/attack-disruption disableAccount dave@corp.example", "disruption/attack-disruption isolateDevice fs-01.corp.example"}
	// The account is disabled in the same pass as the isolation; wait for its request too.
	var got []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got = list("requestorType=disruption"); slices.Equal(got, want) {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("requestorType=disruption: %q, want %q", got, want)
	}
	if got := list("requestorType=user"); len(got) != 0 {
		t.Errorf("requestorType=user: %q, want none", got)
	}
	if got := list("requestorType=disruption&type=isolateDevice"); len(got) != 1 {
		t.Errorf("disruption isolations: %q, want one", got)
	}
	r := s.do(t, "GET", "/api/v1/security/actions?requestorType=robot", nil, nil)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `unknown requestorType \"robot\" (want user, rule, playbook, investigation or disruption)`) {
		t.Errorf("unknown requestorType: %d %s", r.status, r.body)
	}
}
