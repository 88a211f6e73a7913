//go:build !unix

package kql_test

import "time"

// processCPU is not measured outside Unix; the benchmark then reports 0 CPU time.
func processCPU() time.Duration { return 0 }
