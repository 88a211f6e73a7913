package datacollector

import (
	"encoding/base64"
	"testing"
	"time"
)

func TestSignatureRoundTrip(t *testing.T) {
	key := base64.StdEncoding.EncodeToString([]byte("vgl_secret"))
	h, err := Signature("ws", key, 12, "application/json", "Mon, 01 Jan 2024 00:00:00 GMT")
	if err != nil {
		t.Fatal(err)
	}
	ws, sig, err := ParseAuthorization(h)
	want := MAC([]byte("vgl_secret"), "POST\n12\napplication/json\nx-ms-date:Mon, 01 Jan 2024 00:00:00 GMT\n/api/logs")
	if err != nil || ws != "ws" || string(sig) != string(want) {
		t.Fatalf("%q %v %v", ws, sig, err)
	}
	for _, bad := range []string{"", "SharedKey ws", "SharedKey :abc", "SharedKey ws:notbase64!", "Bearer x"} {
		if _, _, err := ParseAuthorization(bad); err == nil {
			t.Errorf("ParseAuthorization(%q) accepted", bad)
		}
	}
}

func TestRows(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	got, err := Rows([]byte(`[{"a":1,"ts":"2024-05-01T00:00:00Z"},{"a":2}]`), "ts", false, now)
	want := `{"a":1,"TimeGenerated":"2024-05-01T00:00:00Z"}` + "\n" + `{"a":2,"TimeGenerated":"2024-01-02T03:04:05Z"}` + "\n"
	if err != nil || string(got) != want {
		t.Fatalf("got %s %v\nwant %s", got, err, want)
	}
	if _, err := TableName("My-Type"); err == nil {
		t.Error("TableName accepted My-Type")
	}
	if err := CheckDate("Mon, 01 Jan 2024 00:00:00 GMT", now); err == nil {
		t.Error("CheckDate accepted a day-old date")
	}
}
