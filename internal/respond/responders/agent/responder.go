package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	endpoint "github.com/vigilsec/vigil/internal/agent"
	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
)

// Directory finds the agent enrolled for a device (*meta.Store).
type Directory interface {
	AgentByDevice(ctx context.Context, tenant, device string) (meta.Agent, error)
}

// PackageStore keeps investigation packages and says where one is, for the action's result.
type PackageStore interface {
	PutPackage(ctx context.Context, tenant, actionID string, data []byte) (map[string]any, error)
}

// DefaultWait bounds one attempt's wait for the agent's answer when the action's context
// has no deadline, or a later one.
const DefaultWait = 2 * time.Minute

// Responder sends device actions to enrolled agents. Its methods are safe for concurrent use.
type Responder struct {
	// Conn is the server's connection to the bus.
	Conn *nats.Conn
	// Agents finds the agent of a device.
	Agents Directory
	// Scripts is the live-response script library: a directory of scripts, named by file name.
	Scripts string
	// Packages keeps investigation packages.
	Packages PackageStore
	// Wait bounds one attempt (default DefaultWait).
	Wait time.Duration
}

var (
	_ respond.Responder       = (*Responder)(nil)
	_ respond.ActionSupporter = (*Responder)(nil)
)

// deviceTypes are the action types an agent carries out.
var deviceTypes = map[respond.Type]bool{
	respond.IsolateDevice: true, respond.ReleaseIsolation: true, respond.StopAndQuarantineFile: true,
	respond.RestoreFile: true, respond.CollectInvestigationPackage: true, respond.BlockIndicator: true,
	respond.UnblockIndicator: true, respond.RunScript: true,
}

// Supports implements respond.Responder: the device action types.
func (r *Responder) Supports(t respond.Type) bool { return deviceTypes[t] }

// SupportsAction implements respond.ActionSupporter: actions whose target device has an
// enrolled agent.
func (r *Responder) SupportsAction(ctx context.Context, a respond.Action) bool {
	if a.Target.Device == "" {
		return false
	}
	_, err := r.Agents.AgentByDevice(ctx, a.Tenant, a.Target.Device)
	return err == nil
}

// Execute implements respond.Responder: it sends the command and waits for the answer. An
// agent that is not connected, or does not answer in time, is a transient failure.
func (r *Responder) Execute(ctx context.Context, a respond.Action) (respond.Result, error) {
	ag, err := r.Agents.AgentByDevice(ctx, a.Tenant, a.Target.Device)
	if err != nil {
		return respond.Result{}, fmt.Errorf("no agent is enrolled for device %q: %w", a.Target.Device, err)
	}
	cmd, err := r.command(a)
	if err != nil {
		return respond.Result{}, err
	}
	subj, err := bus.AgentSubject(ag.Tenant, ag.DeviceID, "cmd")
	if err != nil {
		return respond.Result{}, err
	}
	wait := r.Wait
	if wait <= 0 {
		wait = DefaultWait
	}
	actx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if dl, ok := actx.Deadline(); ok {
		cmd.Deadline = dl
	}
	body, _ := json.Marshal(cmd)
	msg, err := r.Conn.RequestWithContext(actx, subj, body)
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return respond.Result{}, fmt.Errorf("agent of device %s (%s) is not connected: %w", ag.DeviceName, ag.DeviceID, respond.ErrTransient)
	case err != nil && ctx.Err() == nil:
		return respond.Result{}, fmt.Errorf("agent of device %s did not answer: %w: %w", ag.DeviceName, err, respond.ErrTransient)
	case err != nil:
		return respond.Result{}, err
	}
	var rep endpoint.Reply
	if err := json.Unmarshal(msg.Data, &rep); err != nil {
		return respond.Result{}, fmt.Errorf("agent of device %s sent a malformed answer: %w", ag.DeviceName, err)
	}
	return r.result(ctx, a, ag, rep)
}

func (r *Responder) result(ctx context.Context, a respond.Action, ag meta.Agent, rep endpoint.Reply) (respond.Result, error) {
	res := respond.Result{Detail: rep.Detail, Data: rep.Data}
	if res.Data == nil {
		res.Data = map[string]any{}
	}
	res.Data["deviceId"] = ag.DeviceID
	if rep.Repeated { // the command had been sent before: this is the first run's answer
		res.Data["repeated"] = true
	}
	switch rep.Status {
	case endpoint.StatusCompleted:
	case endpoint.StatusFailed:
		return res, fmt.Errorf("agent of device %s: %s", ag.DeviceName, rep.Error)
	default:
		return res, fmt.Errorf("agent of device %s answered with unknown status %q", ag.DeviceName, rep.Status)
	}
	if a.Type == respond.CollectInvestigationPackage {
		if len(rep.Package) == 0 || r.Packages == nil {
			return res, errors.New("the agent sent no investigation package, or the server has nowhere to keep it")
		}
		ref, err := r.Packages.PutPackage(ctx, a.Tenant, a.ID, rep.Package)
		if err != nil {
			return res, fmt.Errorf("keep investigation package: %w: %w", err, respond.ErrTransient)
		}
		res.Data["package"] = ref
	}
	return res, nil
}

// command builds what the agent is asked to do.
func (r *Responder) command(a respond.Action) (endpoint.Command, error) {
	c := endpoint.Command{ActionID: a.ID, Type: string(a.Type), FileHash: a.Target.FileHash, FilePath: a.Target.FilePath, Indicator: a.Target.Indicator}
	if a.Type != respond.RunScript {
		return c, nil
	}
	s, err := r.script(a.Parameters)
	if err != nil {
		return c, err
	}
	c.Script = s
	return c, nil
}

// script reads the script an action names from the library, with its arguments and timeout
// (parameters script, args, timeoutSeconds).
func (r *Responder) script(params map[string]any) (*endpoint.Script, error) {
	name, _ := params["script"].(string)
	if name == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") {
		return nil, fmt.Errorf("script %q: want the plain file name of a script in the library", name)
	}
	if r.Scripts == "" {
		return nil, errors.New("no live-response script library is configured (agents.scripts)")
	}
	body, err := os.ReadFile(filepath.Join(r.Scripts, name))
	if err != nil {
		return nil, fmt.Errorf("script %q: %w", name, err)
	}
	sum := sha256.Sum256(body)
	s := &endpoint.Script{Name: name, Body: string(body), SHA256: hex.EncodeToString(sum[:])}
	if args, ok := params["args"].([]any); ok {
		for i, v := range args {
			str, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("script %q: args[%d] is %T, want a string", name, i, v)
			}
			s.Args = append(s.Args, str)
		}
	}
	if t, ok := params["timeoutSeconds"].(float64); ok && t > 0 {
		s.Timeout = time.Duration(t * float64(time.Second))
	}
	return s, nil
}
