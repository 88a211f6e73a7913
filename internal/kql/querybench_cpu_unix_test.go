//go:build unix

package kql_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system) this process has used so far, over all its
// threads: DuckDB's worker threads included. Unlike wall time it hardly changes when other
// processes load the machine, which makes before/after comparisons on a shared machine usable.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
