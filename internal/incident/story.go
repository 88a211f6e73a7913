package incident

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/meta"
)

// Story is an incident's attack story, derived from its alerts and evidence alone, so
// that the same alerts always tell the same story.
type Story struct {
	Summary    string          `json:"summary"`
	Timeline   []TimelineEntry `json:"timeline"`
	Assets     []Asset         `json:"assets"`
	Tactics    []string        `json:"tactics"`
	Techniques []string        `json:"techniques"`
}

// TimelineEntry is one alert of the story, in activity order.
type TimelineEntry struct {
	Time       time.Time `json:"time"`
	AlertID    string    `json:"alertId"`
	Title      string    `json:"title"`
	Severity   string    `json:"severity"`
	Tactics    []string  `json:"tactics"`
	Techniques []string  `json:"techniques"`
	Assets     []string  `json:"assets"`
}

// Asset is an impacted asset with its kind (device, user, mailbox, ip, file, url, app).
type Asset struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// assetKinds maps entity types to asset kinds and the identifiers that name them.
var assetKinds = map[string]struct {
	kind string
	ids  []string
}{
	"host": {"device", []string{"HostName", "FullName", "MdatpDeviceId"}}, "account": {"user", []string{"FullName", "Name", "AadUserId", "Sid"}},
	"mailbox": {"mailbox", []string{"MailboxPrimaryAddress"}}, "ip": {"ip", []string{"Address"}},
	"filehash": {"file", []string{"Value"}}, "file": {"file", []string{"Name"}}, "url": {"url", []string{"Url"}},
	"cloudapplication": {"app", []string{"Name", "AppId"}},
}

// BuildStory tells the story of in from its alerts.
func BuildStory(in meta.Incident, alerts []meta.IncidentAlert) Story {
	st := Story{Timeline: []TimelineEntry{}, Assets: []Asset{}, Tactics: []string{}, Techniques: []string{}}
	sorted := slices.Clone(alerts)
	slices.SortStableFunc(sorted, func(a, b meta.IncidentAlert) int {
		if c := a.FirstActivity.Compare(b.FirstActivity); c != 0 {
			return c
		}
		return strings.Compare(a.AlertID, b.AlertID)
	})
	seen := map[Asset]bool{}
	for _, ia := range sorted {
		var a alert.Alert
		_ = json.Unmarshal(ia.Data, &a) // written by the correlator; a bad row tells less
		e := TimelineEntry{Time: ia.FirstActivity, AlertID: ia.AlertID, Title: ia.Title, Severity: ia.Severity,
			Tactics: nonNilList(a.Tactics), Techniques: nonNilList(a.Techniques), Assets: []string{}}
		for _, as := range assetsOf(a.Entities) {
			e.Assets = append(e.Assets, as.Kind+" "+as.Name)
			if !seen[as] {
				seen[as] = true
				st.Assets = append(st.Assets, as)
			}
		}
		st.Tactics = appendAll(st.Tactics, a.Tactics)
		st.Techniques = appendAll(st.Techniques, a.Techniques)
		st.Timeline = append(st.Timeline, e)
	}
	st.Summary = summarize(in, st)
	return st
}

func assetsOf(es []alert.Entity) []Asset {
	var out []Asset
	for _, e := range es {
		k, ok := assetKinds[strings.ToLower(e.Type)]
		if !ok {
			continue
		}
		for _, id := range k.ids {
			if v := strings.TrimSpace(e.Identifiers[id]); v != "" {
				out = append(out, Asset{Kind: k.kind, Name: v})
				break
			}
		}
	}
	return out
}

func appendAll(list, items []string) []string {
	for _, it := range items {
		list = appendNew(list, it)
	}
	return list
}

func nonNilList(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// summarize writes the summary: scope, the first steps in order, assets, techniques and
// the incident's state.
func summarize(in meta.Incident, st Story) string {
	if len(st.Timeline) == 0 {
		return fmt.Sprintf("Incident %d has no alerts.", in.ID)
	}
	var b strings.Builder
	first, last := st.Timeline[0].Time, st.Timeline[len(st.Timeline)-1].Time
	fmt.Fprintf(&b, "%s-severity incident with %d alert(s) between %s and %s UTC.", titleCase(in.Severity), len(st.Timeline),
		first.UTC().Format("2006-01-02 15:04"), last.UTC().Format("2006-01-02 15:04"))
	for i, e := range st.Timeline {
		if i == 5 {
			fmt.Fprintf(&b, " Then %d more alert(s).", len(st.Timeline)-5)
			break
		}
		verb := "Then"
		if i == 0 {
			verb = "It began with"
		}
		fmt.Fprintf(&b, " %s %q at %s", verb, e.Title, e.Time.UTC().Format("15:04"))
		if len(e.Tactics) > 0 {
			fmt.Fprintf(&b, " (%s)", joinAnd(slices.Clone(e.Tactics)))
		}
		if len(e.Assets) > 0 {
			fmt.Fprintf(&b, " on %s", strings.Join(e.Assets, ", "))
		}
		b.WriteString(".")
	}
	if len(st.Assets) > 0 {
		names := make([]string, 0, len(st.Assets))
		for _, a := range st.Assets {
			names = append(names, a.Kind+" "+a.Name)
		}
		fmt.Fprintf(&b, " Assets involved: %s.", strings.Join(names, ", "))
	}
	if len(st.Techniques) > 0 {
		fmt.Fprintf(&b, " MITRE ATT&CK techniques: %s.", strings.Join(st.Techniques, ", "))
	}
	fmt.Fprintf(&b, " Status: %s", in.Status)
	if in.AssignedTo != "" {
		fmt.Fprintf(&b, ", assigned to %s", in.AssignedTo)
	}
	if in.Classification != "" && in.Classification != meta.ClassUnknown {
		fmt.Fprintf(&b, ", classified %s (%s)", in.Classification, in.Determination)
	}
	b.WriteString(".")
	return b.String()
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
