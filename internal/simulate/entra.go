package simulate

import (
	"encoding/json"
	"time"
)

// Entra ID sign-in builder (Graph signIn objects) -> SigninLogs (or
// AADNonInteractiveUserSignInLogs) and AADSignInEventsBeta.

// signin describes one sign-in.
type signin struct {
	upn, userID, display string
	ip, country, city    string
	app                  string // application display name
	errorCode            int    // 0 success, 50126 bad password, 500121 MFA denied
	mfa                  bool   // MFA was performed (success) or asked (500121)
	device               string // device display name, "" for an unmanaged browser
	os, browser          string
}

// Sign-in failure reasons by error code, as Entra words them.
var signinReasons = map[int]string{
	0:      "Other.",
	50126:  "Error validating credentials due to invalid username or password.",
	500121: "Authentication failed during strong authentication request.",
	50053:  "Account is locked because user tried to sign in too many times with an incorrect user ID or password.",
}

type graphSignin struct {
	ID                      string         `json:"id"`
	CreatedDateTime         string         `json:"createdDateTime"`
	UserDisplayName         string         `json:"userDisplayName"`
	UserPrincipalName       string         `json:"userPrincipalName"`
	UserID                  string         `json:"userId"`
	AppID                   string         `json:"appId"`
	AppDisplayName          string         `json:"appDisplayName"`
	IPAddress               string         `json:"ipAddress"`
	ClientAppUsed           string         `json:"clientAppUsed"`
	CorrelationID           string         `json:"correlationId"`
	ConditionalAccessStatus string         `json:"conditionalAccessStatus"`
	IsInteractive           bool           `json:"isInteractive"`
	RiskDetail              string         `json:"riskDetail"`
	RiskLevelAggregated     string         `json:"riskLevelAggregated"`
	RiskLevelDuringSignIn   string         `json:"riskLevelDuringSignIn"`
	RiskState               string         `json:"riskState"`
	ResourceDisplayName     string         `json:"resourceDisplayName"`
	ResourceID              string         `json:"resourceId"`
	AuthRequirement         string         `json:"authenticationRequirement"`
	Status                  signinStatus   `json:"status"`
	DeviceDetail            signinDevice   `json:"deviceDetail"`
	Location                signinLocation `json:"location"`
	MFADetail               *signinMFA     `json:"mfaDetail,omitempty"`
}

type signinStatus struct {
	ErrorCode         int    `json:"errorCode"`
	FailureReason     string `json:"failureReason"`
	AdditionalDetails string `json:"additionalDetails,omitempty"`
}

type signinDevice struct {
	DeviceID        string `json:"deviceId"`
	DisplayName     string `json:"displayName"`
	OperatingSystem string `json:"operatingSystem"`
	Browser         string `json:"browser"`
	IsCompliant     bool   `json:"isCompliant"`
	IsManaged       bool   `json:"isManaged"`
	TrustType       string `json:"trustType"`
}

type signinLocation struct {
	City            string `json:"city"`
	CountryOrRegion string `json:"countryOrRegion"`
}

type signinMFA struct {
	AuthMethod string `json:"authMethod"`
	AuthDetail string `json:"authDetail"`
}

// apps are the Entra applications users sign in to, by display name.
var apps = map[string][2]string{
	"Office 365 Exchange Online":   {"00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"},
	"OfficeHome":                   {"4765445b-32c6-49b0-83e6-1d93765276ca", "Office365 Shell WCSS-Server"},
	"Microsoft Teams":              {"1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams Services"},
	"Office 365 SharePoint Online": {"00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online"},
}

// entraSignin renders one sign-in.
func (e *emitter) entraSignin(t time.Time, s signin) Record {
	app, ok := apps[s.app]
	if !ok {
		s.app, app = "OfficeHome", apps["OfficeHome"]
	}
	g := graphSignin{ID: e.guid(), CreatedDateTime: jsonTime(t), UserDisplayName: s.display, UserPrincipalName: s.upn,
		UserID: s.userID, AppID: app[0], AppDisplayName: s.app, IPAddress: s.ip, ClientAppUsed: "Browser",
		CorrelationID: e.guid(), ConditionalAccessStatus: "success", IsInteractive: true, RiskDetail: "none",
		RiskLevelAggregated: "none", RiskLevelDuringSignIn: "none", RiskState: "none", ResourceDisplayName: app[1],
		ResourceID: app[0], AuthRequirement: "singleFactorAuthentication",
		Status:       signinStatus{ErrorCode: s.errorCode, FailureReason: signinReasons[s.errorCode]},
		DeviceDetail: signinDevice{DisplayName: s.device, OperatingSystem: s.os, Browser: s.browser},
		Location:     signinLocation{City: s.city, CountryOrRegion: s.country}}
	if g.Status.FailureReason == "" {
		g.Status.FailureReason = "Other."
	}
	if s.device != "" {
		g.DeviceDetail.DeviceID, g.DeviceDetail.IsCompliant, g.DeviceDetail.IsManaged = objectID(0, "device:"+s.device), true, true
		g.DeviceDetail.TrustType = "Hybrid Azure AD joined"
	}
	if s.mfa {
		g.AuthRequirement = "multiFactorAuthentication"
		g.MFADetail = &signinMFA{AuthMethod: "Mobile app notification", AuthDetail: ""}
		g.Status.AdditionalDetails = "MFA completed in Azure AD"
	}
	if s.errorCode == 500121 {
		g.Status.AdditionalDetails = "MFA denied; user declined the authentication"
		g.ConditionalAccessStatus = "failure"
	} else if s.errorCode != 0 {
		g.ConditionalAccessStatus = "notApplied"
	}
	return e.json(t, FormatEntraSignin, &g)
}

// json renders v as a record of format.
func (e *emitter) json(t time.Time, format string, v any) Record {
	b, err := json.Marshal(v)
	if err != nil {
		panic("simulate: " + err.Error()) // the record types always marshal
	}
	return Record{Time: t, Format: format, Payload: b}
}
