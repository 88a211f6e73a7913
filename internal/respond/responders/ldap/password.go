package ldap

import (
	"crypto/rand"
	"math/big"
	"unicode/utf16"
)

// passwordLength is the length of random passwords.
const passwordLength = 24

// passwordClasses are the character classes a random password draws one of each from, so
// that it meets Active Directory's complexity rule (three of four classes) and most
// ppolicy quality checks. Look-alike characters are left out.
var passwordClasses = []string{"ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!#%+-=?@^_"}

// randomPassword returns n random characters with at least one of each class.
func randomPassword(n int) (string, error) {
	all := ""
	for _, c := range passwordClasses {
		all += c
	}
	out := make([]byte, n)
	for i := range out {
		set := all
		if i < len(passwordClasses) {
			set = passwordClasses[i]
		}
		c, err := pick(set)
		if err != nil {
			return "", err
		}
		out[i] = c
	}
	for i := len(out) - 1; i > 0; i-- { // Fisher-Yates, so the classes are not in front
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out), nil
}

func pick(set string) (byte, error) {
	i, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
	if err != nil {
		return 0, err
	}
	return set[i.Int64()], nil
}

// unicodePwd encodes a password as Active Directory's unicodePwd wants it: quoted, in
// UTF-16 little endian.
func unicodePwd(pw string) string {
	u := utf16.Encode([]rune(`"` + pw + `"`))
	b := make([]byte, 2*len(u))
	for i, r := range u {
		b[2*i], b[2*i+1] = byte(r), byte(r>>8)
	}
	return string(b)
}
