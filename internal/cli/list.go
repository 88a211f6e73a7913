package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"
)

// outputFlags are the flags of a command that lists a server collection: the server and
// data flags and -o table|json.
type outputFlags struct {
	cf     clientFlags
	output string
}

// add adds the flags to cmd.
func (f *outputFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table or json")
	f.cf.add(cmd)
}

// getList GETs path from the server of f and prints the answer: with -o json as it came
// (indented, or as one line with compact), else its value rows as table prints them.
func getList[T any](w io.Writer, f *outputFlags, path string, compact bool, table func(io.Writer, []T) error) error {
	if err := checkListOutput(f.output); err != nil {
		return err
	}
	c, err := f.cf.client()
	if err != nil {
		return err
	}
	var raw json.RawMessage
	if _, err := c.do(http.MethodGet, path, "", nil, &raw); err != nil {
		return err
	}
	if f.output == "json" {
		if compact {
			_, err = fmt.Fprintln(w, string(raw))
			return err
		}
		return printIndented(w, raw)
	}
	var page struct{ Value []T }
	if err := json.Unmarshal(raw, &page); err != nil {
		return err
	}
	return table(w, page.Value)
}

// getValues GETs path from c and decodes the value rows of the answer.
func getValues[T any](c *client, path string) ([]T, error) {
	var res struct{ Value []T }
	if _, err := c.do(http.MethodGet, path, "", nil, &res); err != nil {
		return nil, err
	}
	return res.Value, nil
}

// listValues checks output (table or json), GETs path from the server of cf and prints the
// value rows of the answer: as JSON, or as a table under header, one line of cells a row.
func listValues[T any](w io.Writer, cf *clientFlags, output, path, header string, cells func(T) []any) error {
	if err := checkOutput(output); err != nil {
		return err
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	rows, err := getValues[T](c, path)
	if err != nil {
		return err
	}
	if output == "json" {
		return printJSON(w, rows)
	}
	return printTable(w, header, rows, cells)
}

// printTable prints rows as an aligned table under header (tab-separated column names), one
// line of cells a row, each cell as fmt.Sprint writes it.
func printTable[T any](w io.Writer, header string, rows []T, cells func(T) []any) error {
	tw := newTable(w)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		cs := cells(r)
		s := make([]string, len(cs))
		for i, c := range cs {
			s[i] = fmt.Sprint(c)
		}
		fmt.Fprintln(tw, strings.Join(s, "\t"))
	}
	return tw.Flush()
}

// sendCmd is a command that sends one request with no body (method to path(args)) and then
// says done plus its first argument ("deleted ID").
func sendCmd(cmd *cobra.Command, method, done string, path func(args []string) string) *cobra.Command {
	var cf clientFlags
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := cf.client()
		if err != nil {
			return err
		}
		if _, err := c.do(method, path(args), "", nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", done, args[0])
		return nil
	}
	cf.add(cmd)
	return cmd
}

// showJSON GETs path from the server of cf and prints the answer as indented JSON.
func showJSON(w io.Writer, cf *clientFlags, path string) error {
	c, err := cf.client()
	if err != nil {
		return err
	}
	var raw json.RawMessage
	if _, err := c.do(http.MethodGet, path, "", nil, &raw); err != nil {
		return err
	}
	return printIndented(w, raw)
}
