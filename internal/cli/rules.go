package cli

import (
	"encoding/json"
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
	var output string
	imp := &cobra.Command{
		Use:   "import FILE|DIR...",
		Short: "Read rules and print them normalized (storing them comes with the scheduler)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "json" {
				return fmt.Errorf("%w: --output is json", errUsage)
			}
			findings, rules, err := lintRules(args)
			if err != nil {
				return err
			}
			for _, f := range findings {
				fmt.Fprintln(cmd.ErrOrStderr(), f.String())
			}
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
		},
	}
	imp.Flags().StringVarP(&output, "output", "o", "json", "output format: json")
	cmd.AddCommand(imp)
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
