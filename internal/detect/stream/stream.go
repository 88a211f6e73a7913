package stream

import (
	"strings"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/schema"
)

// Batch is the rows of one table for one tenant, as one bus message carried them. Only the
// columns some row set are present, so a detector resolves its fields per batch with Index.
type Batch struct {
	Tenant     string
	Table      string
	Seq        uint64 // bus sequence of the message
	IngestTime time.Time
	Columns    []schema.Column
	Rows       [][]schema.Value // each as wide as Columns

	once  sync.Once
	index map[string]int
}

// Index returns the position of column name (any letter case) in Columns, or -1.
func (b *Batch) Index(name string) int {
	b.once.Do(func() {
		b.index = make(map[string]int, 2*len(b.Columns))
		for i, c := range b.Columns {
			b.index[c.Name] = i
			if l := strings.ToLower(c.Name); l != c.Name {
				if _, ok := b.index[l]; !ok {
					b.index[l] = i
				}
			}
		}
	})
	if i, ok := b.index[name]; ok {
		return i
	}
	if i, ok := b.index[strings.ToLower(name)]; ok {
		return i
	}
	return -1
}

// Detector tests the rows of a batch and emits an alert for each match. The consumer calls
// Detect from one goroutine, batch after batch in bus order; emit must not be kept after
// Detect returns. An error stops the consumer without acknowledging the batch, so it is
// retried: a detector returns one only for a fault that retrying can cure.
type Detector interface {
	// Name names the detector in logs and metrics ("sigma", "ti", "deception").
	Name() string
	Detect(b *Batch, emit func(alert.Alert)) error
}
