package normalize

import (
	"bytes"
	"time"
)

var bom = []byte("\xEF\xBB\xBF")

// parse5424 parses what follows "<PRI>1 " of an RFC 5424 message:
//
//	TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]
//
// off is the offset of b in the whole message, for error positions.
func parse5424(b []byte, off int) (Header, *ParseError) {
	h := Header{RFC5424: true}
	var fields [5][]byte
	names := [5]string{"TIMESTAMP", "HOSTNAME", "APP-NAME", "PROCID", "MSGID"}
	rest := b
	for i := range fields {
		tok, after, ok := token(rest)
		if len(tok) == 0 {
			return h, &ParseError{Format: "rfc5424", Offset: off + len(b) - len(rest), Reason: "missing " + names[i] + " field"}
		}
		fields[i], rest = tok, after
		if !ok {
			rest = b[len(b):]
		}
	}
	if ts := fields[0]; !isNil(ts) {
		t, err := time.Parse(time.RFC3339Nano, string(ts))
		if err != nil || !validYear(t) {
			return h, &ParseError{Format: "rfc5424", Offset: off, Reason: "invalid TIMESTAMP " + quote(ts) + ": want RFC 3339"}
		}
		h.Time = t.UTC()
	}
	h.Hostname, h.AppName, h.ProcID, h.MsgID = nilString(fields[1]), nilString(fields[2]), nilString(fields[3]), nilString(fields[4])
	sdOff := off + len(b) - len(rest)
	sd, msg, perr := splitSD(rest, sdOff)
	if perr != nil {
		return h, perr
	}
	h.SD = sd
	h.Msg = bytes.TrimPrefix(msg, bom)
	return h, nil
}

func isNil(b []byte) bool { return len(b) == 1 && b[0] == '-' }

func nilString(b []byte) string {
	if isNil(b) {
		return ""
	}
	return string(b)
}

// splitSD splits STRUCTURED-DATA ("-" or one or more "[id param="value" ...]") from the MSG.
func splitSD(b []byte, off int) (sd string, msg []byte, err *ParseError) {
	if len(b) == 0 {
		return "", nil, &ParseError{Format: "rfc5424", Offset: off, Reason: "missing STRUCTURED-DATA field"}
	}
	if b[0] == '-' {
		if len(b) > 1 && b[1] != ' ' {
			return "", nil, &ParseError{Format: "rfc5424", Offset: off + 1, Reason: "want a space after the nil STRUCTURED-DATA"}
		}
		return "", afterSpace(b[1:]), nil
	}
	i := 0
	for i < len(b) && b[i] == '[' {
		end, perr := sdElementEnd(b, i, off)
		if perr != nil {
			return "", nil, perr
		}
		i = end
	}
	if i == 0 {
		return "", nil, &ParseError{Format: "rfc5424", Offset: off, Reason: "invalid STRUCTURED-DATA: want '-' or '['"}
	}
	if i < len(b) && b[i] != ' ' {
		return "", nil, &ParseError{Format: "rfc5424", Offset: off + i, Reason: "want a space after STRUCTURED-DATA"}
	}
	return string(b[:i]), afterSpace(b[i:]), nil
}

// sdElementEnd returns the index after the SD-ELEMENT starting at b[i] ('['), honouring
// quoted PARAM-VALUEs with their \" \\ \] escapes.
func sdElementEnd(b []byte, i, off int) (int, *ParseError) {
	inQuote := false
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '\\' && inQuote:
			j++
		case c == '"':
			inQuote = !inQuote
		case c == ']' && !inQuote:
			if j == i+1 {
				return 0, &ParseError{Format: "rfc5424", Offset: off + i, Reason: "empty SD-ELEMENT"}
			}
			return j + 1, nil
		}
	}
	return 0, &ParseError{Format: "rfc5424", Offset: off + i, Reason: "unterminated SD-ELEMENT: missing ']'"}
}

func afterSpace(b []byte) []byte {
	if len(b) > 0 && b[0] == ' ' {
		return b[1:]
	}
	return b
}
