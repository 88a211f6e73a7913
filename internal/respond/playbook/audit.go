package playbook

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/respond"
)

// Audit hands auditor (nil audits nothing) the event of actor's action on target in tenant,
// as the system when actor has no kind. The event is recorded even when ctx is cancelled; a
// failure is logged to log, never returned. Playbook runs and automation rules audit so.
func Audit(ctx context.Context, auditor auth.Auditor, log *slog.Logger, actor respond.Actor, tenant, action, target, result string, detail map[string]any) {
	if auditor == nil {
		return
	}
	kind := actor.Kind
	if kind == "" {
		kind = auth.KindSystem
	}
	err := auditor.Audit(context.WithoutCancel(ctx), auth.Event{Actor: actor.Name, ActorType: kind, Tenant: tenant,
		Action: action, Target: target, Result: result, Detail: detail})
	if err != nil {
		log.Error("audit", "action", action, "target", target, "err", err)
	}
}

// NewID returns a random UUID (version 4), the form of run ids and, as in Sentinel, of
// automation rule ids.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
