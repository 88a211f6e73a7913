package rule

import "testing"

func FuzzSentinelYAML(f *testing.F) {
	f.Add([]byte(sentinelSample))
	f.Add([]byte("id: x\nquery: \"a\\u00e9b\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, _ := ParseSentinelYAML("f.yaml", data)
		if r != nil {
			for i := 0; i <= len(r.Query)+1; i++ {
				r.QueryPos(i)
			}
			_ = r.Pos("entityMappings[0].fieldMappings[0].columnName")
		}
	})
}

func FuzzDefenderJSON(f *testing.F) {
	f.Add([]byte(defenderSample))
	f.Add([]byte(armSample))
	f.Add([]byte(`{"value":[{"queryCondition":{"queryText":"a\tb"},"schedule":{"period":"0"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, _ := ParseDefenderJSON("f.json", data)
		for _, r := range rs {
			for i := 0; i <= len(r.Query)+1; i++ {
				r.QueryPos(i)
			}
		}
		ParseSentinelARM("f.json", data)
	})
}
