package simulate

import (
	"fmt"
	"strconv"
	"strings"
)

// vars are the placeholder values of a scenario against an organization: "actor.field" -> value.
type vars map[string]string

// resolveActors gives every actor's fields. A user selector is "department=NAME" (the first
// user of that department working in the headquarters' country), "admin" (the first IT
// admin account) or a sAMAccountName; a host selector is a device name.
func resolveActors(org *Org, sc *Scenario) (vars, error) {
	v := vars{"org.domain": DomainDNS, "org.netbios": DomainNetBIOS, "org.tenant": TenantID,
		"dc.host": org.DC.Name, "dc.fqdn": org.DC.FQDN, "dc.ip": org.DC.IP, "egress.ip": org.EgressIPs[0]}
	for _, a := range sc.Actors {
		if a.User != "" {
			u, err := selectUser(org, a.User)
			if err != nil {
				return nil, &ScenarioError{File: sc.Name, Line: a.Line, Col: 1, Msg: fmt.Sprintf("actor %s: %v", a.Name, err)}
			}
			for k, val := range map[string]string{"upn": u.UPN, "sam": u.SAM, "sid": u.SID, "objectid": u.ObjectID,
				"name": u.DisplayName, "email": u.UPN, "country": u.Country, "city": u.City, "department": u.Department} {
				v[a.Name+"."+k] = val
			}
			if u.Host != nil {
				v[a.Name+".host"], v[a.Name+".fqdn"], v[a.Name+".ip"] = u.Host.Name, u.Host.FQDN, u.Host.IP
			}
		}
		if a.Host != "" {
			h, ok := org.Host(a.Host)
			if !ok {
				return nil, &ScenarioError{File: sc.Name, Line: a.Line, Col: 1, Msg: fmt.Sprintf("actor %s: no device %q", a.Name, a.Host)}
			}
			v[a.Name+".host"], v[a.Name+".fqdn"], v[a.Name+".ip"] = h.Name, h.FQDN, h.IP
		}
		for k, val := range map[string]string{"ip": a.IP, "country": a.Country, "city": a.City, "account": a.Account, "email": a.Email} {
			if val != "" {
				v[a.Name+"."+k] = val
			}
		}
		if a.Account != "" {
			v[a.Name+".upn"] = a.Account + "@" + DomainDNS
		}
	}
	return v, nil
}

func selectUser(org *Org, sel string) (*User, error) {
	if dept, ok := strings.CutPrefix(sel, "department="); ok {
		for _, u := range org.Users {
			if strings.EqualFold(u.Department, dept) && !u.Traveler {
				return u, nil
			}
		}
		return nil, fmt.Errorf("no user in department %q", dept)
	}
	if sel == "admin" {
		if len(org.Admins) == 0 {
			return nil, fmt.Errorf("the organization has no admin accounts")
		}
		return org.Admins[0], nil
	}
	if u, ok := org.User(sel); ok {
		return u, nil
	}
	return nil, fmt.Errorf("no user %q", sel)
}

// expand replaces the placeholders of s; ${i} is the repetition (from 1).
func (v vars) expand(s string, i int) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var err error
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		ref := m[2 : len(m)-1]
		if ref == "i" {
			return strconv.Itoa(i)
		}
		val, ok := v[ref]
		if !ok && err == nil {
			err = fmt.Errorf("placeholder %s has no value", m)
		}
		return val
	})
	return out, err
}
