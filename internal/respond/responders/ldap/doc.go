// Package ldap is the directory responder: it disables and enables accounts and resets
// their passwords in Active Directory (userAccountControl, pwdLastSet, unicodePwd) or in
// OpenLDAP with the ppolicy overlay (pwdAccountLockedTime, pwdReset, the Password Modify
// extended operation). It binds with a service account, finds the account named by the
// action's target under a base DN with a filter template, and reports every attribute it
// changed, old value to new. Passwords never appear in errors or logs.
package ldap
