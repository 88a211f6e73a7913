package meta

import (
	"time"
)

// optTimeArg binds t to a nullable {{timestamp}} column: NULL when t is zero.
func (q querier) optTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return q.timeArg(t)
}

// optTimeDest returns a scan destination for a nullable {{timestamp}} column:
// NULL leaves *t zero.
func optTimeDest(t *time.Time) *optTimeScanner { return &optTimeScanner{t: t} }

type optTimeScanner struct{ t *time.Time }

// Scan implements sql.Scanner.
func (s *optTimeScanner) Scan(src any) error {
	if src == nil {
		*s.t = time.Time{}
		return nil
	}
	return timeDest(s.t).Scan(src)
}
