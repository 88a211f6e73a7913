package agent

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"
)

// HeartbeatInterval is how often the DeviceInfo and DeviceNetworkInfo rows are sent.
const HeartbeatInterval = 5 * time.Minute

// Run is the running agent: it answers commands, keeps the fleet block list in force (see
// RunFleetSync), watches program starts (sending
// DeviceProcessEvents rows and stopping programs whose hash is blocked), runs the other
// collectors (network connections, file events, logons, the auth log, software inventory; see
// CollectConfig) and sends a DeviceInfo and DeviceNetworkInfo heartbeat, until ctx ends.
// Each collector fails alone: without the process connector (no CAP_NET_ADMIN) it goes on
// without process telemetry, and so on, and says so in the log.
func (d *Device) Run(ctx context.Context, nc *nats.Conn, id Identity) error {
	tel, err := NewTelemetry(nc, id)
	if err != nil {
		return err
	}
	if d.BufferDir != "" {
		tel.Buffer = &Buffer{Dir: d.BufferDir}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = tel.Run(ctx) }()
	go d.heartbeat(ctx, tel)
	go d.RunFleetSync(ctx, nc, id)
	d.runCollectors(ctx, tel.Add)
	go func() {
		execs := make(chan int, 4096)
		go func() {
			for pid := range execs {
				d.onExec(pid, tel)
			}
		}()
		err := WatchExecs(ctx, func(pid int) {
			select {
			case execs <- pid:
			default: // too many at once: this one goes unseen
			}
		})
		close(execs)
		if err != nil && d.Log != nil {
			d.Log.Error("no process telemetry and no blocking of hashes at start", "err", err)
		}
	}()
	return d.Serve(ctx, nc, id)
}

func (d *Device) heartbeat(ctx context.Context, tel *Telemetry) {
	t := time.NewTicker(HeartbeatInterval)
	defer t.Stop()
	for {
		tel.Add("DeviceInfo", DeviceInfoRow())
		d.networkInfo(tel)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// networkInfo sends a DeviceNetworkInfo row per network interface.
func (d *Device) networkInfo(tel *Telemetry) {
	rows, err := NetworkInfoRows(d.procDir(), "/sys/class/net")
	if err != nil && d.Log != nil {
		d.Log.Warn("no DeviceNetworkInfo heartbeat", "err", err)
	}
	for _, r := range rows {
		tel.Add("DeviceNetworkInfo", r)
	}
}

// onExec reports a program start and stops it when its hash is blocked.
func (d *Device) onExec(pid int, tel *Telemetry) {
	row, sha, ok := d.ProcessRow(pid)
	if !ok {
		return
	}
	if tel != nil {
		tel.Add("DeviceProcessEvents", row)
	}
	if sha == "" || !d.Blocked(sha) {
		return
	}
	res, err := d.stopAndQuarantine(sha, "", false)
	if d.Log != nil {
		d.Log.Warn("blocked hash started; stopped", "pid", pid, "sha256", sha, "result", res.Detail(), "err", err)
	}
	if tel != nil {
		ar := Row{"ActionType": "BlockedHashStopped", "SHA256": sha, "ProcessId": pid, "FolderPath": row["FolderPath"],
			"AdditionalFields": map[string]any{"result": res.Detail()}}
		if err != nil {
			ar["AdditionalFields"].(map[string]any)["error"] = err.Error()
		}
		tel.Add("DeviceEvents", ar)
	}
}
