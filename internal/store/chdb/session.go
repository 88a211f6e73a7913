//go:build chdb

package chdb

/*
#cgo LDFLAGS: -lchdb
#include <stdlib.h>
#include <stddef.h>

// Declarations from chDB's chdb.h (the npm package ships no header).
typedef struct chdb_result_ { void *internal_data; } chdb_result;
typedef struct chdb_connection_ { void *internal_data; } *chdb_connection;
extern chdb_connection *chdb_connect(int argc, char **argv);
extern void chdb_close_conn(chdb_connection *conn);
extern chdb_result *chdb_query_n(chdb_connection conn, const char *query, size_t query_len, const char *format, size_t format_len);
extern void chdb_destroy_query_result(chdb_result *result);
extern char *chdb_result_buffer(chdb_result *result);
extern size_t chdb_result_length(chdb_result *result);
extern const char *chdb_result_error(chdb_result *result);

static chdb_connection *vigil_chdb_connect(char *path) {
	char *argv[3] = {"vigil", path, "--output_format_json_quote_64bit_integers=0"};
	return chdb_connect(3, argv);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"
)

// Session is one chDB connection. Its methods may be called from several goroutines; statements
// run one at a time.
type Session struct {
	mu   sync.Mutex
	conn *C.chdb_connection
}

// Open connects to chDB with its data in dir (a fresh temporary directory for tests). JSON
// output formats write 64-bit integers as numbers, not strings.
func Open(dir string) (*Session, error) {
	arg := C.CString("--path=" + dir)
	defer C.free(unsafe.Pointer(arg))
	conn := C.vigil_chdb_connect(arg)
	if conn == nil {
		return nil, fmt.Errorf("chdb: cannot open a session in %s", dir)
	}
	return &Session{conn: conn}, nil
}

// Close ends the session.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		C.chdb_close_conn(s.conn)
		s.conn = nil
	}
	return nil
}

// Exec runs one statement and returns its output in format (a ClickHouse output format name,
// such as JSONCompact); errors carry ClickHouse's message.
func (s *Session) Exec(query, format string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil, errors.New("chdb: session closed")
	}
	q := C.CString(query)
	defer C.free(unsafe.Pointer(q))
	f := C.CString(format)
	defer C.free(unsafe.Pointer(f))
	res := C.chdb_query_n(*s.conn, q, C.size_t(len(query)), f, C.size_t(len(format)))
	if res == nil {
		return nil, errors.New("chdb: no result")
	}
	defer C.chdb_destroy_query_result(res)
	if msg := C.chdb_result_error(res); msg != nil {
		return nil, &QueryError{Msg: C.GoString(msg)}
	}
	n := C.chdb_result_length(res)
	if n == 0 {
		return nil, nil
	}
	return C.GoBytes(unsafe.Pointer(C.chdb_result_buffer(res)), C.int(n)), nil
}
