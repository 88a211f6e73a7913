package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/detect/rule"
)

const rulesAPI = "/api/v1/security/rules/detectionRules"

// rulesImportCmd stores rule files on the server (or, with --dry-run, prints them
// normalized): each file's rules are linted first, and a file with errors is not sent.
func rulesImportCmd() *cobra.Command {
	var cf clientFlags
	var dry bool
	cmd := &cobra.Command{
		Use:   "import FILE|DIR...",
		Short: "Lint rule files and store their rules on the server (Sentinel YAML/ARM, Defender JSON); --dry-run prints them normalized",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			findings, rules, err := lintRules(args, nil)
			if err != nil {
				return err
			}
			for _, f := range findings {
				fmt.Fprintln(cmd.ErrOrStderr(), f.String())
			}
			if dry {
				return printRules(cmd, rules, findings)
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			return importRules(cmd, c, args, findings)
		},
	}
	cf.add(cmd)
	cmd.Flags().BoolVar(&dry, "dry-run", false, "print the rules normalized as JSON instead of storing them")
	return cmd
}

func printRules(cmd *cobra.Command, rules []*rule.Rule, findings []rule.Finding) error {
	if rules == nil {
		rules = []*rule.Rule{}
	}
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	if err := enc.Encode(rules); err != nil {
		return err
	}
	if rule.HasErrors(findings) {
		return &exitError{code: 1}
	}
	return nil
}

// importRules sends each rule file without lint errors; a file of several rules (an ARM
// export) is sent one rule at a time as its normalized JSON is not a format the server
// reads, so such files are refused with a hint.
func importRules(cmd *cobra.Command, c *client, paths []string, findings []rule.Finding) error {
	files, err := rule.Files(paths)
	if err != nil {
		return err
	}
	failed := 0
	for _, f := range files {
		if hasErrorsIn(findings, f) {
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: not imported: lint errors\n", f)
			failed++
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		ct := "application/json"
		if ext := strings.ToLower(filepath.Ext(f)); ext == ".yaml" || ext == ".yml" {
			ct = "application/yaml"
		}
		var out struct {
			ID          string `json:"id"`
			DisplayName string `json:"displayName"`
			Version     int    `json:"version"`
		}
		if _, err := c.do(http.MethodPost, rulesAPI, ct, data, &out); err != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v\n", f, err)
			failed++
			continue
		}
		fmt.Fprintf(cmd.OutOrStdout(), "imported %s %q (version %d) from %s\n", out.ID, out.DisplayName, out.Version, f)
	}
	if failed > 0 {
		return &exitError{code: 1}
	}
	return nil
}

func hasErrorsIn(findings []rule.Finding, file string) bool {
	for _, f := range findings {
		if f.Level == rule.LevelError && f.File == file {
			return true
		}
	}
	return false
}

type ruleRow struct {
	ID             string `json:"id"`
	DisplayName    string `json:"displayName"`
	IsEnabled      bool   `json:"isEnabled"`
	Origin         string `json:"origin"`
	Kind           string `json:"kind"`
	QueryFrequency string `json:"queryFrequency"`
	NotRunReason   string `json:"notRunReason"`
	LastRunDetails *struct {
		LastRunDateTime time.Time `json:"lastRunDateTime"`
		Status          string    `json:"status"`
		Alerts          int       `json:"alertsGenerated"`
		FailureReason   string    `json:"failureReason"`
	} `json:"lastRunDetails"`
}

func rulesListCmd() *cobra.Command {
	var cf clientFlags
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the server's detection rules with their health (last run, alerts, failures)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			var raw json.RawMessage
			if _, err := c.do(http.MethodGet, rulesAPI, "", nil, &raw); err != nil {
				return err
			}
			if output == "json" {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), string(raw))
				return err
			}
			var page struct{ Value []ruleRow }
			if err := json.Unmarshal(raw, &page); err != nil {
				return err
			}
			return printRuleTable(cmd, page.Value)
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	return cmd
}

func printRuleTable(cmd *cobra.Command, rows []ruleRow) error {
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tORIGIN\tKIND\tEVERY\tSTATE\tLAST RUN\tRESULT")
	for _, r := range rows {
		state := "on"
		if r.NotRunReason != "" {
			state = r.NotRunReason
		}
		last, result := "-", "-"
		if lr := r.LastRunDetails; lr != nil {
			last, result = lr.LastRunDateTime.Format(time.RFC3339), fmt.Sprintf("%s, %d alerts", lr.Status, lr.Alerts)
			if lr.FailureReason != "" {
				result = lr.Status + ": " + lr.FailureReason
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.DisplayName, r.Origin, r.Kind, r.QueryFrequency, state, last, result)
	}
	return tw.Flush()
}

func rulesTestCmd() *cobra.Command {
	var cf clientFlags
	var from, to string
	cmd := &cobra.Command{
		Use:   "test RULE-ID",
		Short: "Dry-run a rule over stored data and print the alerts it would raise (none are stored)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := map[string]string{}
			for k, v := range map[string]string{"from": from, "to": to} {
				if v == "" {
					continue
				}
				t, err := parseWhen(v)
				if err != nil {
					return fmt.Errorf("%w: --%s: %w", errUsage, k, err)
				}
				body[k] = t.Format(time.RFC3339Nano)
			}
			b, _ := json.Marshal(body)
			c, err := cf.client()
			if err != nil {
				return err
			}
			var raw json.RawMessage
			if _, err := c.do(http.MethodPost, rulesAPI+"/"+url.PathEscape(args[0])+"/test", "application/json", b, &raw); err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), string(raw))
			return err
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVar(&from, "from", "", "window start: RFC 3339 time or a duration before now such as 24h")
	cmd.Flags().StringVar(&to, "to", "", "window end: RFC 3339 time or a duration before now (default now)")
	return cmd
}

// parseWhen reads an RFC 3339 time, or a duration meaning that long before now.
func parseWhen(v string) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		return time.Now().Add(-d), nil
	}
	return time.Parse(time.RFC3339, v)
}

func rulesSwitchCmd(verb string, on bool) *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{
		Use:   verb + " RULE-ID...",
		Short: strings.ToUpper(verb[:1]) + verb[1:] + " rules for your tenant (content rules included)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			body := fmt.Appendf(nil, `{"isEnabled":%t}`, on)
			for _, id := range args {
				if _, err := c.do(http.MethodPatch, rulesAPI+"/"+url.PathEscape(id), "application/json", body, nil); err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%sd %s\n", verb, id)
			}
			return nil
		},
	}
	cf.add(cmd)
	return cmd
}

func rulesDeleteCmd() *cobra.Command {
	return deleteCmd("delete", "Delete rules created through the API", rulesAPI)
}
