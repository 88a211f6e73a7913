package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

type ingestResult struct {
	Accepted int `json:"accepted"`
	Rejected int `json:"rejected"`
	Errors   []struct {
		Row    int    `json:"row"`
		Line   int    `json:"line"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

func ingestCmd() *cobra.Command {
	var cf clientFlags
	var table, format string
	var batch int
	cmd := &cobra.Command{
		Use:   "ingest FILE [--format F] [--table TABLE]",
		Short: "Send a file (- for stdin) to a server: rows of one table, or Windows events normalized to their tables",
		Long: `Send a file (- for stdin) to a server.

--format ndjson, json (an array or a sequence of objects) and csv (the header names the columns)
send rows to the table given with --table. The Windows event formats winevent-xml (wevtutil qe
/f:xml, Windows Event Forwarding), winlogbeat, nxlog (im_msvistalog JSON) and evtx-json (Event.System
and Event.EventData) are normalized here and sent to their tables: Sysmon to the Device* tables,
Security to SecurityEvent (and DeviceLogonEvents, DeviceProcessEvents), other events to WindowsEvent.
Rejected records are reported with their line in the file.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, table); err != nil {
				return err
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			in := io.Reader(os.Stdin)
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
			}
			return sendFormat(cmd, c, in, format, table, batch)
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVar(&table, "table", "", "destination table (required for ndjson, json and csv)")
	cmd.Flags().StringVar(&format, "format", formatNDJSON, "ndjson, json, csv, winevent-xml, winlogbeat, nxlog or evtx-json")
	cmd.Flags().IntVar(&batch, "batch", 5000, "rows per request")
	return cmd
}

// sendNDJSON sends the lines of in in batches and reports rejected rows with their file line.
func sendNDJSON(cmd *cobra.Command, c *client, in io.Reader, table string, batch int) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var buf bytes.Buffer
	var total ingestResult
	first, line, n := 1, 0, 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		var res ingestResult
		if _, err := c.do("POST", "/api/v1/ingest/"+table, "application/x-ndjson", buf.Bytes(), &res); err != nil {
			return fmt.Errorf("lines %d-%d: %w", first, line, err)
		}
		total.Accepted += res.Accepted
		total.Rejected += res.Rejected
		for _, e := range res.Errors {
			fmt.Fprintf(cmd.ErrOrStderr(), "line %d: %s\n", first+e.Line-1, e.Reason)
		}
		buf.Reset()
		first, n = line+1, 0
		return nil
	}
	for sc.Scan() {
		line++
		buf.Write(sc.Bytes())
		buf.WriteByte('\n')
		n++
		if n >= batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%d rows accepted, %d rejected (see the IngestionErrors table)\n", total.Accepted, total.Rejected)
	if total.Rejected > 0 {
		return &exitError{code: 2}
	}
	return nil
}
