// Package ldaptest starts a real OpenLDAP slapd for tests, as net/http/httptest starts an
// HTTP server: a directory of its own on a free port, with the ppolicy overlay, a service
// account holding exactly the privileges docs/responders.md lists, and a few people
// (alice, bob, carol, dave). Only tests import it. It skips the test when slapd is not
// installed, and fails it when CI is set, so that CI always runs the directory tests.
package ldaptest
