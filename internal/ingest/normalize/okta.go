package normalize

// Okta System Log ("okta").
//
// Input: LogEvent objects as the System Log API (GET /api/v1/logs) returns them, a JSON array
// or one per line: uuid, published, eventType, version, severity, legacyEventType,
// displayMessage, actor{id, type, alternateId, displayName, detailEntry},
// client{userAgent{rawUserAgent, os, browser}, zone, device, id, ipAddress,
// geographicalContext{city, state, country, postalCode, geolocation{lat, lon}}},
// outcome{result, reason}, target[], transaction{type, id, detail},
// debugContext{debugData{...}}, authenticationContext{...}, securityContext{...},
// request{ipChain[]}.
//
// Each event becomes an OktaSSO row. Sentinel's Okta connector writes the events through the
// Log Analytics Data Collector API, which flattens nested members into columns joined by "_"
// and suffixed by type: _s for text, _d for numbers, _b for booleans, _t for timestamps, _g
// for GUIDs; arrays are kept as JSON text in an _s column. Sentinel's Okta analytics rules
// query these names (eventType_s, actor_alternateId_s, outcome_result_s, client_ipAddress_s,
// debugContext_debugData_logOnlySecurityData_s, ...) through the OktaSSO function over
// Okta_CL/OktaV2_CL; Vigil stores them in a table of that name so the rules run unchanged. A
// member whose flattened name is not a column of OktaSSO (a rare debugData key) is left out.

import "encoding/json"

const oktaFormat = "okta"

// oktaRecords maps one LogEvent to an OktaSSO row.
func (n *Normalizer) oktaRecords(o jobj) []Record {
	const table = "OktaSSO"
	t, err := requireTime(o, "published")
	if err != nil {
		return []Record{n.fail(oktaFormat, table, err.Error())}
	}
	if o.text("eventType") == "" {
		return []Record{n.fail(oktaFormat, table, "missing eventType")}
	}
	r := n.row(table)
	r.setValue("TimeGenerated", t)
	if bad := flattenLA(r, "", o); bad != "" {
		return []Record{n.fail(oktaFormat, table, bad)}
	}
	r.set("SourceSystem", "RestAPI")
	return []Record{r.done(oktaFormat)}
}

// laSuffixes are the Data Collector API column suffixes a JSON value may take, by its kind.
var laSuffixes = map[string][]string{"string": {"_s", "_g", "_t"}, "number": {"_d", "_s"}, "bool": {"_b", "_s"}, "array": {"_s"}}

// flattenLA puts each member of o, flattened as the Log Analytics Data Collector API names it
// (prefix + name joined by "_", plus the type suffix), into the column of that name when the
// row's table has one. It returns why a value did not fit its column, or "".
func flattenLA(r jrow, prefix string, o jobj) string {
	for _, f := range o {
		name := prefix + f.k
		var kind string
		switch v := f.v.(type) {
		case jobj:
			if bad := flattenLA(r, name+"_", v); bad != "" {
				return bad
			}
			continue
		case nil:
			continue
		case string:
			kind = "string"
		case json.Number:
			kind = "number"
		case bool:
			kind = "bool"
		default:
			kind = "array"
		}
		for _, suf := range laSuffixes[kind] {
			if _, ok := r.wt.cols[name+suf]; !ok {
				continue
			}
			if !r.put(name+suf, f.v) {
				return name + ": " + clip(jsonText(f.v)) + " does not fit " + name + suf
			}
			break
		}
	}
	return ""
}
