package simulate

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Fixed identities of the simulated organization.
const (
	DomainDNS     = "contoso.com"
	DomainNetBIOS = "CONTOSO"
	// DomainSID is the on-premises domain SID; a user's SID is DomainSID-<RID>.
	DomainSID = "S-1-5-21-3623811015-3361044348-30300820"
	// TenantID is the Entra tenant of the organization.
	TenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
)

// User is one person of the organization, with its on-premises and cloud identities.
type User struct {
	DisplayName, GivenName, Surname string
	SAM                             string // sAMAccountName
	UPN                             string // also the primary mail address
	SID                             string
	ObjectID                        string // Entra object id
	Department, JobTitle            string
	Country, City                   string // where the user signs in from
	Traveler                        bool   // works from another country than the headquarters
	Host                            *Host  // the user's workstation
	Admin                           string // the sAMAccountName of the user's admin account, or ""
}

// Host is one device of the organization.
type Host struct {
	Name string // short name, e.g. WS-FIN-03
	FQDN string
	IP   string
	OS   string // Windows or Linux
	Role string // workstation, dc, file, app, sql, linux
}

// Org is a simulated organization: its users, devices and network.
type Org struct {
	Users     []*User
	Admins    []*User // the IT staff's separate admin accounts
	Services  []*User // service accounts with SPNs (Kerberoasting targets)
	Hosts     []*Host // every device
	Servers   []*Host // Windows servers: DC01, FS01, APP01, SQL01
	Linux     []*Host
	DC        *Host
	EgressIPs []string // the public addresses the office's traffic leaves from
	byName    map[string]*User
	hostByNm  map[string]*Host
}

// Departments with the code their workstations carry and the job titles in them.
var departments = []struct {
	name, code string
	titles     []string
}{
	{"Finance", "FIN", []string{"Accountant", "Financial Analyst", "Controller"}},
	{"Human Resources", "HR", []string{"HR Generalist", "Recruiter"}},
	{"IT", "IT", []string{"Systems Administrator", "Service Desk Analyst", "Network Engineer"}},
	{"Sales", "SAL", []string{"Account Executive", "Sales Manager"}},
	{"Marketing", "MKT", []string{"Marketing Specialist", "Content Writer"}},
	{"Engineering", "ENG", []string{"Software Engineer", "QA Engineer", "Engineering Manager"}},
	{"Legal", "LEG", []string{"Counsel", "Paralegal"}},
	{"Operations", "OPS", []string{"Operations Analyst", "Facilities Coordinator"}},
}

var givenNames = []string{"Alice", "Bruno", "Chloe", "Daniel", "Emma", "Farid", "Grace", "Hiro", "Isabel", "Jonas",
	"Kara", "Liam", "Maya", "Noah", "Olivia", "Pavel", "Quinn", "Rosa", "Samir", "Tara", "Umar", "Vera", "Wes", "Xenia",
	"Yusuf", "Zoe", "Aaron", "Bianca", "Carlos", "Dana", "Elena", "Felix", "Gina", "Hugo", "Ines", "Jamal"}

var surnames = []string{"Anders", "Brooks", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ivanova",
	"Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Quist", "Rossi", "Schmidt", "Tanaka",
	"Usman", "Varga", "Walsh", "Xu", "Yilmaz", "Zimmer", "Baker", "Cohen", "Diaz", "Evans"}

// Locations: most users work in the headquarters' country, a few abroad.
var (
	homeCities    = []string{"New York", "Chicago", "Seattle"}
	travelerSpots = [][2]string{{"GB", "London"}, {"DE", "Berlin"}, {"FR", "Paris"}}
)

// HomeCountry is the country of the headquarters.
const HomeCountry = "US"

// serviceAccounts are the accounts with SPNs.
var serviceAccounts = []string{"svc-sql", "svc-web", "svc-sharepoint", "svc-crm", "svc-backup", "svc-reporting"}

// NewOrg builds the organization for seed with size users (60 when size <= 0).
func NewOrg(seed int64, size int) *Org {
	if size <= 0 {
		size = 60
	}
	r := newRand(seed, 1)
	o := &Org{byName: map[string]*User{}, hostByNm: map[string]*Host{}}
	o.addServers()
	perDept := map[string]int{}
	for i := 0; i < size; i++ {
		d := departments[i%len(departments)]
		perDept[d.code]++
		u := o.newUser(r, i, d.name, d.titles[r.IntN(len(d.titles))])
		u.Host = o.addHost(&Host{Name: fmt.Sprintf("WS-%s-%02d", d.code, perDept[d.code]), OS: "Windows", Role: "workstation",
			IP: fmt.Sprintf("10.20.%d.%d", 1+i%len(departments), 10+perDept[d.code])})
		if d.code == "IT" {
			adm := *u
			adm.SAM, adm.UPN = "adm-"+u.SAM, "adm-"+u.UPN
			adm.DisplayName, adm.JobTitle = u.DisplayName+" (admin)", "Administrator account"
			adm.SID, adm.ObjectID = sid(2000+i), objectID(0, adm.SAM)
			adm.Admin = ""
			u.Admin = adm.SAM
			o.Admins = append(o.Admins, &adm)
			o.byName[adm.SAM] = &adm
		}
		o.Users = append(o.Users, u)
		o.byName[u.SAM] = u
	}
	for i, s := range serviceAccounts {
		u := &User{DisplayName: s, SAM: s, UPN: s + "@" + DomainDNS, SID: sid(3000 + i), ObjectID: objectID(0, s),
			Department: "IT", JobTitle: "Service account", Country: HomeCountry, City: homeCities[0]}
		o.Services = append(o.Services, u)
		o.byName[s] = u
	}
	o.EgressIPs = []string{"198.51.100.10", "198.51.100.11"}
	return o
}

// newUser makes user number i with a unique name.
func (o *Org) newUser(r *rand.Rand, i int, dept, title string) *User {
	var given, sur, sam string
	for {
		given, sur = givenNames[r.IntN(len(givenNames))], surnames[r.IntN(len(surnames))]
		sam = strings.ToLower(given[:1] + sur)
		if o.byName[sam] == nil && o.byName["adm-"+sam] == nil {
			break
		}
	}
	u := &User{DisplayName: given + " " + sur, GivenName: given, Surname: sur, SAM: sam,
		UPN: strings.ToLower(given+"."+sur) + "@" + DomainDNS, SID: sid(1100 + i), ObjectID: objectID(0, strings.ToLower(given[:1]+sur)),
		Department: dept, JobTitle: title, Country: HomeCountry, City: homeCities[r.IntN(len(homeCities))]}
	if r.IntN(20) == 0 && dept != "IT" {
		spot := travelerSpots[r.IntN(len(travelerSpots))]
		u.Country, u.City, u.Traveler = spot[0], spot[1], true
	}
	return u
}

// addServers adds the Windows and Linux servers.
func (o *Org) addServers() {
	for _, s := range []struct{ name, ip, role string }{
		{"DC01", "10.20.0.10", "dc"}, {"FS01", "10.20.0.11", "file"}, {"APP01", "10.20.0.12", "app"}, {"SQL01", "10.20.0.13", "sql"},
	} {
		o.Servers = append(o.Servers, o.addHost(&Host{Name: s.name, IP: s.ip, OS: "Windows", Role: s.role}))
	}
	o.DC = o.Servers[0]
	for i, n := range []string{"lnx-web01", "lnx-web02", "lnx-db01", "lnx-bastion01", "lnx-backup01"} {
		o.Linux = append(o.Linux, o.addHost(&Host{Name: n, IP: fmt.Sprintf("10.20.0.%d", 20+i), OS: "Linux", Role: "linux"}))
	}
}

func (o *Org) addHost(h *Host) *Host {
	h.FQDN = h.Name + "." + DomainDNS
	if h.OS == "Linux" {
		h.FQDN = strings.ToLower(h.FQDN)
	}
	o.Hosts = append(o.Hosts, h)
	o.hostByNm[strings.ToUpper(h.Name)] = h
	return h
}

// User returns the user, admin or service account with that sAMAccountName.
func (o *Org) User(sam string) (*User, bool) {
	u, ok := o.byName[strings.ToLower(sam)]
	return u, ok
}

// Host returns the device with that short name (any letter case).
func (o *Org) Host(name string) (*Host, bool) {
	h, ok := o.hostByNm[strings.ToUpper(name)]
	return h, ok
}

// HostByIP returns the device with that address.
func (o *Org) HostByIP(ip string) (*Host, bool) {
	for _, h := range o.Hosts {
		if h.IP == ip {
			return h, true
		}
	}
	return nil, false
}

func sid(rid int) string { return fmt.Sprintf("%s-%d", DomainSID, rid) }

// objectID derives a stable GUID (version 4 layout) from a name, so a user keeps its Entra
// object id whatever the seed and size.
func objectID(salt int64, name string) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("vigil-simulate:%d:%s", salt, name)))
	return guid(h[:16])
}

// guid formats 16 bytes as a version 4 GUID.
func guid(b []byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newRand returns the generator for one purpose (stream) of seed.
func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream)) //nolint:gosec // simulation data, not secrets
}

// randGUID draws a GUID from r.
func randGUID(r *rand.Rand) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return guid(b[:])
}
