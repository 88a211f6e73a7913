package sigma

// acAutomaton is an Aho-Corasick automaton compiled to a full DFA over byte classes, with
// ASCII case folding built into the class table: scanning never copies or lowers the text and
// never allocates. Patterns are given in lower case.
//
// Why not github.com/coregx/ahocorasick: it matches bytes as given, so every field would first
// be lowered into a copy; folding case in the class table removes that pass, and a dense
// class-indexed table (few classes, since rule literals use few distinct bytes) makes each text
// byte one table load.
type acAutomaton struct {
	class  [256]uint8
	nclass int
	next   []int32   // state*nclass + class -> state
	out    [][]int32 // state -> pattern ids ending here (own and via suffix links)
}

// buildAC builds the automaton for lower-case patterns; pattern i reports id i.
func buildAC(patterns [][]byte) *acAutomaton {
	a := &acAutomaton{}
	a.classes(patterns)
	goTo := []map[uint8]int32{{}}
	out := [][]int32{nil}
	for id, p := range patterns {
		s := int32(0)
		for _, b := range p {
			c := a.class[b]
			nx, ok := goTo[s][c]
			if !ok {
				nx = int32(len(goTo))
				goTo = append(goTo, map[uint8]int32{})
				out = append(out, nil)
				goTo[s][c] = nx
			}
			s = nx
		}
		out[s] = append(out[s], int32(id))
	}
	a.out = out
	a.link(goTo)
	return a
}

// classes gives each byte of the patterns its own class (upper-case letters share their
// lower-case letter's class); every other byte is class 0.
func (a *acAutomaton) classes(patterns [][]byte) {
	a.nclass = 1
	for _, p := range patterns {
		for _, b := range p {
			if a.class[b] == 0 && a.nclass < 255 {
				a.class[b] = uint8(a.nclass)
				a.nclass++
			}
		}
	}
	for b := 'A'; b <= 'Z'; b++ {
		if l := a.class[b+'a'-'A']; l != 0 {
			a.class[b] = l
		}
	}
}

// link computes failure links breadth-first and fills the DFA table.
func (a *acAutomaton) link(goTo []map[uint8]int32) {
	n := len(goTo)
	a.next = make([]int32, n*a.nclass)
	fail := make([]int32, n)
	queue := make([]int32, 0, n)
	for c := range a.nclass {
		if s, ok := goTo[0][uint8(c)]; ok {
			a.next[c] = s
			queue = append(queue, s)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for c := range a.nclass {
			t, ok := goTo[s][uint8(c)]
			if !ok {
				a.next[int(s)*a.nclass+c] = a.next[int(fail[s])*a.nclass+c]
				continue
			}
			a.next[int(s)*a.nclass+c] = t
			if s != 0 {
				fail[t] = a.next[int(fail[s])*a.nclass+c]
			}
			a.out[t] = append(a.out[t], a.out[fail[t]]...)
			queue = append(queue, t)
		}
	}
}

// contains reports whether any pattern occurs in text.
func (a *acAutomaton) contains(text []byte) bool {
	s, nc := int32(0), a.nclass
	for _, b := range text {
		s = a.next[int(s)*nc+int(a.class[b])]
		if a.out[s] != nil {
			return true
		}
	}
	return false
}
