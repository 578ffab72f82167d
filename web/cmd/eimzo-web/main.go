// Command eimzo-web is the eimzokit backend: the demo page and the
// verification API.
//
// Usage:
//
//	eimzo-web [-addr localhost:8080] -trust ROOTS.pem [-assets js/dist] [-daemon-url URL]
package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/eimzokit/eimzokit/web/server"
	"github.com/eimzokit/eimzokit/web/verify"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "eimzo-web:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("eimzo-web", flag.ContinueOnError)
	addr := fs.String("addr", "localhost:8080", "listen address")
	trust := fs.String("trust", "", "PEM file of trust anchors (eimzo-sim's DIR/pki/root.pem for the test PKI)")
	assets := fs.String("assets", "js/dist", "the npm package's dist/ folder, served under /eimzokit/")
	daemonURL := fs.String("daemon-url", "", "the daemon's WebSocket URL for the demo page (default: the client's default)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *trust == "" {
		return errors.New("-trust is required: give the trust anchors' PEM file")
	}
	pem, err := os.ReadFile(*trust)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s holds no PEM certificate", *trust)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	h := server.New(server.Config{Verifier: &verify.Verifier{Roots: roots}, AssetsDir: *assets, DaemonURL: *daemonURL, Logger: logger})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("eimzo-web: http://%s ready\n", *addr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(shutdown)
}
