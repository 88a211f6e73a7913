package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/version"
)

// exitError carries a process exit code without printing anything more.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// NewRoot builds the vigil command tree.
func NewRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "vigil",
		Short:         "Vigil: a self-hosted XDR and SIEM",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(
		serverCmd(),
		versionCmd(),
		configCmd(),
		ingestCmd(),
		sqlCmd(),
		queryCmd(), kqlCmd(),
		rulesCmd(), sigmaCmd(), tuningCmd(), demoCmd(),
		incidentsCmd(), alertsCmd(),
		tiCmd(), watchlistsCmd(), decoysCmd(), actionsCmd(), automationCmd(), playbooksCmd(),
		adminCmd(), auditCmd(), agentCmd(),
	)
	return root
}

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string) int {
	root := NewRoot(os.Stdout, os.Stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "vigil:", err)
	return 1
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), version.String())
			return nil
		},
	}
}
