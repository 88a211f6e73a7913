package auth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
)

// AuditTableName is the event-store table audit records are copied to.
const AuditTableName = "VigilAudit"

// auditTableSource names the copier in IngestionErrors.
const auditTableSource = "audit"

// auditTableCursor is the setting holding the last sequence number copied.
const auditTableCursor = "audit.table.seq"

// RowIngester writes rows durably (ingest.Service satisfies it).
type RowIngester interface {
	IngestRows(ctx context.Context, tenant, source string, t *schema.Table, rows [][]schema.Value, rejects []ingest.RowError) (*ingest.Result, error)
}

// AuditSink receives each audit record once the state store holds it. Offer
// must not block.
type AuditSink interface {
	Offer(r meta.AuditRecord)
}

// AuditTable copies audit records into the VigilAudit table of the event
// store so analysts can hunt them in KQL; the chain in the state store stays
// the record. Offer queues a record without blocking; Run, on its own
// goroutine, writes queued records through the ingest service and then saves
// the last sequence number written (setting audit.table.seq). Records that
// did not fit the queue, or that another process appended, are read back
// from the state store by sequence number, so none is skipped, and a restart
// resumes from the saved cursor.
//
// Copies are at least once: a crash between writing rows and saving the
// cursor writes those rows again; duplicates show as repeated Seq values.
// Records without a tenant (sign-ins of unknown users, refused anonymous
// requests, prune checkpoints) go to the default tenant. Stubs of pruned
// records are not copied.
type AuditTable struct {
	st      *meta.Store
	w       RowIngester
	t       *schema.Table
	q       chan meta.AuditRecord
	behind  chan struct{} // signalled when a record did not fit the queue
	log     *slog.Logger
	dropped atomic.Int64 // records that did not fit the queue (read back from the store)
}

// NewAuditTable returns a copier into reg's VigilAudit table through w,
// queueing up to size records.
func NewAuditTable(st *meta.Store, reg *schema.Registry, w RowIngester, size int, log *slog.Logger) (*AuditTable, error) {
	t, ok := reg.Table(AuditTableName)
	if !ok {
		return nil, fmt.Errorf("audit table: no table %s in the schema", AuditTableName)
	}
	if size <= 0 {
		size = 10000
	}
	return &AuditTable{st: st, w: w, t: t, q: make(chan meta.AuditRecord, size), behind: make(chan struct{}, 1), log: log}, nil
}

// Offer queues r for the table; when the queue is full the record is left
// to be read back from the state store.
func (a *AuditTable) Offer(r meta.AuditRecord) {
	select {
	case a.q <- r:
	default:
		a.dropped.Add(1)
		select {
		case a.behind <- struct{}{}:
		default:
		}
	}
}

// auditTableBatch is the most records written at once.
const auditTableBatch = 500

// Run copies records until ctx ends, then returns nil; what is still
// queued is copied at the next start.
func (a *AuditTable) Run(ctx context.Context) error {
	cursor, err := a.loadCursor(ctx)
	for err != nil {
		a.log.Error("read the audit table cursor; retrying", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(5 * time.Second):
		}
		cursor, err = a.loadCursor(ctx)
	}
	// Start by catching up with what was appended while no copier ran.
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	catchUp := true
	for {
		var batch []meta.AuditRecord
		if !catchUp {
			select {
			case <-ctx.Done():
				return nil
			case r := <-a.q:
				batch = append(batch, r)
			case <-a.behind: // read back what did not fit the queue
			case <-tick.C: // records appended by other processes
			}
		}
	fill:
		for len(batch) < auditTableBatch {
			select {
			case r := <-a.q:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		next, more, err := a.copy(ctx, cursor, batch)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			a.log.Error("copy audit records to "+AuditTableName+"; retrying", "err", err)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(5 * time.Second):
			}
			catchUp = true // the records are read back from the store
			continue
		}
		if next > cursor && a.saveCursor(ctx, next) == nil {
			cursor = next
		}
		catchUp = more
	}
}

// copy writes the records after cursor: batch when it continues the
// cursor without a gap, else (a gap, or no batch: a catch-up) the next
// records read from the state store. It returns the new cursor and whether
// the store may hold more.
func (a *AuditTable) copy(ctx context.Context, cursor int64, batch []meta.AuditRecord) (int64, bool, error) {
	slices.SortFunc(batch, func(x, y meta.AuditRecord) int { return cmp.Compare(x.Seq, y.Seq) })
	recs := batch[:0]
	for _, r := range batch {
		if r.Seq > cursor && (len(recs) == 0 || r.Seq != recs[len(recs)-1].Seq) {
			recs = append(recs, r)
		}
	}
	contiguous := len(recs) > 0 && recs[0].Seq == cursor+1 && recs[len(recs)-1].Seq == cursor+int64(len(recs))
	if len(batch) > 0 && len(recs) == 0 {
		return cursor, false, nil // all copied already
	}
	more := false
	if !contiguous {
		stored, err := a.st.AuditRecords(ctx, meta.AuditFilter{AfterSeq: cursor, Limit: auditTableBatch})
		if err != nil {
			return cursor, false, err
		}
		recs, more = stored, len(stored) == auditTableBatch
	}
	if len(recs) == 0 {
		return cursor, false, nil
	}
	if err := a.write(ctx, recs); err != nil {
		return cursor, false, err
	}
	return recs[len(recs)-1].Seq, more, nil
}

// write stores recs in the table, grouped by tenant.
func (a *AuditTable) write(ctx context.Context, recs []meta.AuditRecord) error {
	byTenant := map[string][][]schema.Value{}
	var tenants []string
	for _, r := range recs {
		if r.Stub() {
			continue
		}
		tenant := r.Tenant
		if tenant == "" {
			tenant = meta.DefaultTenantID
		}
		if _, ok := byTenant[tenant]; !ok {
			tenants = append(tenants, tenant)
		}
		byTenant[tenant] = append(byTenant[tenant], a.row(r))
	}
	for _, tenant := range tenants {
		res, err := a.w.IngestRows(ctx, tenant, auditTableSource, a.t, byTenant[tenant], nil)
		if err != nil {
			return fmt.Errorf("tenant %s: %w", tenant, err)
		}
		if res != nil && res.Rejected > 0 {
			// Rejected rows are in IngestionErrors; retrying would not help.
			a.log.Error("audit records rejected by "+AuditTableName, "tenant", tenant, "rejected", res.Rejected)
		}
	}
	return nil
}

func (a *AuditTable) row(r meta.AuditRecord) []schema.Value {
	vals := make([]schema.Value, len(a.t.Columns))
	set := func(col string, v schema.Value) {
		i, ok := a.t.Column(col)
		if !ok {
			panic("audit table: no column " + col)
		}
		vals[i] = v
	}
	set(schema.ColTimeGenerated, r.Time.UTC())
	set("Seq", r.Seq)
	for col, v := range map[string]string{"Actor": r.Actor, "ActorType": r.ActorType, "Action": r.Action, "Target": r.Target,
		"SourceAddress": r.Source, "Result": r.Result, "Hash": r.Hash, "PrevHash": r.PrevHash} {
		if v != "" {
			set(col, v)
		}
	}
	if r.Detail != "" {
		set("Detail", schema.Dynamic(r.Detail))
	}
	return vals
}

func (a *AuditTable) loadCursor(ctx context.Context) (int64, error) {
	v, err := a.st.Setting(ctx, auditTableCursor)
	if errors.Is(err, meta.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("audit table: %w", err)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("audit table: setting %s = %q: %w", auditTableCursor, v, err)
	}
	return n, nil
}

func (a *AuditTable) saveCursor(ctx context.Context, seq int64) error {
	err := a.st.PutSetting(ctx, auditTableCursor, strconv.FormatInt(seq, 10))
	if err != nil && ctx.Err() == nil {
		a.log.Error("save the audit table cursor", "err", err)
	}
	return err
}

var _ AuditSink = (*AuditTable)(nil)
