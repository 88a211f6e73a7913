package meta

import (
	"context"
	"testing"
)

func TestOffsetsAndMarks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		if off, err := s.StreamOffset(ctx, "stream-detect"); err != nil || off != 0 {
			t.Fatalf("fresh offset = %d, %v", off, err)
		}
		for _, seq := range []uint64{7, 1 << 40} {
			if err := s.SetStreamOffset(ctx, "stream-detect", seq); err != nil {
				t.Fatal(err)
			}
			if off, err := s.StreamOffset(ctx, "stream-detect"); err != nil || off != seq {
				t.Errorf("offset = %d, %v, want %d", off, err, seq)
			}
		}
		if _, ok, err := s.NRTMark(ctx, "contoso", "r1"); ok || err != nil {
			t.Fatalf("fresh mark: ok=%v err=%v", ok, err)
		}
		if err := s.SetNRTMark(ctx, "contoso", "r1", 42); err != nil {
			t.Fatal(err)
		}
		if m, ok, err := s.NRTMark(ctx, "contoso", "r1"); m != 42 || !ok || err != nil {
			t.Errorf("mark = %d %v %v", m, ok, err)
		}
		if _, ok, _ := s.NRTMark(ctx, "fabrikam", "r1"); ok {
			t.Error("mark leaked to another tenant")
		}
	})
}
