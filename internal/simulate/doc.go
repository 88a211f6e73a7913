// Package simulate generates a simulated organization's telemetry for `vigil demo`, the
// end-to-end test and load tests: benign noise and a multi-stage attack, as the raw source
// formats Vigil's receivers and normalizers read, deterministic for a seed.
//
// # The organization
//
// NewOrg (org.go) builds the users (display name, sAMAccountName, UPN @contoso.com, SID
// DomainSID-<rid>, Entra object id derived from the name, department, job title, country and
// city; a few work abroad), a workstation each (WS-<DEPT>-NN at 10.20.<dept>.<n>), admin
// accounts adm-<sam> for the IT staff, service accounts with SPNs (svc-sql, ...), the Windows
// servers DC01 (10.20.0.10), FS01, APP01, SQL01, five Linux servers, and the office's egress
// addresses (198.51.100.0/24; other benign external addresses are in 192.0.2.0/24, the
// attacker in 203.0.113.0/24). Generator.Identities gives an IdentityInfo row per account.
//
// # Records
//
// One file per source format builds the exact raw shape its normalizer reads: sysmon.go
// (Sysmon 1, 3, 10, 11, 13, 22 as event XML), winsecurity.go (4624, 4625, 4688, 4697, 4720,
// 4732, 4768, 4769, 4776 and System 7045), entra.go (Graph signIn), o365.go (Management
// Activity audit records), email.go (message trace and Safe Links clicks), cef.go (PAN-OS
// TRAFFIC in CEF behind an RFC 5424 header), linux.go (sshd, sudo, cron in RFC 5424) and
// identity.go (IdentityInfo rows). noise.go draws a normal working day from a weighted table
// of benign activities.
//
// # Scenario files
//
// An attack is data (content/scenarios/*.yaml), parsed by ParseScenario strictly: unknown
// keys, unknown step kinds or parameters, bad durations and placeholders naming unknown
// actors are errors with their line and column.
//
//	name: phish-to-exfil             # required
//	description: ...
//	actors:                          # name -> selectors
//	  victim: {user: department=Finance}   # user: department=NAME | admin | <sAMAccountName>
//	  target: {host: FS01}                 # host: a device of the organization
//	  attacker: {ip: 203.0.113.66, country: BR, city: Sao Paulo}
//	  decoy: {account: svc-backup-adm}     # also: email
//	decoys:                          # registered by the demo before the attack
//	  - {kind: account, value: "${decoy.account}", description: ...}
//	indicators:                      # imported as a STIX 2.1 bundle (Generator.Indicators)
//	  - {type: ipv4-addr, value: "${attacker.ip}", name: ..., description: ...}
//	steps:
//	  - at: 2m30s                    # time from the start (Go duration)
//	    kind: sysmon-process         # a builder, see below
//	    repeat: 6                    # optional, with every: 30s between repetitions
//	    with: {host: "${victim.host}", user: "${victim.sam}", image: ..., cmd: ...}
//
// Placeholders ${actor.field} take the actors' values: a user actor gives upn, sam, sid,
// objectid, name, email, country, city, department and its workstation's host, fqdn and ip;
// a host actor host, fqdn and ip; literal selectors themselves (an account also gives upn).
// ${org.domain}, ${org.netbios}, ${org.tenant}, ${dc.host}, ${dc.fqdn}, ${dc.ip},
// ${egress.ip} and ${i} (the repetition, from 1) are always defined. Parameters naming a
// user take a sAMAccountName or UPN; an account the organization lacks (a decoy) is made up.
//
// Step kinds (steps.go holds the table with each kind's parameters): email, url-click,
// sysmon-process, sysmon-network, sysmon-file, sysmon-registry, sysmon-dns,
// sysmon-lsass-access, security-4624, security-4625, security-4688, security-4697,
// security-4720, security-4732, security-4768, security-4769 (one event per service of a
// comma list), security-4776, system-7045, entra-signin (result success, bad-password,
// mfa-denied or locked), o365-inbox-rule, o365-file (count distinct files), o365-mail-access,
// o365-login, cef, ssh-login, sudo, cron.
//
// # Driving it
//
//	g := simulate.New(seed, simulate.Options{})
//	sc, err := simulate.LoadScenarioFile("content/scenarios/phish-to-exfil.yaml")
//	err = g.Scenario(sc)
//	// register g.Decoys(), import g.Indicators(), then:
//	sink := simulate.MultiSink{HTTP: &simulate.HTTPSink{BaseURL: url, APIKey: key},
//	    Syslog: &simulate.SyslogSink{Addr: "127.0.0.1:5514"}}
//	err = g.Replay(ctx, g.StartFor(time.Now()), sink) // the attack ends now
//	err = g.Stream(ctx, 20000, 10*time.Minute, sink) // steady load
package simulate
