package respond

import (
	"errors"
	"testing"

	"github.com/vigilsec/vigil/internal/meta"
)

func TestTransitions(t *testing.T) {
	cases := []struct {
		from, to Status
		ok       bool
		stamp    meta.ActionStamp
	}{
		{PendingApproval, Approved, true, meta.StampDecided},
		{PendingApproval, Rejected, true, meta.StampDecided},
		{PendingApproval, Cancelled, true, meta.StampFinished},
		{PendingApproval, Sent, false, 0},
		{PendingApproval, Completed, false, 0},
		{Approved, Sent, true, meta.StampSent},
		{Approved, Running, false, 0},
		{Approved, Rejected, false, 0},
		{Sent, Running, true, meta.StampStarted},
		{Sent, TimedOut, true, meta.StampFinished},
		{Running, Completed, true, meta.StampFinished},
		{Running, Failed, true, meta.StampFinished},
		{Running, Cancelled, true, meta.StampFinished},
		{Running, TimedOut, true, meta.StampFinished},
		{Running, Approved, false, 0},
		{Completed, Cancelled, false, 0},
		{Rejected, Approved, false, 0},
		{Failed, Running, false, 0},
		{Cancelled, Approved, false, 0},
		{TimedOut, Completed, false, 0},
	}
	for _, c := range cases {
		stamp, err := checkTransition("a", c.from, c.to)
		if c.ok != (err == nil) || stamp != c.stamp {
			t.Errorf("%s -> %s: stamp %v, err %v; want ok=%v stamp %v", c.from, c.to, stamp, err, c.ok, c.stamp)
		}
		if err != nil && !errors.Is(err, meta.ErrInvalidTransition) {
			t.Errorf("%s -> %s: %v does not wrap meta.ErrInvalidTransition", c.from, c.to, err)
		}
	}
	for _, s := range []Status{Rejected, Completed, Failed, Cancelled, TimedOut} {
		if !s.Terminal() {
			t.Errorf("%s is not terminal", s)
		}
	}
	for _, s := range []Status{PendingApproval, Approved, Sent, Running} {
		if s.Terminal() || !s.Valid() {
			t.Errorf("%s: terminal %v valid %v", s, s.Terminal(), s.Valid())
		}
	}
	if Status("bogus").Valid() {
		t.Error("bogus is valid")
	}
}

func TestRequestValidate(t *testing.T) {
	cases := []struct {
		r       Request
		wantErr string
	}{
		{Request{Type: IsolateDevice, Target: Target{Device: "ws1"}}, ""},
		{Request{Type: IsolateDevice, Target: Target{Account: "bob"}}, "invalid: action isolateDevice needs target.device"},
		{Request{Type: "formatDisk", Target: Target{Device: "ws1"}}, `invalid: unknown action type "formatDisk"`},
		{Request{Type: StopAndQuarantineFile, Target: Target{FileHash: "ab", FilePath: "/tmp/x"}}, ""},
		{Request{Type: RunScript, Target: Target{Device: "ws1"}}, "invalid: action runScript needs parameters.script"},
		{Request{Type: SoftDeleteEmail, Target: Target{MessageID: "<m@x>"}}, ""},
	}
	for _, c := range cases {
		err := c.r.validate()
		if (err == nil) != (c.wantErr == "") || err != nil && err.Error() != c.wantErr {
			t.Errorf("%+v: %v, want %q", c.r, err, c.wantErr)
		}
	}
	for _, typ := range Types() {
		if _, ok := simEffects[typ]; !ok {
			t.Errorf("the simulated responder lacks %s", typ)
		}
	}
}
