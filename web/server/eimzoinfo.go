package server

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"runtime/debug"

	"github.com/eimzokit/eimzokit/web/audit"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"github.com/eimzokit/eimzokit/web/tsp"
	"github.com/eimzokit/eimzokit/web/verify"
)

// E-IMZO-SERVER's service routes that apps call besides the signature ones
// (wasm/capiws/PROTOCOL.md, E-IMZO-SERVER): a health check, a description
// of the server, and time-stamping of arbitrary data.
//
// What is known of them: /ping answers {"serverDateTime", "yourIP",
// "vpnKeyInfo": {"serialNumber", "X500Name", "validFrom", "validTo"}} (the
// vendor's integration manual shows this answer, with no status field);
// /info answers {"version", "serverTime", "vpnKeyInfo",
// "trustedCertificates": […]} (field names as third-party clients read
// them; no published sample); /frontend/timestamp/data is registered by the
// server at start, and documented nowhere.
//
// Our choices: both info routes also carry "status": 1 and "message": ""
// like every other E-IMZO-SERVER answer (a client that checks status works,
// one that does not ignores them); certificates (vpnKeyInfo and each
// trusted certificate) have the shape of subjectCertificateInfo
// ({serialNumber, X500Name, subjectName{}, validFrom, validTo}); the VPN
// key eimzo-web does not have is replaced by a certificate the operator
// names (Config.VPNKeyCert), else {}. For /frontend/timestamp/data we chose
// the shape of its sibling /frontend/timestamp/pkcs7 and of the timestamper
// callback apps gave the official client: the body is the data in base64
// (a raw text body), the server asks the authority for an RFC 3161 token
// over its SHA-256 and answers {"timeStampTokenB64", "timeStampInfo",
// "status", "message"}; sent the bytes of a signature value, the token is
// the one to attach to that signer (RFC 3161 Appendix A).

func (s *server) routesEIMZOInfo() {
	s.mux.HandleFunc("GET /ping", s.handlePing)
	s.mux.HandleFunc("GET /info", s.handleInfo)
	s.mux.HandleFunc("POST /frontend/timestamp/data", s.handleEIMZOTimestampData)
}

// vpnKeyInfo is what /ping and /info report in place of the VPN key.
func (s *server) vpnKeyInfo() any {
	if s.cfg.VPNKeyCert == nil {
		return struct{}{}
	}
	return infoOf(s.cfg.VPNKeyCert)
}

// handlePing: GET /ping, the health check. yourIP is the address the call
// came from (the app's server, as E-IMZO-SERVER reports it).
func (s *server) handlePing(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		ServerDateTime string `json:"serverDateTime"`
		YourIP         string `json:"yourIP"`
		VPNKeyInfo     any    `json:"vpnKeyInfo"`
		eimzoStatus
	}{eimzoTime(s.cfg.Now()), remote(r), s.vpnKeyInfo(), eimzoStatus{Status: statusOK}})
}

// version is eimzo-web's version for /info: Config.Version, else the
// module's version from the build, else "devel".
func (s *server) version() string {
	if s.cfg.Version != "" {
		return s.cfg.Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// handleInfo: GET /info, the server and the trust anchors it verifies
// against.
func (s *server) handleInfo(w http.ResponseWriter, r *http.Request) {
	trusted := []certInfo{}
	for _, c := range s.cfg.Verifier.Roots() {
		trusted = append(trusted, infoOf(c))
	}
	writeJSON(w, http.StatusOK, struct {
		Version             string     `json:"version"`
		ServerTime          string     `json:"serverTime"`
		VPNKeyInfo          any        `json:"vpnKeyInfo"`
		TrustedCertificates []certInfo `json:"trustedCertificates"`
		eimzoStatus
	}{s.version(), eimzoTime(s.cfg.Now()), s.vpnKeyInfo(), trusted, eimzoStatus{Status: statusOK}})
}

// handleEIMZOTimestampData: POST /frontend/timestamp/data with the data in
// base64: an RFC 3161 token over its SHA-256, verified before it is handed
// out (the authority's signature, certificate and chain).
func (s *server) handleEIMZOTimestampData(w http.ResponseWriter, r *http.Request) {
	parts, ok := readParts(w, r, 1)
	if !ok {
		return
	}
	data := parts[0]
	if s.cfg.TSA == nil {
		s.eimzoFail(w, http.StatusServiceUnavailable, statusCertStatus, "TSA_UNAVAILABLE", "no time-stamping authority is configured")
		return
	}
	sum := sha256.Sum256(data)
	ctx, cancel := ctxTimeout(r)
	defer cancel()
	token, _, err := s.cfg.TSA.Timestamp(ctx, sigalg.OIDSHA256, sum[:])
	if err != nil {
		code, status := "TSA_UNAVAILABLE", statusCertStatus
		var re *tsp.RejectedError
		if errors.As(err, &re) || errors.Is(err, tsp.ErrMalformed) {
			code, status = string(verify.CodeTimestampInvalid), statusTimestamp
		}
		s.audit(r, audit.Event{Event: "timestamp", Result: code})
		s.eimzoFail(w, http.StatusServiceUnavailable, status, code, err.Error())
		return
	}
	ts, err := s.cfg.Verifier.VerifyToken(ctx, token, data)
	if err != nil {
		s.audit(r, audit.Event{Event: "timestamp", Result: verifyCode(err)})
		s.eimzoFail(w, http.StatusServiceUnavailable, eimzoStatusOf(verifyCode(err), ""), verifyCode(err), err.Error())
		return
	}
	s.audit(r, audit.Event{Event: "timestamp", Result: "OK", Document: hex.EncodeToString(sum[:])})
	writeJSON(w, http.StatusOK, struct {
		Token string         `json:"timeStampTokenB64"`
		Info  *timeStampInfo `json:"timeStampInfo"`
		eimzoStatus
	}{base64.StdEncoding.EncodeToString(token), &timeStampInfo{TSAPolicy: ts.Policy, Time: eimzoTime(ts.Time), HashAlgorithm: ts.HashAlgorithm,
		SerialNumber: ts.SerialNumber, TSA: ts.TSA, MessageImprintAlgOID: ts.ImprintOID, MessageImprintDigest: ts.Imprint,
		Verified: ts.Verified, DigestVerified: ts.DigestVerified}, eimzoStatus{Status: statusOK}})
}
