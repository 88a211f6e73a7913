package ldap

import (
	"fmt"
	"strconv"
	"strings"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/vigilsec/vigil/internal/respond"
)

// opContext is what an operation works with: the bound connection, the configuration and
// the account's entry.
type opContext struct {
	conn  *goldap.Conn
	cfg   Config
	entry *goldap.Entry
}

// outcome is what an operation did.
type outcome struct {
	detail   string
	changes  []Change
	password string // a random password, returned when the configuration reveals it
	reveal   bool
}

// result renders o as an action result.
func (o outcome) result(flavor, dn string) respond.Result {
	changes := o.changes
	if changes == nil {
		changes = []Change{}
	}
	data := map[string]any{"dn": dn, "flavor": flavor, "changes": changes}
	if o.password != "" && o.reveal {
		data["newPassword"] = o.password
	}
	parts := make([]string, len(o.changes))
	for i, c := range o.changes {
		parts[i] = fmt.Sprintf("%s %s -> %s", c.Attribute, orAbsent(c.Old), orAbsent(c.New))
	}
	detail := o.detail + ": " + dn
	if len(parts) > 0 {
		detail += " (" + strings.Join(parts, "; ") + ")"
	}
	return respond.Result{Detail: detail, Data: data}
}

func orAbsent(v string) string {
	if v == "" {
		return "(absent)"
	}
	return v
}

// operation carries out one action type on an account.
type operation func(opContext) (outcome, error)

// flavors is the table of operations per directory flavour.
var flavors = map[string]map[respond.Type]operation{
	ActiveDirectory: {
		respond.DisableAccount: func(c opContext) (outcome, error) { return adAccountControl(c, true) },
		respond.EnableAccount:  func(c opContext) (outcome, error) { return adAccountControl(c, false) },
		respond.ResetPassword:  adReset,
	},
	OpenLDAP: {
		respond.DisableAccount: ppolicyLock,
		respond.EnableAccount:  ppolicyUnlock,
		respond.ResetPassword:  ppolicyReset,
	},
}

// accountDisable is the ACCOUNTDISABLE bit of userAccountControl.
const accountDisable = 0x2

// adAccountControl sets (disable) or clears the ACCOUNTDISABLE bit.
func adAccountControl(c opContext, disable bool) (outcome, error) {
	old := c.entry.GetAttributeValue("userAccountControl")
	uac, err := strconv.ParseUint(old, 10, 32)
	if err != nil {
		return outcome{}, fmt.Errorf("userAccountControl %q is not a number (does the service account read it?)", old)
	}
	next, verb := uac&^accountDisable, "account enabled"
	if disable {
		next, verb = uac|accountDisable, "account disabled"
	}
	if next == uac {
		return outcome{detail: verb + " already"}, nil
	}
	m := goldap.NewModifyRequest(c.entry.DN, nil)
	m.Replace("userAccountControl", []string{strconv.FormatUint(next, 10)})
	if err := c.conn.Modify(m); err != nil {
		return outcome{}, fmt.Errorf("modify userAccountControl: %w", err)
	}
	return outcome{detail: verb, changes: []Change{{"userAccountControl", old, strconv.FormatUint(next, 10)}}}, nil
}

// adReset sets a random unicodePwd and/or pwdLastSet 0, in one modification.
func adReset(c opContext) (outcome, error) {
	m := goldap.NewModifyRequest(c.entry.DN, nil)
	var o outcome
	if c.cfg.Reset != ResetForceChange {
		pw, err := randomPassword(passwordLength)
		if err != nil {
			return outcome{}, err
		}
		m.Replace("unicodePwd", []string{unicodePwd(pw)})
		o.password, o.reveal = pw, c.cfg.RevealPassword
		o.changes = append(o.changes, Change{"unicodePwd", "(hidden)", "(random)"})
	}
	if c.cfg.Reset != ResetRandom {
		m.Replace("pwdLastSet", []string{"0"})
		o.changes = append(o.changes, Change{"pwdLastSet", c.entry.GetAttributeValue("pwdLastSet"), "0"})
	}
	if err := c.conn.Modify(m); err != nil {
		return outcome{}, fmt.Errorf("modify %s: %w", changedAttrs(o.changes), err)
	}
	o.detail = resetDetail(c.cfg.Reset)
	return o, nil
}

// lockedForever is the pwdAccountLockedTime that locks an account until an administrator
// unlocks it (ppolicy).
const lockedForever = "000001010000Z"

// ppolicyLock sets pwdAccountLockedTime: the ppolicy overlay then refuses every bind.
func ppolicyLock(c opContext) (outcome, error) {
	old := c.entry.GetAttributeValue("pwdAccountLockedTime")
	if old == lockedForever {
		return outcome{detail: "account disabled already"}, nil
	}
	m := goldap.NewModifyRequest(c.entry.DN, nil)
	m.Replace("pwdAccountLockedTime", []string{lockedForever})
	if err := c.conn.Modify(m); err != nil {
		return outcome{}, fmt.Errorf("modify pwdAccountLockedTime: %w", err)
	}
	return outcome{detail: "account disabled", changes: []Change{{"pwdAccountLockedTime", old, lockedForever}}}, nil
}

// ppolicyUnlock deletes pwdAccountLockedTime, whether an administrator or failed binds set it.
func ppolicyUnlock(c opContext) (outcome, error) {
	old := c.entry.GetAttributeValue("pwdAccountLockedTime")
	if old == "" {
		return outcome{detail: "account enabled already"}, nil
	}
	m := goldap.NewModifyRequest(c.entry.DN, nil)
	m.Delete("pwdAccountLockedTime", nil)
	if err := c.conn.Modify(m); err != nil {
		return outcome{}, fmt.Errorf("modify pwdAccountLockedTime: %w", err)
	}
	return outcome{detail: "account enabled", changes: []Change{{"pwdAccountLockedTime", old, ""}}}, nil
}

// ppolicyReset sets a random password with the Password Modify extended operation (the
// server hashes it as configured) and/or pwdReset TRUE, which ppolicy makes the user change
// at the next bind.
func ppolicyReset(c opContext) (outcome, error) {
	var o outcome
	if c.cfg.Reset != ResetForceChange {
		pw, err := randomPassword(passwordLength)
		if err != nil {
			return outcome{}, err
		}
		if _, err := c.conn.PasswordModify(goldap.NewPasswordModifyRequest(c.entry.DN, "", pw)); err != nil {
			return outcome{}, fmt.Errorf("password modify: %w", err)
		}
		o.password, o.reveal = pw, c.cfg.RevealPassword
		o.changes = append(o.changes, Change{"userPassword", "(hidden)", "(random)"})
	}
	if c.cfg.Reset != ResetRandom {
		m := goldap.NewModifyRequest(c.entry.DN, nil)
		m.Replace("pwdReset", []string{"TRUE"})
		if err := c.conn.Modify(m); err != nil {
			return outcome{}, fmt.Errorf("modify pwdReset: %w", err)
		}
		o.changes = append(o.changes, Change{"pwdReset", c.entry.GetAttributeValue("pwdReset"), "TRUE"})
	}
	o.detail = resetDetail(c.cfg.Reset)
	return o, nil
}

func resetDetail(mode string) string {
	switch mode {
	case ResetForceChange:
		return "password change forced at next sign-in"
	case ResetRandom:
		return "password set to a random one"
	}
	return "password set to a random one and change forced at next sign-in"
}

func changedAttrs(cs []Change) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Attribute
	}
	return strings.Join(names, " and ")
}
