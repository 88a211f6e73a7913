package api

import "net/http"

// reply writes v as JSON with status, or, when err is not nil, the API error mapErr makes of
// it (err itself when mapErr is nil). v must be safe to build when err is not nil.
func (s *Server) reply(w http.ResponseWriter, status int, v any, err error, mapErr func(error) error) {
	if err != nil {
		if mapErr != nil {
			err = mapErr(err)
		}
		writeError(w, s.d.Log, err)
		return
	}
	writeJSON(w, status, v)
}

// replyNoContent answers 204, or the API error mapErr makes of err when it is not nil.
func (s *Server) replyNoContent(w http.ResponseWriter, err error, mapErr func(error) error) {
	if err != nil {
		writeError(w, s.d.Log, mapErr(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// decode reads the JSON body into v as decodeJSON does; when it cannot, it writes the error
// and reports false. An empty body is allowed (v keeps its values) when optional.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any, optional bool) bool {
	if optional && r.ContentLength == 0 {
		return true
	}
	if err := decodeJSON(w, r, v); err != nil {
		writeError(w, s.d.Log, err)
		return false
	}
	return true
}

// body reads the request body as readBody does; when it cannot, it writes the error and
// reports false.
func (s *Server) body(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := s.readBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return nil, false
	}
	return b, true
}
