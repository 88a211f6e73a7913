package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/detect/watchlist"
	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
)

func rulesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "rules", Short: "Lint and import detection rules (Sentinel YAML/ARM, Defender custom detections)"}
	var watchlists []string
	lint := &cobra.Command{
		Use:   "lint FILE|DIR...",
		Short: "Report every problem in rule files as file:line:col: message; exit 1 on errors",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			wl, err := lintWatchlists(watchlists)
			if err != nil {
				return err
			}
			findings, _, err := lintRules(args, wl)
			if err != nil {
				return err
			}
			for _, f := range findings {
				fmt.Fprintln(cmd.OutOrStdout(), f.String())
			}
			if rule.HasErrors(findings) {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	lint.Flags().StringArrayVar(&watchlists, "watchlist", nil, "ALIAS=FILE.csv: check _GetWatchlist('ALIAS') against the columns of this CSV (repeatable)")
	cmd.AddCommand(lint)
	cmd.AddCommand(rulesImportCmd(), rulesListCmd(), rulesTestCmd(), rulesSwitchCmd("enable", true), rulesSwitchCmd("disable", false), rulesDeleteCmd())
	return cmd
}

// lintRules parses and lints the rules under paths against the built-in schema and, when
// wl is not nil, these watchlists.
func lintRules(paths []string, wl kql.Watchlists) ([]rule.Finding, []*rule.Rule, error) {
	rules, findings, err := rule.Load(paths)
	if err != nil {
		return nil, nil, err
	}
	reg := schema.NewRegistry()
	for _, r := range rules {
		findings = append(findings, rule.LintWith(r, reg, rule.LintOptions{Watchlists: wl})...)
	}
	rule.SortFindings(findings)
	return findings, rules, nil
}

// lintWatchlists reads the watchlists given as ALIAS=FILE.csv, their column types inferred
// from the CSV as the server does; none given is nil (queries that read one are then only
// parsed).
func lintWatchlists(specs []string) (kql.Watchlists, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	m := kql.WatchlistMap{}
	for _, spec := range specs {
		alias, file, ok := strings.Cut(spec, "=")
		if !ok || alias == "" || file == "" {
			return nil, fmt.Errorf("--watchlist %q: want ALIAS=FILE.csv", spec)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--watchlist %s: %w", alias, err)
		}
		cols, _, err := watchlist.ParseCSV(data, nil)
		if err != nil {
			return nil, fmt.Errorf("--watchlist %s: %s: %w", alias, file, err)
		}
		m[alias] = watchlist.Columns(meta.Watchlist{Columns: cols})
	}
	return m, nil
}
