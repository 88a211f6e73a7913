package deception

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/schema"
)

// Field is a column checked for decoys of one kind, in whatever table has it.
type Field struct {
	Column string
	Kind   Kind
}

// DefaultFields returns the columns checked by default.
func DefaultFields() []Field { return slices.Clone(defaultFields) }

var defaultFields = []Field{
	{"AccountName", KindAccount}, {"AccountUpn", KindAccount}, {"UserPrincipalName", KindAccount},
	{"TargetUserName", KindAccount}, {"SubjectUserName", KindAccount}, {"TargetAccount", KindAccount}, {"Account", KindAccount},
	{"InitiatingProcessAccountName", KindAccount}, {"InitiatingProcessAccountUpn", KindAccount}, {"UserId", KindAccount},
	{"SourceUserName", KindAccount}, {"DestinationUserName", KindAccount}, {"UserIdentityUserName", KindAccount},
	{"DeviceName", KindHost}, {"RemoteDeviceName", KindHost}, {"Computer", KindHost}, {"HostName", KindHost},
	{"DestinationHostName", KindHost}, {"SourceHostName", KindHost}, {"WorkstationName", KindHost},
	{"FolderPath", KindFile}, {"FileName", KindFile}, {"ObjectName", KindFile},
	{"ProcessCommandLine", KindCredential}, {"InitiatingProcessCommandLine", KindCredential}, {"CommandLine", KindCredential},
	{"AdditionalFields", KindCredential},
	{"RemoteIP", KindIP}, {"DestinationIP", KindIP}, {"IPAddress", KindIP}, {"IpAddress", KindIP},
	{"RecipientEmailAddress", KindMailbox},
}

// DefaultExcluded returns the tables never checked: those holding alerts, whose rows name
// the decoys of earlier alerts, and those holding indicators and ingest errors.
func DefaultExcluded() []string { return slices.Clone(defaultExcluded) }

var defaultExcluded = []string{
	"AlertEvidence", "AlertInfo", "SecurityAlert", "SecurityIncident", "BehaviorEntities", "BehaviorInfo",
	"IngestionErrors", "ThreatIntelligenceIndicator", "ThreatIntelIndicators",
}

// action says how an event of a table touched a decoy, for the alert title, and which
// column, if any, holds the address the event came from.
type action struct {
	Verb, From string
}

var tableActions = map[string]action{
	"signinlogs":                      {"used in a sign-in", "IPAddress"},
	"aadnoninteractiveusersigninlogs": {"used in a sign-in", "IPAddress"},
	"aadsignineventsbeta":             {"used in a sign-in", "IPAddress"},
	"devicelogonevents":               {"used in a logon", "RemoteIP"},
	"identitylogonevents":             {"used in a logon", "IPAddress"},
	"securityevent":                   {"used in a Windows security event", "IpAddress"},
	"devicenetworkevents":             {"contacted in a network connection", ""},
	"commonsecuritylog":               {"seen in network traffic", "SourceIP"},
	"devicefileevents":                {"accessed", ""},
	"deviceprocessevents":             {"used in a process", ""},
	"emailevents":                     {"received mail", "SenderIPv4"},
	"officeactivity":                  {"used in Office 365 activity", "ClientIP"},
	"awscloudtrail":                   {"used in an AWS API call", "SourceIpAddress"},
}

func actionFor(table string) action {
	if a, ok := tableActions[strings.ToLower(table)]; ok {
		return a
	}
	return action{Verb: "seen in " + table}
}

// checkFields reports fields whose column no table of the registry has, and kinds it does
// not know.
func checkFields(reg *schema.Registry, fields []Field) error {
	have := map[string]bool{}
	for _, t := range reg.Tables() {
		for _, c := range t.Columns {
			have[strings.ToLower(c.Name)] = true
		}
	}
	for _, f := range fields {
		if !have[strings.ToLower(f.Column)] {
			return fmt.Errorf("deception field %s: no table has this column", f.Column)
		}
		if _, ok := matchers[f.Kind]; !ok {
			return fmt.Errorf("deception field %s: unknown decoy kind %q", f.Column, f.Kind)
		}
	}
	return nil
}
