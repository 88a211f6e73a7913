package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/sigma"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/schema"
)

func sigmaCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "sigma", Short: "Check, convert and benchmark Sigma rules"}
	cmd.AddCommand(sigmaCheckCmd(), sigmaConvertCmd(), sigmaBenchCmd(), sigmaBenchDataCmd())
	return cmd
}

// sigmaConfig builds the compile configuration, reading expand placeholders from a YAML file
// of name: [values].
func sigmaConfig(placeholders string) (sigma.Config, error) {
	cfg := sigma.Config{Registry: schema.NewRegistry()}
	if placeholders == "" {
		return cfg, nil
	}
	b, err := os.ReadFile(placeholders) //nolint:gosec // the operator names the file
	if err != nil {
		return cfg, fmt.Errorf("read placeholders: %w", err)
	}
	if err := yaml.Unmarshal(b, &cfg.Vars); err != nil {
		return cfg, fmt.Errorf("placeholders %s: %w", placeholders, err)
	}
	return cfg, nil
}

func sigmaCheckCmd() *cobra.Command {
	var placeholders string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "check FILE|DIR...",
		Short: "Load and compile Sigma rules, reporting each as ok or file:line: reason; exit 1 on errors",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := sigmaConfig(placeholders)
			if err != nil {
				return err
			}
			rules, errs := sigma.LoadPaths(args)
			rs, cerr := sigma.Compile(rules, cfg)
			errs = append(errs, unjoin(cerr)...)
			out := cmd.OutOrStdout()
			for _, e := range errs {
				fmt.Fprintln(out, "FAIL", e)
			}
			if !quiet {
				failed := map[*sigma.Rule]bool{}
				for _, e := range errs {
					var re *sigma.RuleError
					if errors.As(e, &re) {
						failed[re.Rule] = true
					}
				}
				for _, r := range rules {
					if !failed[r] {
						fmt.Fprintf(out, "ok   %s: %s\n", r.File, r.Title)
					}
				}
			}
			det, corr := rs.Rules()
			fmt.Fprintf(out, "%d rules loaded and compiled (%d detection, %d correlation), %d errors\n", det+corr, det, corr, len(errs))
			if len(errs) > 0 {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&placeholders, "placeholders", "", "YAML file of expand placeholders (name: [values])")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only failures and the summary")
	return cmd
}

// unjoin splits an errors.Join result into its errors.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok { //nolint:errorlint // splitting a join
		return j.Unwrap()
	}
	return []error{err}
}

func sigmaConvertCmd() *cobra.Command {
	var placeholders string
	cmd := &cobra.Command{
		Use:   "convert RULE",
		Short: "Print the KQL query equivalent to a Sigma rule",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := sigmaConfig(placeholders)
			if err != nil {
				return err
			}
			rules, err := sigma.LoadFile(args[0])
			if err != nil {
				return err
			}
			for i, r := range rules {
				q, err := sigma.ToKQL(r, cfg)
				if err != nil {
					return err
				}
				if i > 0 {
					fmt.Fprintln(cmd.OutOrStdout())
				}
				fmt.Fprintf(cmd.OutOrStdout(), "// %s\n%s\n", r.Title, q)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&placeholders, "placeholders", "", "YAML file of expand placeholders (name: [values])")
	return cmd
}

type sigmaBenchOpts struct {
	rules, events, table string
	cpu, batch, rounds   int
}

func sigmaBenchCmd() *cobra.Command {
	var o sigmaBenchOpts
	cmd := &cobra.Command{
		Use:   "bench --rules DIR --events FILE.ndjson",
		Short: "Measure events/s and allocations/event of a Sigma rule set on NDJSON events (Vigil columns)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runSigmaBench(cmd.OutOrStdout(), o) },
	}
	cmd.Flags().StringVar(&o.rules, "rules", "", "directory of Sigma rules")
	cmd.Flags().StringVar(&o.events, "events", "", "NDJSON events, one row of the table per line, keyed by column")
	cmd.Flags().StringVar(&o.table, "table", "DeviceProcessEvents", "table the events belong to")
	cmd.Flags().IntVar(&o.cpu, "cpu", 0, "GOMAXPROCS while measuring (0: unchanged)")
	cmd.Flags().IntVar(&o.batch, "batch", 1000, "rows per batch")
	cmd.Flags().IntVar(&o.rounds, "rounds", 5, "passes over the events")
	_ = cmd.MarkFlagRequired("rules")
	_ = cmd.MarkFlagRequired("events")
	return cmd
}

func runSigmaBench(out io.Writer, o sigmaBenchOpts) error {
	cfg, _ := sigmaConfig("")
	rules, errs := sigma.LoadPaths([]string{o.rules})
	rs, cerr := sigma.Compile(rules, cfg)
	errs = append(errs, unjoin(cerr)...)
	tab, ok := cfg.Registry.Table(o.table)
	if !ok {
		return fmt.Errorf("unknown table %s", o.table)
	}
	batches, n, err := readBenchEvents(o.events, tab, max(o.batch, 1))
	if err != nil {
		return err
	}
	if o.cpu > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(o.cpu))
	}
	d := sigma.NewDetector(rs)
	alerts := 0
	emit := func(alert.Alert) { alerts++ }
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0, t0 := sigma.ProcessCPUTime(), time.Now()
	for range max(o.rounds, 1) {
		for _, b := range batches {
			if err := d.Detect(b, emit); err != nil {
				return err
			}
		}
	}
	wall, cpu := time.Since(t0), sigma.ProcessCPUTime()-cpu0
	runtime.ReadMemStats(&m1)
	total := float64(n * max(o.rounds, 1))
	det, corr := rs.Rules()
	fmt.Fprintf(out, "rules: %d compiled (%d detection, %d correlation), %d failed to load\n", det+corr, det, corr, len(errs))
	fmt.Fprintf(out, "events: %d x %d rounds, alerts: %d\n", n, max(o.rounds, 1), alerts)
	fmt.Fprintf(out, "wall: %.0f events/s (GOMAXPROCS %d)\n", total/wall.Seconds(), runtime.GOMAXPROCS(0))
	if cpu > 0 {
		fmt.Fprintf(out, "cpu:  %.0f events/cpu-second\n", total/cpu.Seconds())
	}
	fmt.Fprintf(out, "allocs/event: %.3f, bytes/event: %.1f\n", float64(m1.Mallocs-m0.Mallocs)/total, float64(m1.TotalAlloc-m0.TotalAlloc)/total)
	return nil
}

// readBenchEvents reads NDJSON rows into batches of size rows.
func readBenchEvents(path string, tab *schema.Table, size int) ([]*stream.Batch, int, error) {
	f, err := os.Open(path) //nolint:gosec // the operator names the file
	if err != nil {
		return nil, 0, fmt.Errorf("open events: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var lines [][]byte
	for sc.Scan() {
		if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 {
			lines = append(lines, append([]byte(nil), l...))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, 0, fmt.Errorf("read events: %w", err)
	}
	var out []*stream.Batch
	for i := 0; i < len(lines); i += size {
		b, err := sigma.DecodeBatch(tab, "bench", lines[i:min(i+size, len(lines))])
		if err != nil {
			return nil, 0, fmt.Errorf("%s: rows from line %d: %w", path, i+1, err)
		}
		b.Seq = uint64(len(out) + 1)
		out = append(out, b)
	}
	return out, len(lines), nil
}

func sigmaBenchDataCmd() *cobra.Command {
	var dir string
	var nRules, nEvents int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "bench-data --dir DIR --rules N --events M",
		Short: "Write N process_creation rules and M Windows process events (Sysmon fields and Vigil columns) for benchmarks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d := sigma.GenerateBench(seed, nRules, nEvents)
			if err := writeBenchData(dir, d); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d rules to %s, %d events (%d built to match) to %s and %s\n",
				len(d.Rules), filepath.Join(dir, "rules"), nEvents, d.Malicious,
				filepath.Join(dir, "events.sysmon.ndjson"), filepath.Join(dir, "events.vigil.ndjson"))
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "output directory")
	cmd.Flags().IntVar(&nRules, "rules", 1000, "number of rules")
	cmd.Flags().IntVar(&nEvents, "events", 100000, "number of events")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random seed")
	_ = cmd.MarkFlagRequired("dir")
	return cmd
}

func writeBenchData(dir string, d *sigma.BenchData) error {
	rdir := filepath.Join(dir, "rules")
	if err := os.MkdirAll(rdir, 0o750); err != nil {
		return fmt.Errorf("bench-data: %w", err)
	}
	names := make([]string, 0, len(d.Rules))
	for n := range d.Rules {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(rdir, n), d.Rules[n], 0o600); err != nil {
			return fmt.Errorf("bench-data: %w", err)
		}
	}
	for name, lines := range map[string][][]byte{"events.sysmon.ndjson": d.SysmonEvents, "events.vigil.ndjson": d.VigilEvents} {
		if err := os.WriteFile(filepath.Join(dir, name), append(bytes.Join(lines, []byte("\n")), '\n'), 0o600); err != nil {
			return fmt.Errorf("bench-data: %w", err)
		}
	}
	return nil
}
