// Package webhook is the webhook responder: it hands the action types configured for a
// webhook to an HTTP endpoint (a SOAR, a ticketing system, a script of the operator's) by
// POSTing the action as JSON, signed with HMAC-SHA256 over a timestamp and the body so
// that the receiver can check where it came from and refuse replays (Verify is the
// receiver's side). A 2xx response completes the action, a 5xx, 408, 429 or a network
// failure is retried, any other status fails it with the first line of the response.
package webhook
