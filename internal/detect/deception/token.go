package deception

import "strings"

// tokenSet finds honeytokens (at least 4 bytes long; the state store requires 8) inside
// text. A bitset of the tokens' first two bytes rules out most positions with one test, and
// the tokens are then looked up by their first four bytes and verified.
type tokenSet struct {
	first  [1 << 16 / 64]uint64 // bit b0<<8|b1 set when a token starts with bytes b0 b1
	byHead map[uint32][]*Decoy
	short  []*Decoy // tokens under 4 bytes, scanned with strings.Contains
}

func head(s string) uint32 {
	return uint32(s[0])<<24 | uint32(s[1])<<16 | uint32(s[2])<<8 | uint32(s[3])
}

func (ts *tokenSet) add(d *Decoy) {
	v := d.Value
	if len(v) < 4 {
		ts.short = append(ts.short, d)
		return
	}
	if ts.byHead == nil {
		ts.byHead = map[uint32][]*Decoy{}
	}
	b := uint16(v[0])<<8 | uint16(v[1])
	ts.first[b/64] |= 1 << (b % 64)
	ts.byHead[head(v)] = append(ts.byHead[head(v)], d)
}

// match appends the tokens appearing in v, each once, compared exactly.
func (ts *tokenSet) match(v string, out []*Decoy) []*Decoy {
	n := len(out)
	for _, d := range ts.short {
		if strings.Contains(v, d.Value) {
			out = append(out, d)
		}
	}
	if ts.byHead == nil {
		return out
	}
	for i := 0; i+4 <= len(v); i++ {
		b := uint16(v[i])<<8 | uint16(v[i+1])
		if ts.first[b/64]&(1<<(b%64)) == 0 {
			continue
		}
		for _, d := range ts.byHead[head(v[i:])] {
			if strings.HasPrefix(v[i:], d.Value) && !seen(out[n:], d) {
				out = append(out, d)
			}
		}
	}
	return out
}

func seen(ds []*Decoy, d *Decoy) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}
