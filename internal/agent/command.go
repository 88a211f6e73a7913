package agent

import (
	"context"
	"fmt"
	"time"
)

// The command types, named as the Action Center names the action types.
const (
	CmdIsolate         = "isolateDevice"
	CmdRelease         = "releaseIsolation"
	CmdStopQuarantine  = "stopAndQuarantineFile"
	CmdRestoreFile     = "restoreFile"
	CmdBlockIndicator  = "blockIndicator"
	CmdUnblock         = "unblockIndicator"
	CmdSyncBlocklist   = "syncBlocklist" // the fleet block list changed: fetch it now
	CmdCollectPackage  = "collectInvestigationPackage"
	CmdRunScript       = "runScript"
	CmdPing            = "ping"
	StatusCompleted    = "completed"
	StatusFailed       = "failed"
	packageInlineLimit = 5 << 20
)

// Command is what the server asks the agent to do, sent as JSON on the device's command
// subject.
type Command struct {
	ActionID  string    `json:"actionId"`
	Type      string    `json:"type"`
	FileHash  string    `json:"fileSha256,omitempty"`
	FilePath  string    `json:"filePath,omitempty"`
	Indicator string    `json:"indicator,omitempty"`
	Script    *Script   `json:"script,omitempty"`
	Deadline  time.Time `json:"deadline,omitzero"`
}

// Reply is the agent's answer to a Command: completed or failed, with a sentence for
// people and command-specific data. An investigation package travels in Package.
type Reply struct {
	Status  string         `json:"status"`
	Detail  string         `json:"detail,omitempty"`
	Error   string         `json:"error,omitempty"`
	Data    map[string]any `json:"data,omitempty"`
	Package []byte         `json:"package,omitempty"`
	// Repeated is set when the command was sent before and this is the first reply again
	// (see Journal): it was carried out once.
	Repeated bool `json:"repeated,omitempty"`
}

func failed(err error) Reply { return Reply{Status: StatusFailed, Error: err.Error()} }

func completed(detail string) Reply { return Reply{Status: StatusCompleted, Detail: detail} }

// handlers maps each command type to what carries it out.
var handlers = map[string]func(d *Device, ctx context.Context, c Command) Reply{
	CmdPing:    func(*Device, context.Context, Command) Reply { return completed("pong") },
	CmdIsolate: func(d *Device, _ context.Context, _ Command) Reply { return replyOf(d.Isolate()) },
	CmdRelease: func(d *Device, _ context.Context, _ Command) Reply { return replyOf(d.Release()) },
	CmdRestoreFile: func(d *Device, _ context.Context, c Command) Reply {
		return replyOf(d.RestoreFile(c.FileHash))
	},
	CmdBlockIndicator: func(d *Device, _ context.Context, c Command) Reply {
		return replyOf(d.BlockIndicator(c.Indicator))
	},
	CmdUnblock: func(d *Device, _ context.Context, c Command) Reply {
		return replyOf(d.UnblockIndicator(c.Indicator))
	},
	CmdSyncBlocklist: func(d *Device, _ context.Context, _ Command) Reply {
		d.kickFleet()
		return completed("fleet block list sync requested")
	},
	CmdStopQuarantine: func(d *Device, _ context.Context, c Command) Reply {
		res, err := d.StopAndQuarantine(c.FileHash, c.FilePath)
		if err != nil {
			return failed(err)
		}
		r := completed(res.Detail())
		r.Data = map[string]any{"killedPids": res.Killed, "sha256": res.SHA256}
		if res.Quarantined != nil {
			r.Data["quarantined"] = res.Quarantined
		}
		return r
	},
	CmdCollectPackage: func(d *Device, ctx context.Context, _ Command) Reply {
		pkg, err := d.CollectPackage(ctx)
		if err != nil {
			return failed(err)
		}
		if len(pkg) > packageInlineLimit {
			return failed(fmt.Errorf("investigation package is %d bytes, more than the %d a reply carries", len(pkg), packageInlineLimit))
		}
		r := completed(fmt.Sprintf("investigation package collected (%d bytes)", len(pkg)))
		r.Package = pkg
		return r
	},
	CmdRunScript: func(d *Device, ctx context.Context, c Command) Reply {
		if c.Script == nil {
			return failed(fmt.Errorf("command %s carries no script", c.Type))
		}
		res, err := d.RunScript(ctx, *c.Script)
		data := map[string]any{"script": c.Script.Name, "exitCode": res.ExitCode, "stdout": res.Stdout, "stderr": res.Stderr,
			"truncated": res.Truncated, "timedOut": res.TimedOut}
		switch {
		case err != nil:
			r := failed(err)
			r.Data = data
			return r
		case res.ExitCode != 0:
			return Reply{Status: StatusFailed, Error: fmt.Sprintf("script %q exited with code %d", c.Script.Name, res.ExitCode), Data: data}
		}
		r := completed(fmt.Sprintf("script %q ran, exit code 0", c.Script.Name))
		r.Data = data
		return r
	},
}

func replyOf(detail string, err error) Reply {
	if err != nil {
		return failed(err)
	}
	return completed(detail)
}

// Handle carries a command out and says how it went; it never panics on bad input. With a
// Journal, a command sent again with the same action id is answered with the first reply
// and not carried out again.
func (d *Device) Handle(ctx context.Context, c Command) Reply {
	if !c.Deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, c.Deadline)
		defer cancel()
	}
	if d.Journal == nil || !remembered(c) {
		return d.handle(ctx, c)
	}
	r, err := d.Journal.Do(ctx, c, func() Reply { return d.handle(ctx, c) })
	if err != nil && d.Log != nil {
		d.Log.Error("command journal", "action", c.ActionID, "err", err)
	}
	return r
}

func (d *Device) handle(ctx context.Context, c Command) (r Reply) {
	defer func() {
		if p := recover(); p != nil {
			r = failed(fmt.Errorf("agent: internal error carrying out %s: %v", c.Type, p))
		}
	}()
	h, ok := handlers[c.Type]
	if !ok {
		return failed(fmt.Errorf("agent does not support command %q", c.Type))
	}
	return h(d, ctx, c)
}
