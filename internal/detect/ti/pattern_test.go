package ti

import (
	"reflect"
	"testing"
)

func TestParsePattern(t *testing.T) {
	tests := []struct {
		pattern string
		want    []Observable
	}{
		{`[ipv4-addr:value = '203.0.113.9']`, []Observable{{KindIP, "", "203.0.113.9"}}},
		{`[ipv4-addr:value = '198.51.100.0/24']`, []Observable{{KindIP, "", "198.51.100.0/24"}}},
		{`[ipv6-addr:value = '2001:db8::1']`, []Observable{{KindIP, "", "2001:db8::1"}}},
		{`[domain-name:value = 'evil.example']`, []Observable{{KindDomain, "", "evil.example"}}},
		{`[url:value = 'http://evil.example/a?b=1']`, []Observable{{KindURL, "", "http://evil.example/a?b=1"}}},
		{`[file:hashes.'SHA-256' = 'AB12']`, []Observable{{KindFileHash, HashSHA256, "AB12"}}},
		{`[file:hashes.MD5 = 'cd34']`, []Observable{{KindFileHash, HashMD5, "cd34"}}},
		{`[file:hashes.'SHA-1' = 'ef56']`, []Observable{{KindFileHash, HashSHA1, "ef56"}}},
		{`[email-addr:value = 'bad@evil.example']`, []Observable{{KindEmail, "", "bad@evil.example"}}},
		{`[email-message:from_ref.value = 'bad@evil.example']`, []Observable{{KindEmail, "", "bad@evil.example"}}},
		{`[ipv4-addr:value = '1.2.3.4' OR domain-name:value = 'x.example']`, []Observable{{KindIP, "", "1.2.3.4"}, {KindDomain, "", "x.example"}}},
		{` [ipv4-addr:value='1.2.3.4'] or ([url:value = 'a.example/x'])`, []Observable{{KindIP, "", "1.2.3.4"}, {KindURL, "", "a.example/x"}}},
		{`[(ipv4-addr:value = '1.2.3.4' OR ipv4-addr:value = '5.6.7.8')]`, []Observable{{KindIP, "", "1.2.3.4"}, {KindIP, "", "5.6.7.8"}}},
		{`[domain-name:value = 'it\'s.example' ]`, []Observable{{KindDomain, "", "it's.example"}}},
	}
	for _, tc := range tests {
		got, err := ParsePattern(tc.pattern)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParsePattern(%q) = %v, %v; want %v", tc.pattern, got, err, tc.want)
		}
	}
}

func TestParsePatternErrors(t *testing.T) {
	tests := []struct {
		pattern, want string
	}{
		{``, `pattern at byte 0: expected '[' or '(' but the pattern ended`},
		{`ipv4-addr:value = '1.2.3.4'`, `pattern at byte 0: expected '[' or '(' but found "ipv4-addr:va"`},
		{`[ipv4-addr:value = '1.2.3.4' AND domain-name:value = 'x']`, `pattern at byte 29: AND is not supported: only comparisons joined by OR can be matched`},
		{`[ipv4-addr:value = '1.2.3.4'] WITHIN 5 SECONDS`, `pattern at byte 30: WITHIN is not supported: only comparisons joined by OR can be matched`},
		{`[process:name = 'x']`, `pattern at byte 1: unsupported object path "process:name"`},
		{`[ipv4-addr:value != '1.2.3.4']`, `pattern at byte 17: only '=' comparisons are supported, found "!= '1.2.3.4'"`},
		{`[ipv4-addr:value LIKE '1.%']`, `pattern at byte 17: only '=' comparisons are supported, found "LIKE '1.%']"`},
		{`[ipv4-addr:value = '1.2.3.4]`, `pattern at byte 19: unterminated string`},
		{`[ipv4-addr:value = '1.2.3.4'`, `pattern at byte 28: expected ']' but the pattern ended`},
		{`[ipv4-addr:value = '1.2.3.4'] x`, `pattern at byte 30: unexpected "x" after the pattern`},
		{`[ipv4-addr:value = '']`, `pattern at byte 21: empty value for ipv4-addr:value`},
		{`[ipv4-addr:value = 5]`, `pattern at byte 19: expected a quoted string, found "5]"`},
		{`[domain-name:value = 'a\x']`, `pattern at byte 23: invalid escape "\\x" in string`},
		{`[:value = 'a']`, `pattern at byte 1: expected an object path such as ipv4-addr:value, found ":value = 'a'"`},
	}
	for _, tc := range tests {
		_, err := ParsePattern(tc.pattern)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParsePattern(%q) error = %v, want %s", tc.pattern, err, tc.want)
		}
	}
}
