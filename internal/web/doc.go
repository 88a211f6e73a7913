// Package web serves the portal: the React application built from web/ into dist (by
// `make web`) and embedded in the binary. Without a build, dist holds only a placeholder and
// the handler answers every page with a short note saying how to build the portal, so that
// `go build` never needs node.
package web
