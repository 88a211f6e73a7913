package auth

import (
	"errors"
	"fmt"
	"time"
)

// ErrBadCredentials is a failed sign-in or an unknown, revoked or expired
// key or session; it never says which, so it does not help an attacker.
var ErrBadCredentials = errors.New("invalid credentials")

// ErrExists is returned by AdminInit when a global administrator exists.
var ErrExists = errors.New("a global administrator exists already")

// ThrottledError is a sign-in refused because of recent failures, from the
// account or from the source address.
type ThrottledError struct {
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins; retry in %s", e.RetryAfter.Round(time.Second))
}

// InputError is a request the service refuses as invalid.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func inputErrorf(format string, args ...any) error {
	return &InputError{Msg: fmt.Sprintf(format, args...)}
}
