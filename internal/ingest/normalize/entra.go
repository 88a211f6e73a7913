package normalize

import (
	"strconv"
	"strings"
)

// Microsoft Entra ID sign-in logs ("entra-signin").
//
// Input, one record each of:
//   - a Graph signIn object (GET /auditLogs/signIns, v1.0 or beta: createdDateTime,
//     userPrincipalName, appId, ipAddress, status{errorCode,failureReason}, location{city,state,
//     countryOrRegion,geoCoordinates}, deviceDetail, mfaDetail, riskLevelDuringSignIn, ...); a
//     Graph page {"value":[...]} is split into its sign-ins;
//   - an Azure Monitor diagnostic record as Entra exports it to a storage account or event hub
//     (time, category SignInLogs or NonInteractiveUserSignInLogs, tenantId, resultType,
//     resultDescription, callerIpAddress, identity, location, properties{the signIn object});
//     an export blob {"records":[...]} is split into its records.
//
// Each sign-in becomes a SigninLogs row (AADNonInteractiveUserSignInLogs for non-interactive
// sign-ins), with the columns Sentinel's Entra ID connector fills: the signIn properties under
// their own names, ResultType the error code as text ("0", "50126"), ResultDescription the
// failure reason, Location the country code and LocationDetails the location object, Status,
// DeviceDetail and MfaDetail as objects, ConditionalAccessPolicies the applied policies,
// ResourceIdentity the resource's app id. It also becomes an AADSignInEventsBeta row as
// Defender XDR shapes it (Application, AccountUpn, ErrorCode as a number, the risk and
// conditional access enums as Defender's integers, Country/State/City, device columns).

const entraFormat = "entra-signin"

// commonSkip are columns a record never fills under their own name: the server stamps them or
// the mapper derives them.
var commonSkip = map[string]bool{
	"TenantId": true, "Type": true, "TimeGenerated": true, "Timestamp": true, "SourceSystem": true,
	"_BilledSize": true, "_IsBillable": true, "_ResourceId": true, "_SubscriptionId": true,
}

// entraPropSkip are signIn properties mapped by hand (location is an object, resourceId is the
// resource's app id, not an Azure resource id).
var entraPropSkip = withSkip(commonSkip, "Location", "ResourceId", "ResourceIdentity")

// entraDiagSkip are members of a diagnostic record mapped by hand.
var entraDiagSkip = withSkip(commonSkip, "Properties")

// withSkip returns base plus cols.
func withSkip(base map[string]bool, cols ...string) map[string]bool {
	out := make(map[string]bool, len(base)+len(cols))
	for k := range base {
		out[k] = true
	}
	for _, c := range cols {
		out[c] = true
	}
	return out
}

// entraRecords maps one sign-in to SigninLogs (or AADNonInteractiveUserSignInLogs) and
// AADSignInEventsBeta.
func (n *Normalizer) entraRecords(o jobj) []Record {
	p, diag := o.obj("properties"), true
	if p == nil {
		p, diag = o, false
	}
	table := "SigninLogs"
	switch cat := o.text("category"); {
	case strings.EqualFold(cat, "NonInteractiveUserSignInLogs"):
		table = "AADNonInteractiveUserSignInLogs"
	case strings.EqualFold(cat, "AuditLogs"):
		return n.entraAuditRecords(o)
	case cat != "" && !strings.EqualFold(cat, "SignInLogs"):
		return []Record{n.fail(entraFormat, table, "category "+clip(cat)+" is not a user sign-in log")}
	case !diag && p.get("isInteractive") == false:
		table = "AADNonInteractiveUserSignInLogs"
	}
	t, err := requireTime(o, "properties.createdDateTime", "createdDateTime", "time")
	if err != nil {
		return []Record{n.fail(entraFormat, table, err.Error())}
	}
	if p.text("userPrincipalName") == "" && p.text("userId") == "" {
		return []Record{n.fail(entraFormat, table, "missing userPrincipalName and userId")}
	}
	r := n.row(table)
	r.setValue("TimeGenerated", t)
	if diag {
		n.putSame(r, o, entraDiagSkip)
		r.put("AADTenantId", o.get("tenantId"))
	}
	n.putSame(r, p, entraPropSkip)
	n.entraDerived(r, p, table)
	return []Record{r.done(entraFormat), n.aadSignInEvent(p, t, table != "SigninLogs")}
}

// entraDerived fills the SigninLogs columns Sentinel computes from the signIn object.
func (n *Normalizer) entraDerived(r jrow, p jobj, table string) {
	r.putPath("Location", p, "location.countryOrRegion")
	r.put("LocationDetails", p.get("location"))
	r.put("ResourceIdentity", p.get("resourceId"))
	r.put("ConditionalAccessPolicies", p.get("appliedConditionalAccessPolicies"))
	if code := p.text("status.errorCode"); code != "" {
		r.put("ResultType", code)
	}
	r.fill("ResultDescription", p.text("status.failureReason"))
	r.fill("Identity", p.text("userDisplayName"))
	r.fill("OperationName", "Sign-in activity")
	r.fill("OperationVersion", "1.0")
	r.fill("Category", map[bool]string{true: "SignInLogs", false: "NonInteractiveUserSignInLogs"}[table == "SigninLogs"])
	r.set("SourceSystem", "Azure AD")
}

// fill sets a string column that is still null.
func (r jrow) fill(col, s string) {
	if tg, ok := r.wt.cols[col]; ok && r.row[tg.col] != nil {
		return
	}
	r.set(col, s)
}

// Defender's integer codes for the sign-in enums of AADSignInEventsBeta.
var (
	aadRiskLevels = map[string]int32{"none": 1, "low": 10, "medium": 50, "high": 100}
	aadRiskStates = []string{"none", "confirmedSafe", "remediated", "dismissed", "atRisk", "confirmedCompromised"}
	aadCAStatus   = []string{"success", "failure", "notApplied"}
	aadIssuers    = []string{"AzureAD", "ADFederationServices", "UnknownFutureValue", "AzureADBackupAuth", "ADFederationServicesMFAAdapter", "NPSExtension"}
)

// enumIndex returns the position of s in names, in any letter case.
func enumIndex(names []string, s string) any {
	for i, v := range names {
		if strings.EqualFold(v, s) {
			return strconv.Itoa(i)
		}
	}
	return nil
}

// aadSignInEvent maps a sign-in to Defender's AADSignInEventsBeta.
func (n *Normalizer) aadSignInEvent(p jobj, t any, nonInteractive bool) Record {
	r := n.row("AADSignInEventsBeta")
	r.setValue("Timestamp", t)
	r.setValue("TimeGenerated", t)
	for col, src := range aadSameAs {
		r.putPath(col, p, src)
	}
	logon := "interactiveUser"
	if nonInteractive {
		logon = "nonInteractiveUser"
	}
	if types, ok := p.get("signInEventTypes").([]any); ok && len(types) > 0 {
		r.put("LogonType", types)
	} else {
		r.set("LogonType", jsonList(logon))
	}
	guest := strings.EqualFold(p.text("userType"), "guest")
	r.setValue("IsGuestUser", guest)
	r.set("IsExternalUser", map[bool]string{true: "1", false: "0"}[guest || p.text("crossTenantAccessType") == "b2bCollaboration"])
	r.set("IsManaged", boolDigit(p.text("deviceDetail.isManaged")))
	r.set("IsCompliant", boolDigit(p.text("deviceDetail.isCompliant")))
	if lv, ok := aadRiskLevels[strings.ToLower(p.text("riskLevelAggregated"))]; ok {
		r.setValue("RiskLevelAggregated", lv)
	}
	if lv, ok := aadRiskLevels[strings.ToLower(p.text("riskLevelDuringSignIn"))]; ok {
		r.setValue("RiskLevelDuringSignIn", lv)
	}
	r.put("RiskState", enumIndex(aadRiskStates, p.text("riskState")))
	r.put("ConditionalAccessStatus", enumIndex(aadCAStatus, p.text("conditionalAccessStatus")))
	r.put("TokenIssuerType", enumIndex(aadIssuers, p.text("tokenIssuerType")))
	return r.done(entraFormat)
}

// aadSameAs maps AADSignInEventsBeta columns to the signIn property paths they copy.
var aadSameAs = map[string]string{
	"Application": "appDisplayName", "ApplicationId": "appId", "ErrorCode": "status.errorCode",
	"CorrelationId": "correlationId", "SessionId": "sessionId", "AccountDisplayName": "userDisplayName",
	"AccountObjectId": "userId", "AccountUpn": "userPrincipalName", "AlternateSignInName": "alternateSignInName",
	"ResourceDisplayName": "resourceDisplayName", "ResourceId": "resourceId", "ResourceTenantId": "resourceTenantId",
	"DeviceName": "deviceDetail.displayName", "AadDeviceId": "deviceDetail.deviceId", "EntraIdDeviceId": "deviceDetail.deviceId",
	"OSPlatform": "deviceDetail.operatingSystem", "DeviceTrustType": "deviceDetail.trustType", "Browser": "deviceDetail.browser",
	"AuthenticationProcessingDetails": "authenticationProcessingDetails", "AuthenticationRequirement": "authenticationRequirement",
	"UserAgent": "userAgent", "ClientAppUsed": "clientAppUsed", "ConditionalAccessPolicies": "appliedConditionalAccessPolicies",
	"IPAddress": "ipAddress", "Country": "location.countryOrRegion", "State": "location.state", "City": "location.city",
	"Latitude": "location.geoCoordinates.latitude", "Longitude": "location.geoCoordinates.longitude",
	"NetworkLocationDetails": "networkLocationDetails", "RequestId": "id", "ReportId": "id",
}

// boolDigit turns "true"/"false" into "1"/"0" (Defender's integer flags), else "".
func boolDigit(s string) string {
	switch strings.ToLower(s) {
	case "true":
		return "1"
	case "false":
		return "0"
	}
	return ""
}
