package agent

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// The kernel's process connector (linux/cn_proc.h).
const (
	cnIdxProc         = 1
	cnValProc         = 1
	procCnMcastListen = 1
	procEventExec     = 0x00000002
	cnMsgLen          = 20 // struct cn_msg without its data
)

// WatchExecs calls fn with the process id of every program started on the system (an
// exec), from the kernel's process connector, until ctx ends. It needs CAP_NET_ADMIN.
// fn runs on the reading goroutine: it must be quick or hand the work off.
func WatchExecs(ctx context.Context, fn func(pid int)) error {
	c, err := netlink.Dial(unix.NETLINK_CONNECTOR, &netlink.Config{Groups: cnIdxProc})
	if err != nil {
		return fmt.Errorf("process connector: %w", err)
	}
	defer func() { _ = c.Close() }()
	listen := make([]byte, cnMsgLen+4)
	binary.NativeEndian.PutUint32(listen[0:], cnIdxProc)
	binary.NativeEndian.PutUint32(listen[4:], cnValProc)
	binary.NativeEndian.PutUint16(listen[16:], 4)
	binary.NativeEndian.PutUint32(listen[cnMsgLen:], procCnMcastListen)
	if _, err := c.Send(netlink.Message{Header: netlink.Header{Type: netlink.Done}, Data: listen}); err != nil {
		return fmt.Errorf("process connector: subscribe: %w", err)
	}
	go func() {
		<-ctx.Done()
		_ = c.Close() // unblocks Receive
	}()
	for {
		msgs, err := c.Receive()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var oe *netlink.OpError
			if errors.As(err, &oe) && errors.Is(oe.Err, unix.ENOBUFS) {
				continue // the kernel dropped events while we were slow; go on
			}
			return fmt.Errorf("process connector: %w", err)
		}
		for _, m := range msgs {
			d := m.Data
			if len(d) < cnMsgLen+24 || binary.NativeEndian.Uint32(d[cnMsgLen:]) != procEventExec {
				continue
			}
			// proc_event: what, cpu, timestamp_ns, then exec's process_pid, process_tgid.
			fn(int(binary.NativeEndian.Uint32(d[cnMsgLen+20:])))
		}
	}
}
