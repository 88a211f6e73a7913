package syslog

import (
	"errors"
	"fmt"
	"net"
)

// Listener is a set of listen addresses whose messages are stored for one tenant.
type Listener struct {
	UDP    string // empty: no UDP
	TCP    string // empty: no TCP
	TLS    string // empty: no TLS (needs Config.TLSConfig)
	Tenant string
}

// origin is where a message came from: its transport (udp, tcp, tls) and its listener's tenant.
type origin struct {
	transport string
	tenant    string
}

// listener is one Listener's open sockets.
type listener struct {
	tenant string
	udp    *net.UDPConn
	tcp    net.Listener
	tls    net.Listener // plain TCP: the handshake runs in each connection's goroutine
}

// openListener opens lc's sockets; on error it returns what it opened, for closing.
func openListener(lc Listener, haveTLS bool) (*listener, error) {
	if lc.UDP == "" && lc.TCP == "" && lc.TLS == "" {
		return nil, fmt.Errorf("syslog receiver: listener for tenant %q has no udp, tcp or tls address", lc.Tenant)
	}
	if lc.Tenant == "" {
		return nil, errors.New("syslog receiver: listener without a tenant")
	}
	if lc.TLS != "" && !haveTLS {
		return nil, errors.New("syslog receiver: tls address without a TLS configuration")
	}
	l := &listener{tenant: lc.Tenant}
	if lc.UDP != "" {
		ua, err := net.ResolveUDPAddr("udp", lc.UDP)
		if err != nil {
			return l, fmt.Errorf("syslog udp %s: %w", lc.UDP, err)
		}
		if l.udp, err = net.ListenUDP("udp", ua); err != nil {
			return l, fmt.Errorf("syslog udp: %w", err)
		}
		_ = l.udp.SetReadBuffer(4 << 20)
	}
	var err error
	if lc.TCP != "" {
		if l.tcp, err = net.Listen("tcp", lc.TCP); err != nil {
			return l, fmt.Errorf("syslog tcp: %w", err)
		}
	}
	if lc.TLS != "" {
		if l.tls, err = net.Listen("tcp", lc.TLS); err != nil {
			return l, fmt.Errorf("syslog tls: %w", err)
		}
	}
	return l, nil
}

func (l *listener) addr() Addr {
	a := Addr{Tenant: l.tenant}
	if l.udp != nil {
		a.UDP = l.udp.LocalAddr().String()
	}
	if l.tcp != nil {
		a.TCP = l.tcp.Addr().String()
	}
	if l.tls != nil {
		a.TLS = l.tls.Addr().String()
	}
	return a
}

func (l *listener) close() {
	if l.udp != nil {
		_ = l.udp.Close()
	}
	if l.tcp != nil {
		_ = l.tcp.Close()
	}
	if l.tls != nil {
		_ = l.tls.Close()
	}
}
