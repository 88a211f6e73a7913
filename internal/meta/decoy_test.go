package meta

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"
)

func TestDecoys(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		t0 := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
		s.now = ticker(t0, time.Second)
		ctx := context.Background()
		version := func() int64 {
			t.Helper()
			v, err := s.DecoysVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if v := version(); v != 0 {
			t.Fatalf("initial version %d", v)
		}
		creates := []struct {
			d        Decoy
			wantErr  error
			wantText string
		}{
			{d: Decoy{Tenant: "t1", Kind: DecoyAccount, Value: " svc-backup-admin ", Description: "fake admin", CreatedBy: "alice", Enabled: true}},
			{d: Decoy{Tenant: "t1", Kind: DecoyCredential, Value: "AKIAFAKE0001", CreatedBy: "alice", Enabled: true}},
			{d: Decoy{Tenant: "t1", Kind: DecoyCredential, Value: "akiafake0001", CreatedBy: "alice", Enabled: true}},
			{d: Decoy{Tenant: "t1", Kind: DecoyHost, Value: "FILESRV-OLD", CreatedBy: "alice"}},
			{d: Decoy{Tenant: "t2", Kind: DecoyAccount, Value: "svc-backup-admin", CreatedBy: "bob", Enabled: true}},
			{d: Decoy{Tenant: "t1", Kind: DecoyAccount, Value: "SVC-Backup-Admin", CreatedBy: "alice"}, wantErr: ErrConflict,
				wantText: `create decoy: account decoy "SVC-Backup-Admin" exists: conflict`},
			{d: Decoy{Tenant: "t1", Kind: "printer", Value: "p1"}, wantErr: ErrInvalidDecoy,
				wantText: "create decoy: kind \"printer\" is not one of account, host, file, credential, ip, mailbox: invalid decoy"},
			{d: Decoy{Tenant: "t1", Kind: DecoyIP, Value: "  "}, wantErr: ErrInvalidDecoy, wantText: "create decoy: value is empty: invalid decoy"},
			{d: Decoy{Tenant: "t1", Kind: DecoyIP, Value: "10.0.0.300"}, wantErr: ErrInvalidDecoy, wantText: `create decoy: "10.0.0.300" is not an IP address: invalid decoy`},
			{d: Decoy{Tenant: "t1", Kind: DecoyMailbox, Value: "cfo"}, wantErr: ErrInvalidDecoy, wantText: `create decoy: "cfo" is not an email address: invalid decoy`},
			{d: Decoy{Tenant: "t1", Kind: DecoyCredential, Value: "pass"}, wantErr: ErrInvalidDecoy,
				wantText: "create decoy: a credential decoy must be at least 8 bytes, so that it appears nowhere by chance: invalid decoy"},
		}
		var ids []int64
		for _, c := range creates {
			d, err := s.CreateDecoy(ctx, c.d)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) || err.Error() != c.wantText {
					t.Errorf("create %+v: %v, want %q", c.d, err, c.wantText)
				}
				continue
			}
			if err != nil || d.ID == 0 || d.CreatedAt.IsZero() {
				t.Fatalf("create %+v: %+v %v", c.d, d, err)
			}
			ids = append(ids, d.ID)
		}
		if v := version(); v != 5 {
			t.Errorf("version after 5 creates = %d", v)
		}
		got, err := s.Decoy(ctx, "t1", ids[0])
		want := Decoy{ID: ids[0], Tenant: "t1", Kind: DecoyAccount, Value: "svc-backup-admin", Description: "fake admin", CreatedBy: "alice", CreatedAt: t0, Enabled: true}
		if err != nil || got != want {
			t.Errorf("Decoy = %+v, %v; want %+v", got, err, want)
		}
		if _, err := s.Decoy(ctx, "t2", ids[0]); !errors.Is(err, ErrNotFound) {
			t.Errorf("other tenant's decoy: %v", err)
		}
		list, err := s.Decoys(ctx, "t1")
		if err != nil || len(list) != 4 || list[3].Value != "FILESRV-OLD" || list[3].Enabled {
			t.Errorf("Decoys(t1) = %+v, %v", list, err)
		}
		all, v, err := s.AllDecoys(ctx)
		if err != nil || len(all) != 4 || v != 5 {
			t.Errorf("AllDecoys = %d decoys at %d, %v; want the 4 enabled at 5", len(all), v, err)
		}
		if err := s.DeleteDecoy(ctx, "t2", ids[0]); !errors.Is(err, ErrNotFound) || err.Error() != "decoy "+itoa(ids[0])+": not found" {
			t.Errorf("delete other tenant's: %v", err)
		}
		if err := s.DeleteDecoy(ctx, "t1", ids[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Decoy(ctx, "t1", ids[0]); !errors.Is(err, ErrNotFound) {
			t.Errorf("after delete: %v", err)
		}
		if v := version(); v != 6 {
			t.Errorf("version after delete = %d", v)
		}
		if list, _ := s.Decoys(ctx, "nobody"); len(list) != 0 {
			t.Errorf("unknown tenant has %d decoys", len(list))
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
