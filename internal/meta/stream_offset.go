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

// nrtMarkKey is the settings name of a near-real-time rule's mark for a tenant.
func nrtMarkKey(tenant, ruleID string) string { return "nrt.mark." + tenant + "." + ruleID }

// NRTMark returns the bus sequence up to which the near-real-time rule has read tenant's
// rows, and whether it has a mark.
func (s *Store) NRTMark(ctx context.Context, tenant, ruleID string) (uint64, bool, error) {
	v, err := s.Setting(ctx, nrtMarkKey(tenant, ruleID))
	if errors.Is(err, ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	seq, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("near-real-time mark of %s: %w", ruleID, err)
	}
	return seq, true, nil
}

// SetNRTMark records that the near-real-time rule has read tenant's rows up to seq.
func (s *Store) SetNRTMark(ctx context.Context, tenant, ruleID string, seq uint64) error {
	return s.PutSetting(ctx, nrtMarkKey(tenant, ruleID), strconv.FormatUint(seq, 10))
}
