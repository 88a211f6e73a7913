package normalize

// AWS CloudTrail ("cloudtrail").
//
// Input: CloudTrail log files as CloudTrail writes them to S3 ({"Records":[event, ...]}), a JSON
// array of events, or one event per line (as CloudTrail Lake, EventBridge's "detail" or
// `aws cloudtrail lookup-events` CloudTrailEvent text give them). Each event is the documented
// CloudTrail record: eventVersion, eventTime, eventSource, eventName, awsRegion,
// sourceIPAddress, userAgent, userIdentity{type, principalId, arn, accountId, accessKeyId,
// userName, invokedBy, sessionContext{attributes{creationDate, mfaAuthenticated},
// sessionIssuer{...}}}, requestParameters, responseElements, errorCode, errorMessage,
// requestID, eventID, readOnly, resources, eventType, managementEvent, recipientAccountId,
// eventCategory, tlsDetails, ...
//
// Each event becomes an AWSCloudTrail row with Sentinel's AWS connector columns; objects
// (RequestParameters, ResponseElements, AdditionalEventData, Resources, ServiceEventDetails)
// are kept as compact JSON text, as Sentinel keeps them.

const cloudTrailFormat = "cloudtrail"

// cloudTrailPaths maps AWSCloudTrail columns to the event member paths they copy.
var cloudTrailPaths = map[string]string{
	"EventVersion": "eventVersion", "EventSource": "eventSource", "EventName": "eventName", "AWSRegion": "awsRegion",
	"SourceIpAddress": "sourceIPAddress", "UserAgent": "userAgent", "ErrorCode": "errorCode", "ErrorMessage": "errorMessage",
	"RequestParameters": "requestParameters", "ResponseElements": "responseElements", "AdditionalEventData": "additionalEventData",
	"AwsRequestId": "requestID", "AwsEventId": "eventID", "ReadOnly": "readOnly", "Resources": "resources",
	"EventTypeName": "eventType", "APIVersion": "apiVersion", "ManagementEvent": "managementEvent",
	"RecipientAccountId": "recipientAccountId", "SharedEventId": "sharedEventID", "VpcEndpointId": "vpcEndpointId",
	"Category": "eventCategory", "ServiceEventDetails": "serviceEventDetails",
	"TlsVersion": "tlsDetails.tlsVersion", "CipherSuite": "tlsDetails.cipherSuite",
	"ClientProvidedHostHeader": "tlsDetails.clientProvidedHostHeader",
	"UserIdentityType":         "userIdentity.type", "UserIdentityPrincipalid": "userIdentity.principalId",
	"UserIdentityArn": "userIdentity.arn", "UserIdentityAccountId": "userIdentity.accountId",
	"UserIdentityAccessKeyId": "userIdentity.accessKeyId", "UserIdentityUserName": "userIdentity.userName",
	"UserIdentityInvokedBy": "userIdentity.invokedBy", "UserIdentityStoreArn": "userIdentity.identityStoreArn",
	"UserIdentityUserId":       "userIdentity.userId",
	"SessionCreationDate":      "userIdentity.sessionContext.attributes.creationDate",
	"SessionMfaAuthenticated":  "userIdentity.sessionContext.attributes.mfaAuthenticated",
	"SessionIssuerType":        "userIdentity.sessionContext.sessionIssuer.type",
	"SessionIssuerPrincipalId": "userIdentity.sessionContext.sessionIssuer.principalId",
	"SessionIssuerArn":         "userIdentity.sessionContext.sessionIssuer.arn",
	"SessionIssuerAccountId":   "userIdentity.sessionContext.sessionIssuer.accountId",
	"SessionIssuerUserName":    "userIdentity.sessionContext.sessionIssuer.userName",
	"EC2RoleDelivery":          "userIdentity.sessionContext.ec2RoleDelivery",
}

// cloudTrailRecords maps one CloudTrail event to an AWSCloudTrail row.
func (n *Normalizer) cloudTrailRecords(o jobj) []Record {
	const table = "AWSCloudTrail"
	t, err := requireTime(o, "eventTime")
	if err != nil {
		return []Record{n.fail(cloudTrailFormat, table, err.Error())}
	}
	if o.text("eventName") == "" || o.text("eventSource") == "" {
		return []Record{n.fail(cloudTrailFormat, table, "missing eventName or eventSource")}
	}
	r := n.row(table)
	r.setValue("TimeGenerated", t)
	for col, p := range cloudTrailPaths {
		if !r.putPath(col, o, p) {
			return []Record{n.fail(cloudTrailFormat, table, p+": "+clip(o.text(p))+" does not fit "+col)}
		}
	}
	return []Record{r.done(cloudTrailFormat)}
}
