package meta

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// streamOffsetKey is the settings name under which a stream consumer's offset is kept.
func streamOffsetKey(name string) string { return "stream.offset." + name }

// StreamOffset returns the last bus sequence the stream consumer name has processed, 0 when
// it has none yet.
func (s *Store) StreamOffset(ctx context.Context, name string) (uint64, error) {
	v, err := s.Setting(ctx, streamOffsetKey(name))
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	seq, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stream offset %s: %w", name, err)
	}
	return seq, nil
}

// SetStreamOffset records seq as the last bus sequence the stream consumer name has
// processed.
func (s *Store) SetStreamOffset(ctx context.Context, name string, seq uint64) error {
	return s.PutSetting(ctx, streamOffsetKey(name), strconv.FormatUint(seq, 10))
}
