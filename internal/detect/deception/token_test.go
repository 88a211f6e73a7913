package deception

import (
	"reflect"
	"testing"
)

func TestTokenSet(t *testing.T) {
	var ts tokenSet
	ds := []*Decoy{{ID: 1, Value: "abc"}, {ID: 2, Value: "TOKEN-1"}, {ID: 3, Value: "TOKEN-12"}, {ID: 4, Value: "xyzw"}}
	for _, d := range ds {
		ts.add(d)
	}
	for v, want := range map[string][]int64{
		"":                        nil,
		"abc":                     {1},
		"TOKEN-12 and TOKEN-1":    {2, 3},
		"token-1":                 nil,
		"TOKEN-":                  nil,
		"..xyzw..xyzw abcabc":     {1, 4},
		"TOKEN-1TOKEN-12TOKEN-12": {2, 3},
	} {
		var got []int64
		for _, d := range ts.match(v, nil) {
			got = append(got, d.ID)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("match(%q) = %v, want %v", v, got, want)
		}
	}
}
