package incident

import (
	"context"

	"github.com/vigilsec/vigil/internal/detect/alert"
)

// FanOut is a sink that hands every alert to each of its sinks in order and fails when
// any fails, so that the caller keeps and retries the alerts (each sink skips or tolerates
// alerts it already holds: the table sink is at-least-once, the correlator skips alerts it
// has correlated).
type FanOut []alert.Sink

// Put implements alert.Sink.
func (f FanOut) Put(ctx context.Context, alerts []alert.Alert) error {
	for _, s := range f {
		if err := s.Put(ctx, alerts); err != nil {
			return err
		}
	}
	return nil
}
