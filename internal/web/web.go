package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed all:dist
var dist embed.FS

// reserved are the path prefixes that belong to the API and the server's own endpoints: the
// portal never answers them with its page, so an unknown API path stays a 404 a client can
// act on rather than an HTML page.
var reserved = []string{"/api/", "/healthz", "/readyz", "/metrics", "/services/", "/dataCollectionRules/", "/_bulk"}

// compressible are the content types worth gzipping.
var compressible = []string{"text/", "application/javascript", "application/json", "image/svg+xml", "application/wasm"}

// Handler serves the portal's files: hashed assets under /assets/ are cached for a year,
// everything else is revalidated; a path with no file extension that is not an asset is a
// client-side route and gets index.html.
type Handler struct {
	files  fs.FS
	built  bool
	modAt  time.Time
	gzipMu sync.Mutex
	gzips  map[string][]byte
}

// New returns the handler over the embedded build.
func New() *Handler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a constant the embed directive guarantees
	}
	return newHandler(sub)
}

func newHandler(files fs.FS) *Handler {
	_, err := fs.Stat(files, "index.html")
	return &Handler{files: files, built: err == nil, modAt: time.Now(), gzips: map[string][]byte{}}
}

// Built reports whether the embedded portal was built (make web) rather than the placeholder.
func (h *Handler) Built() bool { return h.built }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	for _, pre := range reserved {
		if p == strings.TrimSuffix(pre, "/") || strings.HasPrefix(p, pre) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":{"code":"notFound","message":"no such endpoint: ` + jsonSafe(p) + `"}}` + "\n"))
			return
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	setSecurityHeaders(w.Header())
	if !h.built {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(notBuiltPage))
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+p), "/")
	if name == "" {
		name = "index.html"
	}
	if st, err := fs.Stat(h.files, name); err != nil || st.IsDir() {
		// A missing file of the build (an asset, or a top-level file such as robots.txt) is a
		// 404; deeper paths are client-side routes even with a dot in them, which device
		// names and accounts have (/devices/ws1.corp.example, /users/ann@corp.example).
		if strings.HasPrefix(name, "assets/") || !strings.Contains(name, "/") && path.Ext(name) != "" {
			http.NotFound(w, r)
			return
		}
		name = "index.html" // a client-side route
	}
	if strings.HasPrefix(name, "assets/") {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	h.serveFile(w, r, name)
}

func (h *Handler) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	b, err := fs.ReadFile(h.files, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = http.DetectContentType(b)
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Add("Vary", "Accept-Encoding")
	if len(b) > 1024 && isCompressible(ctype) && acceptsGzip(r) {
		if gz := h.gzipped(name, b); gz != nil {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Length", strconv.Itoa(len(gz)))
			w.WriteHeader(http.StatusOK)
			if r.Method != http.MethodHead {
				_, _ = w.Write(gz)
			}
			return
		}
	}
	http.ServeContent(w, r, name, h.modAt, bytes.NewReader(b))
}

// gzipped returns name's content compressed, compressing it once per process.
func (h *Handler) gzipped(name string, b []byte) []byte {
	h.gzipMu.Lock()
	defer h.gzipMu.Unlock()
	if gz, ok := h.gzips[name]; ok {
		return gz
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil
	}
	if _, err := zw.Write(b); err != nil {
		return nil
	}
	if err := zw.Close(); err != nil {
		return nil
	}
	h.gzips[name] = buf.Bytes()
	return buf.Bytes()
}

func isCompressible(ctype string) bool {
	for _, c := range compressible {
		if strings.HasPrefix(ctype, c) {
			return true
		}
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// setSecurityHeaders limits what the page may load: scripts only from the server, styles
// inline too (Fluent UI and Monaco inject style elements), workers from blobs (Monaco).
func setSecurityHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "+
		"img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "+
		"object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
}

func jsonSafe(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c == '"' || c == '\\' || c < 0x20 || c == '<' || c == '>' {
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigil</title>
<style>body{font-family:system-ui,sans-serif;margin:4rem auto;max-width:40rem;line-height:1.5;color:#242424}code{background:#f0f0f0;padding:.1rem .3rem}</style>
</head><body>
<h1>Vigil</h1>
<p>The portal is not built into this binary: run <code>make web</code> (needs node and npm), then
<code>make build</code>. The API is served as usual under <code>/api/v1/</code>.</p>
</body></html>
`

// Root sends a browser's page load of "/" to portal and every other request to api. "/" is
// also Elasticsearch's cluster-information endpoint, which shippers (Beats, Logstash) call
// with credentials and without asking for HTML; a browser opening the portal sends neither.
func Root(api, portal http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
			r.Header.Get("Authorization") == "" && strings.Contains(r.Header.Get("Accept"), "text/html") {
			portal.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}
