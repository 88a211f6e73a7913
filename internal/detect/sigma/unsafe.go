package sigma

import "unsafe"

// stringBytes views a string's bytes without copying. The matcher only reads field text, so
// the view is never written; it saves copying every string field of every row.
func stringBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s)) //nolint:gosec // read-only view, see above
}
