// Command vigil is Vigil's single binary: server, command line and (later) agent.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/vigilsec/vigil/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
