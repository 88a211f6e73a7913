package simulate

import (
	"encoding/json"
	"strings"
	"time"
)

// stixPaths maps an indicator type of a scenario to its STIX 2.1 pattern path.
var stixPaths = map[string]string{
	"ipv4-addr":   "ipv4-addr:value",
	"domain-name": "domain-name:value",
	"url":         "url:value",
	"sha256":      "file:hashes.'SHA-256'",
}

type stixBundle struct {
	Type    string          `json:"type"`
	ID      string          `json:"id"`
	Objects []stixIndicator `json:"objects"`
}

type stixIndicator struct {
	Type           string   `json:"type"`
	SpecVersion    string   `json:"spec_version"`
	ID             string   `json:"id"`
	Created        string   `json:"created"`
	Modified       string   `json:"modified"`
	Name           string   `json:"name"`
	Description    string   `json:"description,omitempty"`
	IndicatorTypes []string `json:"indicator_types"`
	Pattern        string   `json:"pattern"`
	PatternType    string   `json:"pattern_type"`
	ValidFrom      string   `json:"valid_from"`
	Confidence     int      `json:"confidence"`
	Labels         []string `json:"labels"`
}

// stixEpoch is the fixed creation time of the scenario's indicators, so the bundle's bytes
// do not depend on when it is made.
var stixEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// stixBundleOf renders resolved indicators as a STIX 2.1 bundle with ids derived from their
// values.
func stixBundleOf(name string, ins []Indicator) []byte {
	ts := stixEpoch.Format("2006-01-02T15:04:05.000Z")
	b := stixBundle{Type: "bundle", ID: "bundle--" + objectID(0, "stix-bundle:"+name), Objects: []stixIndicator{}}
	for _, in := range ins {
		value := strings.ReplaceAll(strings.ReplaceAll(in.Value, `\`, `\\`), `'`, `\'`)
		b.Objects = append(b.Objects, stixIndicator{Type: "indicator", SpecVersion: "2.1",
			ID: "indicator--" + objectID(0, "stix:"+in.Type+":"+in.Value), Created: ts, Modified: ts, Name: in.Name,
			Description: in.Description, IndicatorTypes: []string{"malicious-activity"},
			Pattern: "[" + stixPaths[in.Type] + " = '" + value + "']", PatternType: "stix", ValidFrom: ts,
			Confidence: 90, Labels: []string{"vigil-demo", name}})
	}
	out, _ := json.MarshalIndent(b, "", "  ")
	return append(out, '\n')
}
