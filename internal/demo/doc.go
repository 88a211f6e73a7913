// Package demo is `vigil demo`: it starts the server with embedded defaults and the built-in
// content, replays a simulated organization with a multi-stage attack (internal/simulate)
// through the real receivers and normalizers, evaluates the rules at once and tells the
// newcomer which incidents formed and where to look, then keeps serving.
package demo
