package deception

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/schema"
)

// RuleID and RuleName name the detector's alerts.
const (
	RuleID   = "vigil-deception"
	RuleName = "Decoy touched"
)

// kindInfo is how alerts name and classify a decoy kind.
type kindInfo struct {
	Noun       string
	Tactics    []string
	Techniques []string
	entity     func(v string) alert.Entity
}

var kinds = map[Kind]kindInfo{
	KindAccount: {"account", []string{"CredentialAccess", "LateralMovement"}, []string{"T1078"},
		func(v string) alert.Entity { return entity("Account", "Name", bareAccount(v)) }},
	KindHost: {"host", []string{"Discovery", "LateralMovement"}, []string{"T1021"},
		func(v string) alert.Entity { return entity("Host", "HostName", shortHost(v)) }},
	KindFile: {"file", []string{"Collection", "Discovery"}, []string{"T1083"},
		func(v string) alert.Entity { return entity("File", "Name", v) }},
	KindCredential: {"credential", []string{"CredentialAccess"}, []string{"T1552"},
		func(v string) alert.Entity { return entity("Process", "CommandLine", v) }},
	KindIP: {"IP address", []string{"Discovery", "LateralMovement"}, []string{"T1046"},
		func(v string) alert.Entity { return entity("IP", "Address", v) }},
	KindMailbox: {"mailbox", []string{"Reconnaissance", "InitialAccess"}, []string{"T1566"},
		func(v string) alert.Entity { return entity("Mailbox", "MailboxPrimaryAddress", v) }},
}

func entity(typ, id, v string) alert.Entity {
	return alert.Entity{Type: typ, Identifiers: map[string]string{id: v}}
}

// hostColumns and accountColumns give the row's own host and account entities.
var (
	hostColumns    = []string{"DeviceName", "Computer", "HostName"}
	accountColumns = []string{"AccountUpn", "UserPrincipalName", "AccountName", "InitiatingProcessAccountName", "UserId", "Account"}
)

// alert builds the alert for row i of b touching decoy dc in column col (value v).
func (d *Detector) alert(b *stream.Batch, i int, row []schema.Value, col, v string, dc *Decoy) alert.Alert {
	k := kinds[dc.Kind]
	act := actionFor(b.Table)
	from := ""
	if act.From != "" {
		if c := b.Index(act.From); c >= 0 {
			from = text(row, c)
		}
	}
	at := eventTime(b, row)
	a := alert.Alert{
		ID: alertID(dc.ID, b.Tenant, b.Seq, i), Tenant: b.Tenant, Provider: alert.Provider, RuleID: RuleID, RuleName: RuleName,
		Title: title(k.Noun, dc.Value, act.Verb, from), Severity: rule.SeverityHigh, Status: alert.StatusNew,
		Description: fmt.Sprintf("%s.%s holds %q, which names decoy %s %q. No legitimate activity uses a decoy, so whoever did this is probing the network or holds stolen data.",
			b.Table, col, v, k.Noun, dc.Value),
		Tactics: k.Tactics, Techniques: k.Techniques, StartTime: at, EndTime: at, CreatedTime: d.opts.Now().UTC(),
		Incident: rule.IncidentConfiguration{CreateIncident: true},
		Properties: map[string]string{"DecoyId": strconv.FormatInt(dc.ID, 10), "DecoyKind": string(dc.Kind), "DecoyValue": dc.Value,
			"MatchedColumn": col, "Confidence": "High"},
		Evidence: evidence(b, row),
	}
	if dc.Description != "" {
		a.Properties["DecoyDescription"] = dc.Description
	}
	a.Entities = append([]alert.Entity{k.entity(dc.Value)}, rowEntities(b, row, dc.Kind, from)...)
	return a
}

func title(noun, value, verb, from string) string {
	t := fmt.Sprintf("Decoy %s '%s' %s", noun, value, verb)
	if from != "" {
		t += " from " + from
	}
	return t
}

// rowEntities are the host, account and source address of the row, but for the decoy's own kind.
func rowEntities(b *stream.Batch, row []schema.Value, kind Kind, from string) []alert.Entity {
	var out []alert.Entity
	if kind != KindHost {
		if v := firstText(b, row, hostColumns); v != "" {
			out = append(out, entity("Host", "FullName", v))
		}
	}
	if kind != KindAccount {
		if v := firstText(b, row, accountColumns); v != "" {
			out = append(out, entity("Account", "FullName", v))
		}
	}
	if from != "" && kind != KindIP {
		out = append(out, entity("IP", "Address", from))
	}
	return out
}

func firstText(b *stream.Batch, row []schema.Value, cols []string) string {
	for _, c := range cols {
		if i := b.Index(c); i >= 0 {
			if v := text(row, i); v != "" {
				return v
			}
		}
	}
	return ""
}

func eventTime(b *stream.Batch, row []schema.Value) time.Time {
	for _, c := range []string{schema.ColTimestamp, schema.ColTimeGenerated} {
		if i := b.Index(c); i >= 0 && i < len(row) {
			if t, ok := row[i].(time.Time); ok {
				return t
			}
		}
	}
	return b.IngestTime
}

// alertID is a GUID-shaped hash of the decoy, tenant, bus sequence and row: the same after a
// replay.
func alertID(decoy int64, tenant string, seq uint64, row int) string {
	h := sha256.New()
	fmt.Fprintf(h, "deception\x00%d\x00%s\x00%d\x00%d", decoy, tenant, seq, row)
	s := hex.EncodeToString(h.Sum(nil))
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// evidence is the row, its null cells left out.
func evidence(b *stream.Batch, row []schema.Value) alert.Evidence {
	var ev alert.Evidence
	var vals []any
	for i, c := range b.Columns {
		if i < len(row) && row[i] != nil && !c.Hidden {
			ev.Columns = append(ev.Columns, c.Name)
			vals = append(vals, row[i])
		}
	}
	ev.Rows = [][]any{vals}
	return ev
}
