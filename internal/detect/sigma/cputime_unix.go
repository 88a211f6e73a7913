//go:build unix

package sigma

import (
	"syscall"
	"time"
)

// ProcessCPUTime is the CPU time (user and system) the process has used, for benchmarks that
// must report per-core throughput on a shared machine.
func ProcessCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
