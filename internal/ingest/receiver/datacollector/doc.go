// Package datacollector implements the request format of the Azure Monitor HTTP Data
// Collector API (POST /api/logs, deprecated by Microsoft but still spoken by many shippers):
// the SharedKey signature and the Log-Type to table mapping. The HTTP handler is in
// internal/api.
//
// Tables: "Log-Type: MyType" writes to the custom table MyType_CL, which must exist (create it
// with PUT /api/v1/tables/MyType_CL); Vigil does not create tables or add the _s/_d/_b type
// suffixes Azure adds to field names, so fields are matched to columns by name as in every
// JSON ingest. TimeGenerated comes from the field named by the time-generated-field header
// (which is dropped unless the table has a column of that name) or, without one, is the
// receive time, as in Azure.
//
// Authentication: "Authorization: SharedKey <WorkspaceID>:<Signature>", Signature =
// base64(HMAC-SHA256(base64decode(SharedKey), StringToSign)) over
// "POST\n<Content-Length>\n<Content-Type>\nx-ms-date:<date>\n/api/logs". In Vigil the
// workspace id is the tenant id and the shared key is the standard base64 encoding of a Vigil
// API key, so the HMAC key is the API key's bytes. Verifying needs the key itself, and Vigil
// keeps only hashes of API keys, so only keys whose secret the process holds can sign: today
// the admin key, read at start (see api.KeyRing.AddSigning). The x-ms-date must be within 15
// minutes of the server's clock, which bounds replays.
package datacollector
