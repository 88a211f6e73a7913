package sigma

import (
	"strings"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/stream"
)

// entitySpec names the columns that make one entity; an identifier starting with = is a
// constant (FileHash's Algorithm).
type entitySpec struct {
	typ string
	ids [][2]string // identifier, column or =constant
}

// entitySpecs are the entities an alert takes from its row, named as alert.Extract and the
// Sentinel entity model name them. The first identifier of each must be set.
var entitySpecs = []entitySpec{
	{"Host", [][2]string{{"HostName", "DeviceName"}}},
	{"Host", [][2]string{{"HostName", "Computer"}}},
	{"Account", [][2]string{{"Name", "AccountName"}, {"NTDomain", "AccountDomain"}, {"Sid", "AccountSid"}}},
	{"Account", [][2]string{{"Name", "InitiatingProcessAccountName"}, {"NTDomain", "InitiatingProcessAccountDomain"}, {"Sid", "InitiatingProcessAccountSid"}}},
	{"Account", [][2]string{{"Name", "TargetUserName"}, {"NTDomain", "TargetDomainName"}, {"Sid", "TargetUserSid"}}},
	{"Account", [][2]string{{"Name", "SubjectUserName"}, {"NTDomain", "SubjectDomainName"}, {"Sid", "SubjectUserSid"}}},
	{"Account", [][2]string{{"FullName", "UserPrincipalName"}, {"AadUserId", "UserId"}}},
	{"Account", [][2]string{{"Name", "UserIdentityUserName"}, {"Sid", "UserIdentityPrincipalid"}}},
	{"Process", [][2]string{{"ProcessId", "ProcessId"}, {"CommandLine", "ProcessCommandLine"}}},
	{"Process", [][2]string{{"ProcessId", "InitiatingProcessId"}, {"CommandLine", "InitiatingProcessCommandLine"}}},
	{"File", [][2]string{{"Name", "FileName"}, {"Directory", "FolderPath"}}},
	{"FileHash", [][2]string{{"Value", "SHA256"}, {"Algorithm", "=SHA256"}}},
	{"FileHash", [][2]string{{"Value", "SHA1"}, {"Algorithm", "=SHA1"}}},
	{"FileHash", [][2]string{{"Value", "MD5"}, {"Algorithm", "=MD5"}}},
	{"IP", [][2]string{{"Address", "RemoteIP"}}},
	{"IP", [][2]string{{"Address", "LocalIP"}}},
	{"IP", [][2]string{{"Address", "IPAddress"}}},
	{"IP", [][2]string{{"Address", "IpAddress"}}},
	{"IP", [][2]string{{"Address", "ClientIP"}}},
	{"IP", [][2]string{{"Address", "SourceIpAddress"}}},
	{"URL", [][2]string{{"Url", "RemoteUrl"}}},
	{"RegistryKey", [][2]string{{"Key", "RegistryKey"}}},
}

// rowEntities extracts the entities of one row, skipping empty ones and duplicates.
func rowEntities(b *stream.Batch, row int) []alert.Entity {
	var out []alert.Entity
	seen := map[string]bool{}
	for _, s := range entitySpecs {
		e := alert.Entity{Type: s.typ, Identifiers: map[string]string{}}
		for i, id := range s.ids {
			v := constOrCell(b, row, id[1])
			if v == "" || v == "-" {
				if i == 0 {
					break
				}
				continue
			}
			e.Identifiers[id[0]] = v
		}
		if len(e.Identifiers) == 0 || (s.ids[0][0] != "" && e.Identifiers[s.ids[0][0]] == "") {
			continue
		}
		fixFile(&e)
		k := e.Type + "\x00" + strings.ToLower(e.Identifiers[s.ids[0][0]])
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

func constOrCell(b *stream.Batch, row int, col string) string {
	if c, ok := strings.CutPrefix(col, "="); ok {
		return c
	}
	i := b.Index(col)
	if i < 0 || i >= len(b.Rows[row]) || b.Rows[row][i] == nil {
		return ""
	}
	return string(appendValue(nil, b.Rows[row][i]))
}

// fixFile turns Defender's full FolderPath into the entity's directory.
func fixFile(e *alert.Entity) {
	if e.Type != "File" {
		return
	}
	d, n := e.Identifiers["Directory"], e.Identifiers["Name"]
	if n != "" && strings.HasSuffix(strings.ToLower(d), strings.ToLower(n)) && len(d) > len(n) {
		e.Identifiers["Directory"] = strings.TrimRight(d[:len(d)-len(n)], `\/`)
	}
}
