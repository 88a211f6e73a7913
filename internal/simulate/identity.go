package simulate

import (
	"strings"
	"time"
)

// identityRow is one IdentityInfo row, as the native ingest route takes it.
type identityRow struct {
	TimeGenerated       string `json:"TimeGenerated"`
	Timestamp           string `json:"Timestamp"`
	AccountObjectID     string `json:"AccountObjectId"`
	AccountUpn          string `json:"AccountUpn"`
	OnPremSid           string `json:"OnPremSid"`
	AccountSID          string `json:"AccountSID"`
	AccountDisplayName  string `json:"AccountDisplayName"`
	AccountName         string `json:"AccountName"`
	AccountDomain       string `json:"AccountDomain"`
	AccountTenantID     string `json:"AccountTenantId"`
	GivenName           string `json:"GivenName,omitempty"`
	Surname             string `json:"Surname,omitempty"`
	Department          string `json:"Department"`
	JobTitle            string `json:"JobTitle"`
	EmailAddress        string `json:"EmailAddress"`
	MailAddress         string `json:"MailAddress"`
	Country             string `json:"Country"`
	City                string `json:"City"`
	CompanyName         string `json:"CompanyName"`
	IsAccountEnabled    bool   `json:"IsAccountEnabled"`
	Type                string `json:"Type"`
	DistinguishedName   string `json:"DistinguishedName"`
	SourceSystem        string `json:"SourceSystem"`
	IdentityEnvironment string `json:"IdentityEnvironment"`
}

// identityInfo renders the IdentityInfo row of u.
func (e *emitter) identityInfo(t time.Time, u *User) Record {
	ou := "OU=Users"
	if strings.HasPrefix(u.SAM, "svc-") || strings.HasPrefix(u.SAM, "adm-") {
		ou = "OU=Admin"
	}
	row := identityRow{TimeGenerated: jsonTime(t), Timestamp: jsonTime(t), AccountObjectID: u.ObjectID, AccountUpn: u.UPN,
		OnPremSid: u.SID, AccountSID: u.SID, AccountDisplayName: u.DisplayName, AccountName: u.SAM,
		AccountDomain: strings.ToLower(DomainDNS), AccountTenantID: TenantID, GivenName: u.GivenName, Surname: u.Surname,
		Department: u.Department, JobTitle: u.JobTitle, EmailAddress: u.UPN, MailAddress: u.UPN, Country: u.Country,
		City: u.City, CompanyName: "Contoso", IsAccountEnabled: true, Type: "User",
		DistinguishedName: "CN=" + u.DisplayName + "," + ou + ",DC=contoso,DC=com", SourceSystem: "Hybrid",
		IdentityEnvironment: "Hybrid"}
	return e.json(t, FormatIdentityInfo, &row)
}
