package playbook

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// SMTPConfig is the mail server emailNotification steps send through.
type SMTPConfig struct {
	Host string `yaml:"host"`
	Port int    `yaml:"port"`
	// From is the envelope and header sender.
	From     string `yaml:"from"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// StartTLS is "auto" (when the server offers it; the default), "always" or "never".
	StartTLS string `yaml:"starttls"`
	// Timeout bounds a whole delivery (default 30s).
	Timeout time.Duration `yaml:"timeout"`
}

// Validate checks the configuration when a host is set.
func (c SMTPConfig) Validate() error {
	if c.Host == "" {
		return nil
	}
	switch {
	case c.Port <= 0 || c.Port > 65535:
		return fmt.Errorf("smtp.port %d: want 1 to 65535", c.Port)
	case !strings.Contains(c.From, "@"):
		return fmt.Errorf("smtp.from %q: want an address", c.From)
	}
	switch c.StartTLS {
	case "", "auto", "always", "never":
		return nil
	}
	return fmt.Errorf("smtp.starttls %q: want auto, always or never", c.StartTLS)
}

// email sends a plain-text mail through the configured SMTP server.
func (r *Runner) email(ctx context.Context, x *stepCall) (any, error) {
	to, cc := x.strs("to"), x.strs("cc")
	subject, body := x.str("subject"), x.str("body")
	if len(to) == 0 {
		return nil, errors.New("no recipient")
	}
	for _, v := range append(append([]string{subject}, to...), cc...) {
		if strings.ContainsAny(v, "\r\n") {
			return nil, errors.New("recipients and subject must be on one line")
		}
	}
	id, err := r.sendMail(ctx, append(to, cc...), mailHeaders(r.opts.SMTP.From, to, cc, subject), body)
	if err != nil {
		return nil, err
	}
	return map[string]any{"to": to, "cc": cc, "subject": subject, "messageId": id}, nil
}

func mailHeaders(from string, to, cc []string, subject string) []string {
	h := []string{"From: " + from, "To: " + strings.Join(to, ", ")}
	if len(cc) > 0 {
		h = append(h, "Cc: "+strings.Join(cc, ", "))
	}
	return append(h, "Subject: "+subject, "Date: "+time.Now().UTC().Format(time.RFC1123Z),
		"MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit")
}

// sendMail delivers one message and returns its Message-ID.
func (r *Runner) sendMail(ctx context.Context, rcpt, headers []string, body string) (string, error) {
	c := r.opts.SMTP
	if c.Host == "" {
		return "", errors.New("no SMTP server configured (automation.smtp.host)")
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("smtp %s: %w", addr, err)
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	cl, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		_ = conn.Close()
		return "", fmt.Errorf("smtp %s: %w", addr, err)
	}
	defer func() { _ = cl.Close() }()
	if err := r.smtpSession(cl, c); err != nil {
		return "", fmt.Errorf("smtp %s: %w", addr, err)
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	id := fmt.Sprintf("<%x@vigil>", b)
	if err := cl.Mail(c.From); err != nil {
		return "", fmt.Errorf("smtp MAIL FROM: %w", err)
	}
	for _, to := range rcpt {
		if err := cl.Rcpt(to); err != nil {
			return "", fmt.Errorf("smtp RCPT TO %s: %w", to, err)
		}
	}
	w, err := cl.Data()
	if err != nil {
		return "", fmt.Errorf("smtp DATA: %w", err)
	}
	msg := strings.Join(append(headers, "Message-ID: "+id), "\r\n") + "\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
	if _, err := w.Write([]byte(msg)); err != nil {
		return "", fmt.Errorf("smtp DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("smtp DATA: %w", err)
	}
	return id, cl.Quit()
}

// smtpSession negotiates STARTTLS and authentication.
func (r *Runner) smtpSession(cl *smtp.Client, c SMTPConfig) error {
	if ok, _ := cl.Extension("STARTTLS"); ok && c.StartTLS != "never" {
		if err := cl.StartTLS(&tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	} else if c.StartTLS == "always" {
		return errors.New("the server does not offer STARTTLS")
	}
	if c.Username != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.Username, c.Password, c.Host)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	return nil
}
