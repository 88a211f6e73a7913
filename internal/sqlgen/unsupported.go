package sqlgen

// UnsupportedError reports a construct a dialect cannot lower yet: the compiler refuses the
// query rather than send SQL that would answer differently.
type UnsupportedError struct {
	Dialect string // the engine's title, such as ClickHouse
	What    string // the construct, such as "function series_fir"
}

// Error reads "not supported in ClickHouse: function X".
func (e *UnsupportedError) Error() string { return "not supported in " + e.Dialect + ": " + e.What }

func unsupported(dialect, what string) *UnsupportedError {
	return &UnsupportedError{Dialect: dialect, What: what}
}

// unsupported is an [UnsupportedError] of d.
func (d *Dialect) unsupported(what string) *UnsupportedError {
	t := d.Title
	if t == "" {
		t = d.Name
	}
	return unsupported(t, what)
}
