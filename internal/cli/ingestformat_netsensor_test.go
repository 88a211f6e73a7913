package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestIngestNetworkSensors sends the normalize package's Zeek TSV and Suricata EVE samples
// through `vigil ingest --format zeek|suricata-eve` to the real server, in batches of two
// records, and finds the rows with SQL.
func TestIngestNetworkSensors(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real server")
	}
	url, data := startServer(t)
	samples := filepath.Join("..", "ingest", "normalize", "testdata", "formats")

	code, out, errOut := runCLI("ingest", filepath.Join(samples, "zeek-tsv.log"), "--format", "zeek", "--batch", "2", "--server", url, "--data", data)
	if code != 2 || out != "4 rows accepted, 1 rejected (see the IngestionErrors table)\n" ||
		errOut != "line 11: zeek: neither a JSON object nor a TSV line after a #fields header\n" {
		t.Errorf("zeek: %d %q %q", code, out, errOut)
	}
	waitSQL(t, url, data, "SELECT SrcIpAddr, DstPortNumber, EventResult FROM ASimNetworkSessionLogs ORDER BY TimeGenerated",
		"SrcIpAddr,DstPortNumber,EventResult\n192.168.1.10,443,Success\n192.168.1.12,443,Success\n")
	waitSQL(t, url, data, "SELECT DnsQuery, EventResult FROM ASimDnsActivityLogs ORDER BY TimeGenerated",
		"DnsQuery,EventResult\nmail\todd.example.com,Success\nslow.example.com,NA\n")

	code, out, errOut = runCLI("ingest", filepath.Join(samples, "suricata-eve.json"), "--format", "suricata-eve", "--batch", "2", "--server", url, "--data", data)
	if code != 2 || out != "12 rows accepted, 5 rejected (see the IngestionErrors table)\n" ||
		!strings.Contains(errOut, "line 10: suricata-eve: event_type fileinfo not mapped (want alert, flow, dns, http or tls)\n") ||
		!strings.Contains(errOut, `line 14: suricata-eve: src_port: "70000" is not a port number`) {
		t.Errorf("suricata-eve: %d %q %q", code, out, errOut)
	}
	waitSQL(t, url, data, "SELECT DeviceProduct, Activity, DeviceAction FROM CommonSecurityLog ORDER BY TimeGenerated",
		"DeviceProduct,Activity,DeviceAction\nSuricata,ET POLICY Vulnerable Java Version 1.8.x Detected,allowed\nSuricata,ET INFO Observed DNS Query to .cloud TLD,blocked\n")
	waitSQL(t, url, data, "SELECT count(*) AS n FROM ASimNetworkSessionLogs WHERE EventVendor = 'OISF'", "n\n4\n")
	waitSQL(t, url, data, "SELECT count(*) AS n FROM IngestionErrors", "n\n6\n")
}
