package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest/receiver/datacollector"
)

func signedCall(t *testing.T, workspace, sharedKey, logType, body string, date time.Time, extra map[string]string) call {
	t.Helper()
	d := date.UTC().Format(http.TimeFormat)
	auth, err := datacollector.Signature(workspace, sharedKey, int64(len(body)), "application/json", d)
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"Authorization": auth, "x-ms-date": d, "Log-Type": logType, "Content-Type": "application/json",
		"Content-Length": strconv.Itoa(len(body))}
	for k, v := range extra {
		hdr[k] = v
	}
	return call{"POST", "/api/logs?api-version=2016-04-01", body, hdr}
}

func TestDataCollectorHandler(t *testing.T) {
	shared := base64.StdEncoding.EncodeToString([]byte(testKey))
	now := time.Now()
	tests := []struct {
		name   string
		c      call
		status int
		body   string // substring of the answer
		tables string
	}{
		{"array with time field", signedCall(t, "t1", shared, "MyType", `[{"Message":"a","Count":1,"ts":"2024-05-01T00:00:00Z"},{"Message":"b"}]`, now,
			map[string]string{"time-generated-field": "ts"}), 200, "", "MyType_CL:2"},
		{"row that does not fit", signedCall(t, "t1", shared, "MyType", `[{"Message":"a","Count":"x"},{"Message":"b"}]`, now, nil),
			200, `"rejected":1`, "IngestionErrors:1 MyType_CL:1"},
		{"object, receive time", signedCall(t, "t1", shared, "MyType", `{"Message":"a","Count":2}`, now, nil), 200, "", "MyType_CL:1"},
		{"unknown table", signedCall(t, "t1", shared, "Other", `{"Message":"a"}`, now, nil), 404, "create it with PUT /api/v1/tables/Other_CL", ""},
		{"wrong key", signedCall(t, "t1", base64.StdEncoding.EncodeToString([]byte("nope")), "MyType", `{}`, now, nil), 403, "signature does not match", ""},
		{"wrong workspace", signedCall(t, "t2", shared, "MyType", `{}`, now, nil), 403, "signature does not match", ""},
		{"stale date", signedCall(t, "t1", shared, "MyType", `{}`, now.Add(-time.Hour), nil), 403, "more than 15m0s", ""},
		{"bearer is not enough", call{"POST", "/api/logs", `{}`, map[string]string{"Authorization": "Bearer " + testKey, "Log-Type": "MyType"}}, 403, "SharedKey", ""},
		{"bad log type", signedCall(t, "t1", shared, "My-Type", `{}`, now, nil), 400, "Log-Type", ""},
		{"not json", signedCall(t, "t1", shared, "MyType", `{`, now, nil), 400, "not JSON", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, pub := newTestServer(t)
			rec := s.call(tt.c)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("got %d %s, want %d containing %q", rec.Code, rec.Body, tt.status, tt.body)
			}
			if got := pub.tables(); got != tt.tables {
				t.Errorf("published %q, want %q", got, tt.tables)
			}
		})
	}
}

func TestCredentialForms(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct{ header, want string }{
		{"Bearer k1", "k1"},
		{"Splunk k2", "k2"},
		{"splunk  k3 ", "k3"},
		{"Basic " + b64("elastic:k4"), "k4"},
		{"ApiKey " + b64("id:k5"), "k5"},
		{"ApiKey notbase64!", ""},
		{"Digest x", ""},
		{"", ""},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest("POST", "/?token=q", nil)
		r.Header.Set("Authorization", tt.header)
		if got := credential(r); got != tt.want {
			t.Errorf("credential(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}
