package sigma

import (
	"slices"
	"testing"
)

func TestMatchCases(t *testing.T) {
	for _, c := range append(append(append([]matchCase{}, matchCases...), classicCases...), keywordCases...) {
		t.Run(c.name, func(t *testing.T) {
			rs := mustCompile(t, c.ruleText(), c.vars)
			got := matchedRows(t, rs, makeBatch(t, c.tableName(), c.rows))
			if !slices.Equal(got, c.want) {
				t.Fatalf("matched rows %v, want %v", got, c.want)
			}
			// The whole batch at once gives the same rows.
			as := detect(t, rs, makeBatch(t, c.tableName(), c.rows))
			if len(as) != len(c.want) {
				t.Fatalf("batch raised %d alerts, want %d", len(as), len(c.want))
			}
		})
	}
}
