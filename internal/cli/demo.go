package cli

import (
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/demo"
)

func demoCmd() *cobra.Command {
	var opts demo.Options
	var verbose bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run Vigil with a simulated organization under a multi-stage attack, and keep serving",
		Long: `demo starts the server with embedded defaults and the built-in rules, replays a simulated
organization (people, devices, mail, sign-ins, cloud apps, a firewall) with a phishing-to-
exfiltration attack through the real receivers, and prints the incidents it produced.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lvl := slog.LevelWarn
			if verbose {
				lvl = slog.LevelInfo
			}
			opts.Out = cmd.OutOrStdout()
			opts.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
			return demo.Run(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Data, "data", "./vigil-demo", "data directory")
	f.StringVar(&opts.Listen, "listen", "127.0.0.1:8080", "HTTP address")
	f.Int64Var(&opts.Seed, "seed", 1, "seed of the simulated organization and its activity")
	f.BoolVar(&opts.NoBrowser, "no-browser", false, "do not open the portal in a browser")
	f.IntVar(&opts.Rate, "rate", 0, "after the scenario, generate this many benign events per second")
	f.DurationVar(&opts.Duration, "duration", 0, "how long --rate runs (0: until stopped)")
	f.BoolVarP(&verbose, "verbose", "v", false, "log the server's info messages")
	return cmd
}
