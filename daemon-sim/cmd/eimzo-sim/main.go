// Command eimzo-sim simulates the E-IMZO desktop daemon: the same WebSocket
// protocol on ws://127.0.0.1:64646 and wss://127.0.0.1:64443, backed by
// software keys from a test PKI, with a simulated user at the password
// dialog. It listens on loopback only.
//
// Usage:
//
//	eimzo-sim [-ws ADDR] [-wss ADDR] [-dir DIR] [-dev] [-allow DOMAINS]
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "eimzo-sim:", err)
		var h hinted
		if errors.As(err, &h) {
			fmt.Fprintln(os.Stderr, "hint:", h.hint)
		}
		os.Exit(1)
	}
}

type hinted struct {
	err  error
	hint string
}

func (h hinted) Error() string { return h.err.Error() }
func (h hinted) Unwrap() error { return h.err }

func run(args []string) error {
	fs := flag.NewFlagSet("eimzo-sim", flag.ContinueOnError)
	wsAddr := fs.String("ws", "127.0.0.1:64646", "plain WebSocket listener (loopback only; empty to disable)")
	wssAddr := fs.String("wss", "127.0.0.1:64443", "TLS WebSocket listener (loopback only; empty to disable)")
	dir := fs.String("dir", defaultDir(), "data folder: test PKI in pki/, key files in keys/; filled on first start")
	dev := fs.Bool("dev", false, "developer mode: let every domain call every function")
	allow := fs.String("allow", "", "comma-separated domains authorised without an API key (test override)")
	quiet := fs.Bool("quiet", false, "do not log calls")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, a := range []string{*wsAddr, *wssAddr} {
		if a != "" {
			if err := checkLoopback(a); err != nil {
				return err
			}
		}
	}
	data, err := sim.OpenData(*dir, nil)
	if err != nil {
		return err
	}
	logLevel := slog.LevelInfo
	if *quiet {
		logLevel = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel}))
	opts := []sim.Option{sim.WithDeveloperMode(*dev), sim.WithLogger(logger)}
	if *allow != "" {
		opts = append(opts, sim.WithAllowedDomains(strings.Split(*allow, ",")...))
	}
	srv := sim.New(data.Store, opts...)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 2)
	var servers []*http.Server
	if *wsAddr != "" {
		ln, err := net.Listen("tcp", *wsAddr)
		if err != nil {
			return hinted{err, "is the real E-IMZO, or another eimzo-sim, already running? Pick another address with -ws."}
		}
		hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, hs)
		go func() { errc <- hs.Serve(ln) }()
		fmt.Printf("eimzo-sim: ws://%s/service/cryptapi ready (data %s, trust anchor %s)\n", ln.Addr(), data.Dir, data.RootPath())
	}
	if *wssAddr != "" {
		cert, certPath, err := tlsCertificate(filepath.Join(*dir, sim.TLSDir))
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", *wssAddr)
		if err != nil {
			return hinted{err, "is the real E-IMZO, or another eimzo-sim, already running? Pick another address with -wss."}
		}
		hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second,
			TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
		servers = append(servers, hs)
		go func() { errc <- hs.ServeTLS(ln, "", "") }()
		fmt.Printf("eimzo-sim: wss://%s/service/cryptapi ready (TLS certificate %s)\n", ln.Addr(), certPath)
	}
	if len(servers) == 0 {
		return errors.New("no listener: give -ws or -wss an address")
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		return err
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, hs := range servers {
		_ = hs.Shutdown(shutdown)
	}
	return nil
}

func defaultDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "eimzo-sim")
	}
	return "eimzo-sim-data"
}

// checkLoopback refuses any address that is not a loopback IP or localhost:
// the simulator must never be reachable from another machine.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return hinted{fmt.Errorf("refusing to listen on %q: not a loopback address", addr), "use 127.0.0.1:PORT"}
}

// tlsCertificate loads, or makes on first use, the wss certificate for
// 127.0.0.1 and localhost, so a browser that trusted it once keeps trusting it.
func tlsCertificate(dir string) (tls.Certificate, string, error) {
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if c, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil {
		return c, certPath, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return tls.Certificate{}, "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "127.0.0.1", Organization: []string{"eimzo-sim TEST"}},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(5, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:    []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return tls.Certificate{}, "", err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := testpki.WriteFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, "", err
	}
	if err := testpki.WriteFileAtomic(certPath, certPEM, 0o644); err != nil {
		return tls.Certificate{}, "", err
	}
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	return c, certPath, err
}
