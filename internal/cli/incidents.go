package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// incidentsCmd is "vigil incidents list|show|update|comment".
func incidentsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "incidents", Short: "List, show and update security incidents"}
	cmd.AddCommand(incidentsListCmd(), incidentsShowCmd(), incidentsUpdateCmd(), incidentsCommentCmd())
	return cmd
}

// alertsCmd is "vigil alerts list|show".
func alertsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "alerts", Short: "List and show security alerts"}
	cmd.AddCommand(alertsListCmd(), alertsShowCmd())
	return cmd
}

// listFlags are the filters of a list command, mapped to an OData $filter.
type listFlags struct {
	clientFlags
	output, status, severity, assignedTo, tag, since, filter, orderBy string
	top                                                               int
}

func (f *listFlags) add(cmd *cobra.Command, tags bool) {
	f.clientFlags.add(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "table", "output format: table or json")
	fl.StringVar(&f.status, "status", "", "only this status")
	fl.StringVar(&f.severity, "severity", "", "only this severity")
	fl.StringVar(&f.assignedTo, "assigned-to", "", "only assigned to this user")
	if tags {
		fl.StringVar(&f.tag, "tag", "", "only with this tag")
	}
	fl.StringVar(&f.since, "since", "", "only created at or after this time (RFC 3339) or this long ago (24h)")
	fl.StringVar(&f.filter, "filter", "", "an OData $filter, and-ed with the flags above")
	fl.StringVar(&f.orderBy, "orderby", "", "an OData $orderby, such as 'severity desc'")
	fl.IntVar(&f.top, "top", 50, "at most this many")
}

// odataString quotes s as an OData string literal.
func odataString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// query builds the list's query string.
func (f *listFlags) query(now time.Time) (string, error) {
	var terms []string
	for _, t := range []struct{ field, v string }{{"status", f.status}, {"severity", f.severity}, {"assignedTo", f.assignedTo}} {
		if t.v != "" {
			terms = append(terms, t.field+" eq "+odataString(t.v))
		}
	}
	if f.tag != "" {
		terms = append(terms, "tags/any(t: t eq "+odataString(f.tag)+")")
	}
	if f.since != "" {
		at, err := sinceTime(f.since, now)
		if err != nil {
			return "", err
		}
		terms = append(terms, "createdDateTime ge "+at.UTC().Format(time.RFC3339))
	}
	if f.filter != "" {
		terms = append(terms, "("+f.filter+")")
	}
	v := url.Values{}
	if len(terms) > 0 {
		v.Set("$filter", strings.Join(terms, " and "))
	}
	if f.orderBy != "" {
		v.Set("$orderby", f.orderBy)
	}
	v.Set("$top", fmt.Sprint(f.top))
	return v.Encode(), nil
}

func sinceTime(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--since %q: want a time such as 2026-05-01T00:00:00Z or a duration such as 24h", s)
	}
	return t, nil
}

func checkListOutput(o string) error {
	if o != "table" && o != "json" {
		return fmt.Errorf("--output %q: want table or json", o)
	}
	return nil
}

func incidentsListCmd() *cobra.Command {
	var f listFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List incidents, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runList(cmd, &f, "/api/v1/security/incidents", []string{"ID", "SEVERITY", "STATUS", "ALERTS", "ASSIGNED TO", "CREATED", "TITLE"},
				func(m map[string]any) []string {
					return []string{cellText(m["id"]), cellText(m["severity"]), cellText(m["status"]), cellText(m["alertCount"]), cellText(m["assignedTo"]),
						cellText(m["createdDateTime"]), cellText(m["displayName"])}
				})
		},
	}
	f.add(cmd, true)
	return cmd
}

func alertsListCmd() *cobra.Command {
	var f listFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List alerts, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runList(cmd, &f, "/api/v1/security/alerts_v2", []string{"ID", "SEVERITY", "STATUS", "INCIDENT", "CREATED", "TITLE"},
				func(m map[string]any) []string {
					return []string{cellText(m["id"]), cellText(m["severity"]), cellText(m["status"]), cellText(m["incidentId"]),
						cellText(m["createdDateTime"]), cellText(m["title"])}
				})
		},
	}
	f.add(cmd, false)
	return cmd
}

// runList gets a list and prints it as a table of cols, or as the server's JSON.
func runList(cmd *cobra.Command, f *listFlags, path string, cols []string, row func(map[string]any) []string) error {
	if err := checkListOutput(f.output); err != nil {
		return err
	}
	q, err := f.query(time.Now())
	if err != nil {
		return err
	}
	c, err := f.client()
	if err != nil {
		return err
	}
	var out struct {
		Value []map[string]any `json:"value"`
	}
	if _, err := c.do("GET", path+"?"+q, "", nil, &out); err != nil {
		return err
	}
	if f.output == "json" {
		return printIncidentJSON(cmd.OutOrStdout(), out.Value)
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	for _, m := range out.Value {
		fmt.Fprintln(tw, strings.Join(row(m), "\t"))
	}
	return tw.Flush()
}

func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return "-"
	case string:
		return x
	case float64:
		return fmt.Sprint(int64(x))
	}
	return fmt.Sprint(v)
}

func printIncidentJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// showFlags are the flags of a show command.
type showFlags struct {
	clientFlags
	output string
}

func (f *showFlags) add(cmd *cobra.Command) {
	f.clientFlags.add(cmd)
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table or json")
}

func incidentsShowCmd() *cobra.Command {
	var f showFlags
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show an incident with its summary, alerts and comments",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkListOutput(f.output); err != nil {
				return err
			}
			c, err := f.client()
			if err != nil {
				return err
			}
			var in map[string]any
			if _, err := c.do("GET", "/api/v1/security/incidents/"+url.PathEscape(args[0])+"?$expand=alerts", "", nil, &in); err != nil {
				return err
			}
			if f.output == "json" {
				return printIncidentJSON(cmd.OutOrStdout(), in)
			}
			printIncident(cmd.OutOrStdout(), in)
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

// printIncident prints an incident for a person.
func printIncident(w io.Writer, in map[string]any) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, k := range []string{"id", "displayName", "severity", "status", "classification", "determination", "assignedTo",
		"createdDateTime", "lastUpdateDateTime", "redirectIncidentId", "customTags", "correlationNotes"} {
		fmt.Fprintf(tw, "%s:\t%s\n", k, cellText(in[k]))
	}
	_ = tw.Flush()
	if s, _ := in["summary"].(string); s != "" {
		fmt.Fprintf(w, "\nSummary: %s\n", s)
	}
	alerts, _ := in["alerts"].([]any)
	fmt.Fprintf(w, "\nAlerts (%d):\n", len(alerts))
	for _, a := range alerts {
		m, _ := a.(map[string]any)
		fmt.Fprintf(w, "  %s  %-8s %s  %s\n", cellText(m["firstActivityDateTime"]), cellText(m["severity"]), cellText(m["id"]), cellText(m["title"]))
	}
	comments, _ := in["comments"].([]any)
	if len(comments) > 0 {
		fmt.Fprintf(w, "\nComments:\n")
		for _, c := range comments {
			m, _ := c.(map[string]any)
			fmt.Fprintf(w, "  %s  %s: %s\n", cellText(m["createdDateTime"]), cellText(m["createdByDisplayName"]), cellText(m["comment"]))
		}
	}
}

func alertsShowCmd() *cobra.Command {
	var f showFlags
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show an alert with its evidence",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			var a map[string]any
			if _, err := c.do("GET", "/api/v1/security/alerts_v2/"+url.PathEscape(args[0]), "", nil, &a); err != nil {
				return err
			}
			if f.output == "json" {
				return printIncidentJSON(cmd.OutOrStdout(), a)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			for _, k := range []string{"id", "title", "severity", "status", "incidentId", "classification", "determination",
				"assignedTo", "detectorId", "createdDateTime", "mitreTechniques"} {
				fmt.Fprintf(tw, "%s:\t%s\n", k, cellText(a[k]))
			}
			ev, _ := a["evidence"].([]any)
			for _, e := range ev {
				m, _ := e.(map[string]any)
				fmt.Fprintf(tw, "evidence:\t%s\n", strings.TrimPrefix(cellText(m["@odata.type"]), "#microsoft.graph.security."))
			}
			return tw.Flush()
		},
	}
	f.add(cmd)
	return cmd
}

func incidentsUpdateCmd() *cobra.Command {
	var f showFlags
	var status, assign, class, det, sev, ifMatch string
	var tags []string
	cmd := &cobra.Command{
		Use:   "update ID",
		Short: "Update an incident's status, assignment, classification, determination, severity or tags",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := map[string]any{}
			for k, v := range map[string]string{"status": status, "assignedTo": assign, "classification": class, "determination": det, "severity": sev} {
				if cmd.Flags().Changed(flagOf(k)) {
					body[k] = v
				}
			}
			if cmd.Flags().Changed("tag") {
				body["customTags"] = tags
			}
			if len(body) == 0 {
				return fmt.Errorf("nothing to update: give --status, --assign, --classification, --determination, --severity or --tag")
			}
			return patchIncident(cmd, &f, args[0], body, ifMatch)
		},
	}
	f.add(cmd)
	fl := cmd.Flags()
	fl.StringVar(&status, "status", "", "active, inProgress or resolved")
	fl.StringVar(&assign, "assign", "", "assign to this user (empty to unassign)")
	fl.StringVar(&class, "classification", "", "truePositive, falsePositive or informationalExpectedActivity")
	fl.StringVar(&det, "determination", "", "such as malware, phishing, compromisedAccount, securityTesting, notMalicious")
	fl.StringVar(&sev, "severity", "", "informational, low, medium or high")
	fl.StringSliceVar(&tags, "tag", nil, "set the tags (repeat; replaces them)")
	fl.StringVar(&ifMatch, "if-match", "", "update only if the incident's ETag is still this")
	return cmd
}

func flagOf(field string) string {
	if field == "assignedTo" {
		return "assign"
	}
	return field
}

func patchIncident(cmd *cobra.Command, f *showFlags, id string, body map[string]any, ifMatch string) error {
	c, err := f.client()
	if err != nil {
		return err
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	path := "/api/v1/security/incidents/" + url.PathEscape(id)
	var in map[string]any
	if ifMatch != "" {
		c = c.withHeader("If-Match", ifMatch)
	}
	if _, err := c.do("PATCH", path, "application/json", b, &in); err != nil {
		return err
	}
	if f.output == "json" {
		return printIncidentJSON(cmd.OutOrStdout(), in)
	}
	printIncident(cmd.OutOrStdout(), in)
	return nil
}

func incidentsCommentCmd() *cobra.Command {
	var f clientFlags
	cmd := &cobra.Command{
		Use:   "comment ID TEXT",
		Short: "Add a comment to an incident",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			b, _ := json.Marshal(map[string]string{"comment": args[1]})
			if _, err := c.do("POST", "/api/v1/security/incidents/"+url.PathEscape(args[0])+"/comments", "application/json", b, nil); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "comment added to incident %s\n", args[0])
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

// withHeader returns a copy of c that sets header k to v on every request.
func (c *client) withHeader(k, v string) *client {
	cp := *c
	hc := *c.http
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = headerTransport{base: base, k: k, v: v}
	cp.http = &hc
	return &cp
}

// headerTransport sets one header on each request.
type headerTransport struct {
	base http.RoundTripper
	k, v string
}

// RoundTrip implements http.RoundTripper.
func (t headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(t.k, t.v)
	return t.base.RoundTrip(r)
}
