package auth

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// CertReloader serves a certificate and key from files and reloads them when
// either file changes, checking at most once per interval: certificates are
// renewed (by certbot, cert-manager, ...) without a restart. A pair that
// fails to load is logged and the previous one kept.
type CertReloader struct {
	certFile, keyFile string
	interval          time.Duration
	log               *slog.Logger
	now               func() time.Time

	mu      sync.Mutex
	cert    *tls.Certificate
	modTime time.Time // the later of the two files' modification times when loaded
	checked time.Time
}

// NewCertReloader loads the pair once, failing if it cannot.
func NewCertReloader(certFile, keyFile string, interval time.Duration, log *slog.Logger) (*CertReloader, error) {
	r := &CertReloader{certFile: certFile, keyFile: keyFile, interval: interval, log: log, now: time.Now}
	mt, err := r.modified()
	if err != nil {
		return nil, err
	}
	if err := r.load(mt); err != nil {
		return nil, err
	}
	return r, nil
}

// TLSConfig returns a server configuration (TLS 1.2 or later) serving the
// reloaded certificate.
func (r *CertReloader) TLSConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.GetCertificate}
}

// GetCertificate implements tls.Config.GetCertificate.
func (r *CertReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := r.now(); now.Sub(r.checked) >= r.interval {
		r.checked = now
		if mt, err := r.modified(); err != nil {
			r.log.Warn("tls: cannot stat certificate; keeping the loaded one", "err", err)
		} else if mt.After(r.modTime) {
			if err := r.load(mt); err != nil {
				r.log.Warn("tls: cannot reload certificate; keeping the loaded one", "err", err)
			} else {
				r.log.Info("tls: certificate reloaded", "cert", r.certFile)
			}
		}
	}
	return r.cert, nil
}

func (r *CertReloader) modified() (time.Time, error) {
	var latest time.Time
	for _, f := range []string{r.certFile, r.keyFile} {
		fi, err := os.Stat(f)
		if err != nil {
			return time.Time{}, fmt.Errorf("tls: %w", err)
		}
		if fi.ModTime().After(latest) {
			latest = fi.ModTime()
		}
	}
	return latest, nil
}

func (r *CertReloader) load(modTime time.Time) error {
	c, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("tls: load %s: %w", r.certFile, err)
	}
	r.cert, r.modTime = &c, modTime
	return nil
}
