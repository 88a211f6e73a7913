package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// client talks to a running server with an API key.
type client struct {
	base   string
	key    string
	http   *http.Client
	header http.Header // sent with every request (X-Vigil-Tenant)
}

type clientFlags struct {
	server string
	data   string
}

func (f *clientFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.server, "server", envOr("VIGIL_SERVER", "http://127.0.0.1:8080"), "server URL ($VIGIL_SERVER)")
	cmd.Flags().StringVar(&f.data, "data", "", "data directory whose admin.key to use (default ./vigil-data when $VIGIL_API_KEY is unset)")
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// client resolves the API key: $VIGIL_API_KEY, else DATA/admin.key.
func (f *clientFlags) client() (*client, error) {
	key := os.Getenv("VIGIL_API_KEY")
	if f.data != "" || key == "" {
		dir := f.data
		if dir == "" {
			dir = "./vigil-data"
		}
		b, err := os.ReadFile(filepath.Join(dir, "admin.key"))
		if err != nil {
			return nil, fmt.Errorf("no API key: set VIGIL_API_KEY or give --data DIR of the server (%w)", err)
		}
		key = strings.TrimSpace(string(b))
	}
	return &client{base: strings.TrimRight(f.server, "/"), key: key, http: &http.Client{Timeout: 10 * time.Minute}}, nil
}

// apiError is an error answer from the server.
type apiError struct {
	Status int
	Code   string
	Msg    string
	// Diagnostics are the compiler's, when the server refused a query.
	Diagnostics []apiDiag
}

// apiDiag is a compiler diagnostic as the API returns it.
type apiDiag struct {
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Message  string `json:"message"`
	Severity string `json:"severity"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%s (HTTP %d %s)", e.Msg, e.Status, e.Code) }

// do sends body to path and decodes a JSON answer into out (if not nil).
func (c *client) do(method, path, contentType string, body []byte, out any) (int, error) {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct {
				Code, Message string
				Diagnostics   []apiDiag
			} `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error.Message != "" {
			return resp.StatusCode, &apiError{Status: resp.StatusCode, Code: e.Error.Code, Msg: e.Error.Message, Diagnostics: e.Error.Diagnostics}
		}
		return resp.StatusCode, &apiError{Status: resp.StatusCode, Msg: strings.TrimSpace(string(b))}
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode answer: %w", err)
		}
	}
	return resp.StatusCode, nil
}

var errUsage = errors.New("usage")

// deleteCmd is a command that deletes the resources named by its arguments, each at
// path/ID, and says so for each ("deleted ID").
func deleteCmd(use, short, path string) *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{
		Use:   use + " ID...",
		Short: short,
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			for _, id := range args {
				if _, err := c.do(http.MethodDelete, path+"/"+url.PathEscape(id), "", nil, nil); err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "deleted %s\n", id)
			}
			return nil
		},
	}
	cf.add(cmd)
	return cmd
}
