package cli

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/app"
)

func serverCmd() *cobra.Command {
	var configPath, data, listen string
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the Vigil server",
		Long: `Run the Vigil server. With no configuration it keeps its data under ./vigil-data (DuckDB
event store, SQLite state store, embedded NATS JetStream) and serves HTTP on 127.0.0.1:8080.
Everything else is set in the YAML file given with --config.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := app.Default()
			if configPath != "" {
				var err error
				if cfg, err = app.LoadConfig(configPath); err != nil {
					return err
				}
			}
			if data != "" {
				cfg.Data = data
			}
			if listen != "" {
				cfg.Server.Listen = listen
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			log := newLogger(cfg.Log)
			a, err := app.New(cmd.Context(), cfg, log)
			if err != nil {
				return err
			}
			return a.Run(cmd.Context(), func(addr string) {
				fmt.Fprintf(cmd.ErrOrStderr(), "vigil: serving on http://%s (data in %s; admin key in %s/admin.key)\n", addr, cfg.Data, cfg.Data)
			})
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "YAML configuration file")
	cmd.Flags().StringVar(&data, "data", "", "data directory (overrides the file's data)")
	cmd.Flags().StringVar(&listen, "listen", "", "HTTP listen address (overrides server.listen)")
	return cmd
}

func newLogger(c app.LogConfig) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

func configCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Work with configuration files"}
	cmd.AddCommand(&cobra.Command{
		Use:   "check FILE...",
		Short: "Check configuration files; exit 1 if any is invalid",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bad := 0
			for _, f := range args {
				if _, err := app.LoadConfig(f); err != nil {
					fmt.Fprintln(cmd.ErrOrStderr(), err)
					bad++
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", f)
			}
			if bad > 0 {
				return &exitError{code: 1}
			}
			return nil
		},
	})
	return cmd
}
