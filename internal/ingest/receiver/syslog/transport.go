package syslog

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"time"
)

// serveUDP reads one message per datagram until the socket is closed.
func (r *Receiver) serveUDP(conn *net.UDPConn, o origin) {
	buf := make([]byte, r.cfg.MaxMessageBytes+1)
	for {
		n, addr, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				r.log.Error("syslog udp read", "err", err)
			}
			return
		}
		peer := addr.Addr().Unmap().String()
		if n > r.cfg.MaxMessageBytes {
			r.reject(buf[:r.cfg.MaxMessageBytes], o, r.tooLarge(-1))
			continue
		}
		r.handle(buf[:n], peer, o)
	}
}

func (r *Receiver) tooLarge(n int) string {
	if n < 0 {
		return "message exceeds maxMessageBytes " + strconv.Itoa(r.cfg.MaxMessageBytes) + " (kept cut)"
	}
	return "message of " + strconv.Itoa(n) + " bytes exceeds maxMessageBytes " + strconv.Itoa(r.cfg.MaxMessageBytes) + " (kept cut)"
}

// serveTCP accepts connections on ln (transport "tcp" or "tls") until it is closed, at most
// MaxConnections at once over all listeners.
func (r *Receiver) serveTCP(ln net.Listener, o origin, wg *sync.WaitGroup) {
	transport := o.transport
	for {
		conn, err := ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				r.log.Error("syslog "+transport+" accept", "err", err)
			}
			return
		}
		select {
		case r.sem <- struct{}{}:
		default:
			r.m.refused.Inc()
			r.log.Warn("syslog "+transport+" connection refused: maxConnections open", "peer", conn.RemoteAddr().String(), "max", r.cfg.MaxConnections)
			_ = conn.Close()
			continue
		}
		if transport == "tls" {
			conn = tls.Server(conn, r.cfg.TLSConfig)
		}
		r.track(conn, transport, true)
		wg.Go(func() {
			defer func() { <-r.sem }()
			defer r.track(conn, transport, false)
			if tc, ok := conn.(*tls.Conn); ok && !r.handshake(tc) {
				return
			}
			r.serveConn(conn, o)
		})
	}
}

// handshake runs the TLS handshake within HandshakeTimeout; a failure (a bad or missing
// client certificate, a client that does not trust ours, plain text on the TLS port) is
// counted and logged, and the connection closed.
func (r *Receiver) handshake(c *tls.Conn) bool {
	_ = c.SetDeadline(time.Now().Add(r.cfg.HandshakeTimeout))
	if err := c.Handshake(); err != nil {
		if errors.Is(err, net.ErrClosed) {
			return false
		}
		r.m.tlsErrors.Inc()
		r.log.Warn("syslog tls handshake failed", "peer", c.RemoteAddr().String(), "err", err)
		return false
	}
	_ = c.SetDeadline(time.Time{})
	return true
}

func (r *Receiver) track(c net.Conn, transport string, open bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if open {
		r.conns[c] = struct{}{}
		r.m.recv[transport].Open(1)
		return
	}
	if _, ok := r.conns[c]; ok {
		delete(r.conns, c)
		r.m.recv[transport].Open(-1)
	}
	_ = c.Close()
}

func (r *Receiver) closeConns() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range r.conns {
		_ = c.Close() // the connection's goroutine untracks it
	}
}

// serveConn reads messages from one connection. The framing is detected from the first
// byte: a digit starts RFC 6587 octet counting ("LEN SP MSG"), anything else newline framing.
func (r *Receiver) serveConn(conn net.Conn, o origin) {
	peer := conn.RemoteAddr().String()
	if host, _, err := net.SplitHostPort(peer); err == nil {
		peer = host
	}
	br := bufio.NewReaderSize(conn, min(r.cfg.MaxMessageBytes+1, 64<<10))
	first, err := br.Peek(1)
	if err != nil {
		return
	}
	if first[0] >= '1' && first[0] <= '9' {
		err = r.readOctetCounted(br, peer, o)
	} else {
		err = r.readLines(br, peer, o)
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		r.log.Warn("syslog "+o.transport+" connection", "peer", peer, "err", err)
	}
}

// readLines reads LF-terminated messages (a trailing CR is dropped by the parser).
func (r *Receiver) readLines(br *bufio.Reader, peer string, o origin) error {
	var long []byte
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) || len(long) > 0 {
			if len(long) < r.cfg.MaxMessageBytes+1 {
				long = append(long, line[:min(len(line), r.cfg.MaxMessageBytes+1-len(long))]...)
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			line, long = r.longLine(long, o), nil
			if line == nil {
				if err != nil {
					return err
				}
				continue
			}
		}
		if len(line) > 0 && (len(line) > 1 || line[0] != '\n') {
			r.handle(line, peer, o)
		}
		if err != nil {
			return err
		}
	}
}

// longLine handles a line that needed more than one buffer: it returns it when it fits
// MaxMessageBytes, and otherwise rejects it and returns nil.
func (r *Receiver) longLine(line []byte, o origin) []byte {
	body := line
	if n := len(body); n > 0 && body[n-1] == '\n' {
		body = body[:n-1]
	}
	if len(body) <= r.cfg.MaxMessageBytes {
		return line
	}
	r.reject(body[:r.cfg.MaxMessageBytes], o, r.tooLarge(-1))
	return nil
}

// readOctetCounted reads "LEN SP MSG" frames (RFC 6587 3.4.1). A malformed length cannot be
// resynchronised: it is rejected and the connection closed.
func (r *Receiver) readOctetCounted(br *bufio.Reader, peer string, o origin) error {
	var buf []byte
	for {
		n, head, err := readLength(br)
		if err != nil {
			if len(head) > 0 && !errors.Is(err, io.EOF) {
				r.reject(head, o, "invalid octet-counting frame: "+err.Error())
			}
			return err
		}
		keep := min(n, r.cfg.MaxMessageBytes)
		if cap(buf) < keep {
			buf = make([]byte, keep)
		}
		buf = buf[:keep]
		if _, err := io.ReadFull(br, buf); err != nil {
			return err
		}
		if n > keep {
			if _, err := br.Discard(n - keep); err != nil {
				return err
			}
			r.reject(buf, o, r.tooLarge(n))
			continue
		}
		r.handle(buf, peer, o)
	}
}

var errBadLength = errors.New("want a decimal length of 1 to 9 digits and a space")

// readLength reads "LEN SP", skipping newlines some senders put between frames.
func readLength(br *bufio.Reader) (int, []byte, error) {
	var head []byte
	n := 0
	for {
		c, err := br.ReadByte()
		if err != nil {
			if len(head) > 0 && errors.Is(err, io.EOF) {
				return 0, head, io.ErrUnexpectedEOF
			}
			return 0, head, err
		}
		switch {
		case (c == '\n' || c == '\r') && len(head) == 0:
			continue
		case c >= '0' && c <= '9' && len(head) < 9 && (len(head) != 0 || c != '0'):
			head = append(head, c)
			n = n*10 + int(c-'0')
		case c == ' ' && len(head) > 0:
			return n, head, nil
		default:
			return 0, append(head, c), errBadLength
		}
	}
}
