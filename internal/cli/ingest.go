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
	var table string
	var batch int
	cmd := &cobra.Command{
		Use:   "ingest FILE --table TABLE",
		Short: "Send an NDJSON file (one JSON object a line; - for stdin) to a server's table",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
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
			return sendNDJSON(cmd, c, in, table, batch)
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVar(&table, "table", "", "destination table (required)")
	cmd.Flags().IntVar(&batch, "batch", 5000, "rows per request")
	_ = cmd.MarkFlagRequired("table")
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
