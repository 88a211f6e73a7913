package ti

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/schema"
)

// Check is how a column's value is looked up in the index.
type Check uint8

// Checks.
const (
	CheckIP     Check = iota + 1 // an address (with or without a port)
	CheckURL                     // a URL or bare host: the URL, then its domain
	CheckDomain                  // a domain name
	CheckMD5
	CheckSHA1
	CheckSHA256
	CheckEmail // an email address
)

// Field is one column the matcher checks, with how to describe and classify a hit on it.
type Field struct {
	Table, Column string
	Check         Check
	Action        string // completes "Threat intelligence match: <Action> <value>"
	Tactic        string // the MITRE tactic of the alert
}

// DefaultFields returns the columns checked by default.
func DefaultFields() []Field { return slices.Clone(defaultFields) }

var defaultFields = []Field{
	{"DeviceNetworkEvents", "RemoteIP", CheckIP, "connection to", tacticC2},
	{"DeviceNetworkEvents", "RemoteUrl", CheckURL, "connection to", tacticC2},
	{"DeviceLogonEvents", "RemoteIP", CheckIP, "logon from", tacticInitial},
	{"CommonSecurityLog", "DestinationIP", CheckIP, "traffic to", tacticC2},
	{"CommonSecurityLog", "SourceIP", CheckIP, "traffic from", tacticInitial},
	{"CommonSecurityLog", "RequestURL", CheckURL, "request to", tacticC2},
	{"CommonSecurityLog", "DestinationHostName", CheckDomain, "traffic to", tacticC2},
	{"DeviceFileEvents", "SHA256", CheckSHA256, "file", tacticExec},
	{"DeviceFileEvents", "SHA1", CheckSHA1, "file", tacticExec},
	{"DeviceFileEvents", "MD5", CheckMD5, "file", tacticExec},
	{"DeviceProcessEvents", "SHA256", CheckSHA256, "process", tacticExec},
	{"DeviceProcessEvents", "SHA1", CheckSHA1, "process", tacticExec},
	{"DeviceProcessEvents", "MD5", CheckMD5, "process", tacticExec},
	{"DeviceImageLoadEvents", "SHA256", CheckSHA256, "module load of", tacticExec},
	{"EmailAttachmentInfo", "SHA256", CheckSHA256, "email attachment", tacticInitial},
	{"EmailEvents", "SenderFromAddress", CheckEmail, "email from", tacticInitial},
	{"EmailEvents", "SenderMailFromAddress", CheckEmail, "email from", tacticInitial},
	{"EmailEvents", "SenderIPv4", CheckIP, "email sent from", tacticInitial},
	{"EmailEvents", "SenderIPv6", CheckIP, "email sent from", tacticInitial},
	{"EmailUrlInfo", "Url", CheckURL, "URL in email:", tacticInitial},
	{"EmailUrlInfo", "UrlDomain", CheckDomain, "URL in email:", tacticInitial},
	{"UrlClickEvents", "Url", CheckURL, "click on", tacticInitial},
	{"DnsEvents", "Name", CheckDomain, "DNS query for", tacticC2},
	{"SigninLogs", "IPAddress", CheckIP, "sign-in from", tacticInitial},
	{"OfficeActivity", "ClientIP", CheckIP, "Office 365 activity from", tacticInitial},
	{"AWSCloudTrail", "SourceIpAddress", CheckIP, "AWS API call from", tacticInitial},
}

const (
	tacticC2      = "CommandAndControl"
	tacticInitial = "InitialAccess"
	tacticExec    = "Execution"
)

// fieldSet is Fields grouped by lower-case table name.
type fieldSet map[string][]Field

// newFieldSet checks that every field names a column of the registry and groups them.
func newFieldSet(reg *schema.Registry, fields []Field) (fieldSet, error) {
	out := fieldSet{}
	for _, f := range fields {
		t, ok := reg.Table(f.Table)
		if !ok {
			return nil, fmt.Errorf("threat intelligence field %s.%s: no such table", f.Table, f.Column)
		}
		if _, ok := t.Column(f.Column); !ok {
			return nil, fmt.Errorf("threat intelligence field %s.%s: no such column", f.Table, f.Column)
		}
		if f.Check < CheckIP || f.Check > CheckEmail {
			return nil, fmt.Errorf("threat intelligence field %s.%s: unknown check %d", f.Table, f.Column, f.Check)
		}
		k := strings.ToLower(t.Name)
		out[k] = append(out[k], f)
	}
	return out, nil
}
