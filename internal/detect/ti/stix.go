package ti

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ObjectError says why one object of a bundle was not accepted.
type ObjectError struct {
	Index  int    `json:"index"` // position in the bundle's objects
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
}

func (e ObjectError) Error() string {
	if e.ID != "" {
		return fmt.Sprintf("object %d (%s): %s", e.Index, e.ID, e.Reason)
	}
	return fmt.Sprintf("object %d: %s", e.Index, e.Reason)
}

// BundleError is a body that is not a STIX bundle at all; nothing in it was read.
type BundleError struct {
	Offset int64 // byte offset of the fault, when known
	Msg    string
}

func (e *BundleError) Error() string {
	if e.Offset > 0 {
		return fmt.Sprintf("invalid STIX bundle at byte %d: %s", e.Offset, e.Msg)
	}
	return "invalid STIX bundle: " + e.Msg
}

// Parsed is what ParseBundle read: the indicators' observables, the objects it rejected and
// how many objects were not indicators (identities, relationships, ...), which it skips.
type Parsed struct {
	Indicators []Indicator
	Objects    int // indicator objects accepted
	Errors     []ObjectError
	Skipped    int
}

// stixObject holds the properties of a STIX object that Vigil reads.
type stixObject struct {
	Type           string   `json:"type"`
	ID             string   `json:"id"`
	SpecVersion    string   `json:"spec_version"`
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	Pattern        string   `json:"pattern"`
	PatternType    string   `json:"pattern_type"`
	ValidFrom      string   `json:"valid_from"`
	ValidUntil     string   `json:"valid_until"`
	Created        string   `json:"created"`
	Modified       string   `json:"modified"`
	Confidence     *int     `json:"confidence"`
	Labels         []string `json:"labels"`
	IndicatorTypes []string `json:"indicator_types"`
	Revoked        bool     `json:"revoked"`
	CreatedByRef   string   `json:"created_by_ref"`
}

// ParseBundle reads a STIX 2.1 bundle (or a single indicator object). Every indicator object
// that cannot be used is reported with its index and the reason; the others become one
// Indicator per observable of their pattern, owned by tenant and stamped with now.
func ParseBundle(body []byte, tenant string, now time.Time) (*Parsed, error) {
	objs, err := bundleObjects(body)
	if err != nil {
		return nil, err
	}
	decoded := make([]*stixObject, len(objs))
	identities := map[string]string{}
	out := &Parsed{}
	for i, raw := range objs {
		var o stixObject
		if err := json.Unmarshal(raw, &o); err != nil {
			out.Errors = append(out.Errors, ObjectError{Index: i, Reason: "invalid object: " + jsonReason(err)})
			continue
		}
		decoded[i] = &o
		if o.Type == "identity" && o.ID != "" {
			identities[o.ID] = o.Name
		}
	}
	for i, o := range decoded {
		if o == nil {
			continue
		}
		if o.Type != "indicator" {
			out.Skipped++
			continue
		}
		ins, reason := indicatorObservables(o, tenant, now, identities)
		if reason != "" {
			out.Errors = append(out.Errors, ObjectError{Index: i, ID: o.ID, Reason: reason})
			continue
		}
		out.Objects++
		out.Indicators = append(out.Indicators, ins...)
	}
	slices.SortStableFunc(out.Errors, func(a, b ObjectError) int { return cmp.Compare(a.Index, b.Index) })
	return out, nil
}

// bundleObjects returns the raw objects of a bundle, or the body itself when it is one object.
func bundleObjects(body []byte) ([]json.RawMessage, error) {
	var top struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&top); err != nil {
		return nil, bundleError(err)
	}
	if dec.More() {
		return nil, &BundleError{Offset: dec.InputOffset(), Msg: "unexpected data after the bundle"}
	}
	switch top.Type {
	case "bundle":
		return top.Objects, nil
	case "indicator":
		return []json.RawMessage{bytes.TrimSpace(body)}, nil
	case "":
		return nil, &BundleError{Msg: `missing "type": want "bundle"`}
	}
	return nil, &BundleError{Msg: fmt.Sprintf(`type is %q, want "bundle"`, top.Type)}
}

func bundleError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &BundleError{Offset: se.Offset, Msg: se.Error()}
	case errors.As(err, &te):
		return &BundleError{Offset: te.Offset, Msg: typeReason(te, "the bundle")}
	}
	return &BundleError{Msg: err.Error()}
}

// typeReason says what a JSON value of the wrong type should have been.
func typeReason(te *json.UnmarshalTypeError, top string) string {
	if te.Field == "" {
		return fmt.Sprintf("%s must be a JSON object, not %s", top, te.Value)
	}
	return fmt.Sprintf("%s must be %s, not %s", te.Field, te.Type, te.Value)
}

func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return typeReason(te, "the object")
	}
	return err.Error()
}

// indicatorObservables checks an indicator object and returns its observables, or the reason
// it cannot be used.
func indicatorObservables(o *stixObject, tenant string, now time.Time, identities map[string]string) ([]Indicator, string) {
	base, reason := indicatorBase(o, tenant, now, identities)
	if reason != "" {
		return nil, reason
	}
	if o.PatternType != "" && !strings.EqualFold(o.PatternType, "stix") {
		return nil, fmt.Sprintf("pattern_type %q is not supported (want stix)", o.PatternType)
	}
	if o.Pattern == "" {
		return nil, "pattern is required"
	}
	obs, err := ParsePattern(o.Pattern)
	if err != nil {
		return nil, err.Error()
	}
	out := make([]Indicator, 0, len(obs))
	for _, ob := range obs {
		in := base
		in.Kind, in.HashType, in.Value = ob.Kind, ob.HashType, ob.Value
		if _, ok := in.key(); !ok {
			return nil, fmt.Sprintf("invalid %s value %q", ob.Kind, ob.Value)
		}
		out = append(out, in)
	}
	return out, ""
}

// indicatorBase reads the properties every observable of the indicator shares.
func indicatorBase(o *stixObject, tenant string, now time.Time, identities map[string]string) (Indicator, string) {
	in := Indicator{Tenant: tenant, ID: o.ID, Name: o.Name, Description: o.Description, Confidence: -1,
		Revoked: o.Revoked, Active: true, Pattern: o.Pattern, Updated: now}
	switch {
	case o.ID == "":
		return in, "id is required"
	case !strings.HasPrefix(o.ID, "indicator--"):
		return in, fmt.Sprintf("id %q must start with indicator--", o.ID)
	case o.SpecVersion != "" && o.SpecVersion != "2.1" && o.SpecVersion != "2.0":
		return in, fmt.Sprintf("spec_version %q is not supported (want 2.1)", o.SpecVersion)
	}
	var err error
	if o.ValidFrom == "" {
		return in, "valid_from is required"
	}
	if in.ValidFrom, err = parseStixTime(o.ValidFrom); err != nil {
		return in, "valid_from: " + err.Error()
	}
	if o.ValidUntil != "" {
		if in.ValidUntil, err = parseStixTime(o.ValidUntil); err != nil {
			return in, "valid_until: " + err.Error()
		}
		if !in.ValidUntil.After(in.ValidFrom) {
			return in, "valid_until must be later than valid_from"
		}
	}
	if o.Confidence != nil {
		if *o.Confidence < 0 || *o.Confidence > 100 {
			return in, fmt.Sprintf("confidence %d is not from 0 to 100", *o.Confidence)
		}
		in.Confidence = *o.Confidence
	}
	for _, ts := range []string{o.Modified, o.Created} {
		if ts != "" {
			if in.Modified, err = parseStixTime(ts); err != nil {
				return in, "modified: " + err.Error()
			}
			break
		}
	}
	in.Types = append(append([]string(nil), o.IndicatorTypes...), o.Labels...)
	in.Source = identities[o.CreatedByRef]
	if in.Source == "" {
		in.Source = o.CreatedByRef
	}
	return in, ""
}

// parseStixTime reads a STIX timestamp (RFC 3339 in UTC).
func parseStixTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp", s)
	}
	return t.UTC(), nil
}
