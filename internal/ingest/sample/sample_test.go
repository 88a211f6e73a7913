package sample

import (
	"encoding/json"
	"testing"
	"time"
)

func TestProcessEvent(t *testing.T) {
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for id := int64(0); id < 20; id++ {
		line := ProcessEvent(id, base)
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("row %d is not JSON: %v\n%s", id, err, line)
		}
		if len(line) < 850 || len(line) > 1150 {
			t.Errorf("row %d is %d bytes, want about 1 KB", id, len(line))
		}
		if m["ReportId"].(float64) != float64(id) {
			t.Errorf("ReportId = %v", m["ReportId"])
		}
	}
}
