package rule

import "github.com/vigilsec/vigil/internal/schema"

// kinds of column types an identifier accepts. A dynamic column is accepted wherever text
// is: published Sentinel rules map `split(x, "@")[0]` or `make_set(...)` columns without
// tostring(), Kusto types those dynamic, and the alert takes the value as tostring() renders
// it (a string without quotes, an array or bag as JSON).
var (
	stringish = []schema.Type{schema.TypeString, schema.TypeGUID, schema.TypeDynamic}
	numberish = []schema.Type{schema.TypeString, schema.TypeLong, schema.TypeInt, schema.TypeDynamic}
	timeish   = []schema.Type{schema.TypeDatetime, schema.TypeString}
	boolish   = []schema.Type{schema.TypeBool, schema.TypeString}
	anyish    = []schema.Type{schema.TypeString, schema.TypeDynamic, schema.TypeLong, schema.TypeInt, schema.TypeGUID}
)

// EntityTypes lists the Sentinel entity types with their identifiers and the column types
// each identifier accepts.
var EntityTypes = map[string]Identifiers{
	"Account": ids(stringish, "Name", "FullName", "NTDomain", "DnsDomain", "UPNSuffix", "Sid", "AadTenantId",
		"AadUserId", "PUID", "DisplayName", "ObjectGuid", "CloudAppAccountId").with("IsDomainJoined", boolish),
	"Host": ids(stringish, "DnsDomain", "NTDomain", "HostName", "FullName", "NetBiosName", "AzureID",
		"OMSAgentID", "OSFamily", "OSVersion", "MdatpDeviceId").with("IsDomainJoined", boolish),
	"IP":               ids(stringish, "Address"),
	"Malware":          ids(stringish, "Name", "Category"),
	"File":             ids(stringish, "Directory", "Name"),
	"Process":          ids(stringish, "CommandLine", "ElevationToken").with("ProcessId", numberish).with("CreationTimeUtc", timeish),
	"CloudApplication": ids(stringish, "Name", "InstanceName").with("AppId", numberish),
	"DNS":              ids(stringish, "DomainName"),
	"AzureResource":    ids(stringish, "ResourceId"),
	"FileHash":         ids(stringish, "Algorithm", "Value"),
	"RegistryKey":      ids(stringish, "Hive", "Key"),
	"RegistryValue":    ids(stringish, "Name", "ValueType").with("Value", anyish),
	"SecurityGroup":    ids(stringish, "DistinguishedName", "SID", "ObjectGuid"),
	"URL":              ids(stringish, "Url"),
	"IoTDevice": ids(stringish, "IoTHub", "DeviceId", "DeviceName", "IoTSecurityAgentId", "DeviceType", "Source",
		"SourceRef", "Manufacturer", "Model", "OperatingSystem", "IpAddress", "MacAddress", "Protocols", "SerialNumber"),
	"Mailbox": ids(stringish, "MailboxPrimaryAddress", "DisplayName", "Upn", "ExternalDirectoryObjectId", "RiskLevel"),
	"MailCluster": ids(anyish, "NetworkMessageIds", "CountByDeliveryStatus", "CountByThreatType", "CountByProtectionStatus",
		"Threats", "Query", "QueryTime", "MailCount", "IsVolumeAnomaly", "Source", "ClusterSourceIdentifier",
		"ClusterSourceType", "ClusterQueryStartTime", "ClusterQueryEndTime", "ClusterGroup"),
	"MailMessage": ids(stringish, "Recipient", "Urls", "Threats", "Sender", "P1Sender", "P1SenderDisplayName",
		"P1SenderDomain", "SenderIP", "P2Sender", "P2SenderDisplayName", "P2SenderDomain", "NetworkMessageId",
		"InternetMessageId", "Subject", "BodyFingerprintBin1", "BodyFingerprintBin2", "BodyFingerprintBin3",
		"BodyFingerprintBin4", "BodyFingerprintBin5", "AntispamDirection", "DeliveryAction", "DeliveryLocation",
		"Language", "ThreatDetectionMethods").with("ReceivedDate", timeish),
	"SubmissionMail": ids(stringish, "SubmissionId", "Submitter", "NetworkMessageId", "Recipient", "Sender",
		"SenderIp", "Subject", "ReportType").with("SubmissionDate", timeish).with("Timestamp", timeish),
}

// Identifiers maps the identifiers of an entity type to the column types each accepts.
type Identifiers map[string][]schema.Type

func ids(ts []schema.Type, names ...string) Identifiers {
	m := Identifiers{}
	for _, n := range names {
		m[n] = ts
	}
	return m
}

func (m Identifiers) with(name string, ts []schema.Type) Identifiers {
	m[name] = ts
	return m
}
