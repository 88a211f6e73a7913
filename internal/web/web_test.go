package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func builtFS() fstest.MapFS {
	return fstest.MapFS{
		"index.html":        {Data: []byte("<!doctype html><div id=root></div>")},
		"assets/app-1a.js":  {Data: []byte(strings.Repeat("console.log('vigil');\n", 200))},
		"assets/app-1a.css": {Data: []byte("body{}")},
		"favicon.svg":       {Data: []byte("<svg/>")},
	}
}

func get(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandler(t *testing.T) {
	h := newHandler(builtFS())
	cases := []struct {
		name, method, path   string
		status               int
		cache, ctype, inBody string
	}{
		{"root", "GET", "/", 200, "no-cache", "text/html", "id=root"},
		{"client route", "GET", "/incidents/42", 200, "no-cache", "text/html", "id=root"},
		{"client route with query", "GET", "/hunting?q=x", 200, "no-cache", "text/html", "id=root"},
		{"hashed asset", "GET", "/assets/app-1a.css", 200, "public, max-age=31536000, immutable", "text/css", "body{}"},
		{"other file", "GET", "/favicon.svg", 200, "no-cache", "image/svg+xml", "<svg/>"},
		{"missing asset", "GET", "/assets/gone-2b.js", 404, "", "", ""},
		{"missing file with extension", "GET", "/robots.txt", 404, "", "", ""},
		{"route with dots", "GET", "/devices/ws1.corp.example/timeline", 200, "no-cache", "text/html", "id=root"},
		{"dot dot stays inside", "GET", "/../../etc/passwd", 200, "no-cache", "text/html", "id=root"},
		{"head", "HEAD", "/", 200, "no-cache", "text/html", ""},
		{"api is never the page", "GET", "/api/v1/nope", 404, "", "application/json", `"notFound"`},
		{"healthz is never the page", "GET", "/healthz/x", 404, "", "application/json", `"notFound"`},
		{"metrics is never the page", "GET", "/metrics", 404, "", "application/json", `"notFound"`},
		{"post", "POST", "/incidents", 405, "", "", ""},
	}
	for _, c := range cases {
		w := get(t, h, c.method, c.path, nil)
		if w.Code != c.status {
			t.Errorf("%s: status %d, want %d (%s)", c.name, w.Code, c.status, w.Body)
			continue
		}
		if got := w.Header().Get("Cache-Control"); c.cache != "" && got != c.cache {
			t.Errorf("%s: Cache-Control %q, want %q", c.name, got, c.cache)
		}
		if got := w.Header().Get("Content-Type"); !strings.HasPrefix(got, c.ctype) {
			t.Errorf("%s: Content-Type %q, want %q", c.name, got, c.ctype)
		}
		if !strings.Contains(w.Body.String(), c.inBody) {
			t.Errorf("%s: body %q lacks %q", c.name, w.Body, c.inBody)
		}
	}
}

func TestHandlerGzip(t *testing.T) {
	h := newHandler(builtFS())
	for range 2 { // the second answer comes from the cache
		w := get(t, h, "GET", "/assets/app-1a.js", map[string]string{"Accept-Encoding": "br, gzip"})
		if w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("Vary") != "Accept-Encoding" {
			t.Fatalf("headers %v", w.Header())
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		if err != nil || string(b) != strings.Repeat("console.log('vigil');\n", 200) {
			t.Fatalf("gunzipped %d bytes, err %v", len(b), err)
		}
	}
	w := get(t, h, "GET", "/assets/app-1a.js", map[string]string{"Accept-Encoding": "gzip;q=0"})
	if w.Header().Get("Content-Encoding") != "" {
		t.Fatalf("gzip refused but sent: %v", w.Header())
	}
}

func TestHandlerNotBuilt(t *testing.T) {
	h := newHandler(fstest.MapFS{".keep": {Data: []byte("x")}})
	if h.Built() {
		t.Fatal("placeholder reported as built")
	}
	for _, p := range []string{"/", "/incidents"} {
		w := get(t, h, "GET", p, nil)
		if w.Code != 200 || !strings.Contains(w.Body.String(), "make web") {
			t.Errorf("%s: %d %q", p, w.Code, w.Body)
		}
	}
	if w := get(t, h, "GET", "/api/v1/x", nil); w.Code != 404 {
		t.Errorf("api path: %d", w.Code)
	}
}

func TestEmbedded(t *testing.T) {
	// The embedded tree always has at least the placeholder, so New never fails whether or
	// not the portal was built.
	if h := New(); h == nil {
		t.Fatal("nil handler")
	}
}

func TestRoot(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("api")) })
	h := Root(api, newHandler(builtFS()))
	cases := []struct {
		name, path string
		hdr        map[string]string
		want       string
	}{
		{"browser opens the portal", "/", map[string]string{"Accept": "text/html,application/xhtml+xml"}, "id=root"},
		{"shipper asks for cluster info", "/", map[string]string{"Accept": "application/json", "Authorization": "Basic eDp5"}, "api"},
		{"shipper without Accept", "/", nil, "api"},
		{"browser with credentials", "/", map[string]string{"Accept": "text/html", "Authorization": "Basic eDp5"}, "api"},
		{"other paths go to the mux", "/incidents", map[string]string{"Accept": "text/html"}, "api"},
	}
	for _, c := range cases {
		if w := get(t, h, "GET", c.path, c.hdr); !strings.Contains(w.Body.String(), c.want) {
			t.Errorf("%s: %q, want %q", c.name, w.Body, c.want)
		}
	}
}
