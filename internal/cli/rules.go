package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/schema"
)

func rulesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "rules", Short: "Lint and import detection rules (Sentinel YAML/ARM, Defender custom detections)"}
	cmd.AddCommand(&cobra.Command{
		Use:   "lint FILE|DIR...",
		Short: "Report every problem in rule files as file:line:col: message; exit 1 on errors",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			findings, _, err := lintRules(args)
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
	})
	cmd.AddCommand(rulesImportCmd(), rulesListCmd(), rulesTestCmd(), rulesSwitchCmd("enable", true), rulesSwitchCmd("disable", false), rulesDeleteCmd())
	return cmd
}

// lintRules parses and lints the rules under paths against the built-in schema.
func lintRules(paths []string) ([]rule.Finding, []*rule.Rule, error) {
	rules, findings, err := rule.Load(paths)
	if err != nil {
		return nil, nil, err
	}
	reg := schema.NewRegistry()
	for _, r := range rules {
		findings = append(findings, rule.Lint(r, reg)...)
	}
	rule.SortFindings(findings)
	return findings, rules, nil
}
