// Package server is the eimzokit backend's HTTP layer: the demo page, the
// browser client's assets, and the JSON API.
//
// Entry point: [New] returns an http.Handler. Routes:
//
//	GET  /                 the demo page (embedded)
//	GET  /config.json      what the page needs to know (the daemon's URL)
//	GET  /eimzokit/…       the npm package's dist/ (index.js, eimzo.wasm)
//	POST /api/verify       {"pkcs7": base64, "data"?: base64} → a verification report
//
// API errors are JSON {"valid": false, "code": …, "message": …} with a
// 4xx status; codes are those of web/verify plus BAD_REQUEST.
package server

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"time"

	"github.com/eimzokit/eimzokit/web/static"
	"github.com/eimzokit/eimzokit/web/verify"
)

// MaxBodyBytes bounds a request body: a 32 MiB document, base64-encoded,
// attached in a CMS, is ~43 MiB.
const MaxBodyBytes = 64 << 20

// Config configures [New].
type Config struct {
	Verifier  *verify.Verifier
	AssetsDir string // the npm package's dist/ folder
	DaemonURL string // handed to the demo page; "" = the client's default
	Logger    *slog.Logger
}

// New returns the backend's handler.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	_ = mime.AddExtensionType(".wasm", "application/wasm")
	mux := http.NewServeMux()
	page := http.FileServerFS(static.FS)
	mux.Handle("GET /{$}", page)
	mux.Handle("GET /app.js", page)
	mux.Handle("GET /style.css", page)
	mux.HandleFunc("GET /config.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, map[string]string{"daemonUrl": cfg.DaemonURL})
	})
	var assets fs.FS = emptyFS{}
	if cfg.AssetsDir != "" {
		assets = os.DirFS(cfg.AssetsDir)
	}
	mux.Handle("GET /eimzokit/", http.StripPrefix("/eimzokit/", http.FileServerFS(assets)))
	mux.HandleFunc("POST /api/verify", func(w http.ResponseWriter, r *http.Request) { handleVerify(w, r, cfg) })
	return securityHeaders(mux)
}

// securityHeaders sets a strict CSP that still lets the page compile the
// .wasm and reach the daemon on loopback.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ws://127.0.0.1:* wss://127.0.0.1:*; style-src 'self'; img-src 'self' data:")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

type emptyFS struct{}

func (emptyFS) Open(string) (fs.File, error) { return nil, fs.ErrNotExist }

type verifyRequest struct {
	PKCS7 string `json:"pkcs7"`
	Data  string `json:"data,omitempty"`
}

type verifyReply struct {
	Valid    bool            `json:"valid"`
	Code     string          `json:"code,omitempty"`
	Message  string          `json:"message,omitempty"`
	Detached bool            `json:"detached,omitempty"`
	Content  string          `json:"content,omitempty"` // base64 of the signed data
	Signers  []verify.Signer `json:"signers,omitempty"`
}

func handleVerify(w http.ResponseWriter, r *http.Request, cfg Config) {
	start := time.Now()
	var req verifyRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		status := http.StatusBadRequest
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			status = http.StatusRequestEntityTooLarge
		}
		writeJSON(w, status, verifyReply{Code: "BAD_REQUEST", Message: "the body must be JSON {\"pkcs7\": base64, \"data\"?: base64}"})
		return
	}
	der, err := base64.StdEncoding.DecodeString(req.PKCS7)
	if err != nil || len(der) == 0 {
		writeJSON(w, http.StatusBadRequest, verifyReply{Code: "BAD_REQUEST", Message: "pkcs7 must be standard base64"})
		return
	}
	var data []byte
	if req.Data != "" {
		if data, err = base64.StdEncoding.DecodeString(req.Data); err != nil {
			writeJSON(w, http.StatusBadRequest, verifyReply{Code: "BAD_REQUEST", Message: "data must be standard base64"})
			return
		}
	}
	res, err := cfg.Verifier.Verify(der, data)
	if err != nil {
		var ve *verify.Error
		code := "INTERNAL"
		if errors.As(err, &ve) {
			code = string(ve.Code)
		}
		cfg.Logger.Info("verify", "result", code, "ms", time.Since(start).Milliseconds())
		writeJSON(w, http.StatusUnprocessableEntity, verifyReply{Code: code, Message: err.Error()})
		return
	}
	cfg.Logger.Info("verify", "result", "OK", "signer", res.Signers[0].SerialNumber, "ms", time.Since(start).Milliseconds())
	writeJSON(w, http.StatusOK, verifyReply{Valid: true, Detached: res.Detached, Content: base64.StdEncoding.EncodeToString(res.Content), Signers: res.Signers})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
