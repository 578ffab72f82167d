package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/eimzokit/eimzokit/web/audit"
	"github.com/eimzokit/eimzokit/web/auth"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"github.com/eimzokit/eimzokit/web/tsp"
	"github.com/eimzokit/eimzokit/web/verify"
)

func (s *server) routesAPI() {
	s.mux.HandleFunc("POST /api/verify", s.handleVerify)
	s.mux.HandleFunc("POST /api/timestamp", s.handleTimestamp)
	s.mux.HandleFunc("GET /api/auth/challenge", s.handleChallenge)
	s.mux.HandleFunc("POST /api/auth/login", s.handleLogin)
	s.mux.HandleFunc("POST /api/auth/refresh", s.handleRefresh)
	s.mux.HandleFunc("POST /api/auth/logout", s.handleLogout)
	s.mux.HandleFunc("GET /api/auth/session", s.handleSession)
	s.mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		set, err := s.cfg.Auth.JWKS()
		if err != nil {
			s.fail(w, r, http.StatusInternalServerError, "INTERNAL", "")
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(set)
	})
}

type verifyRequest struct {
	PKCS7 string `json:"pkcs7"`
	Data  string `json:"data,omitempty"`
	// HashHex is the hex SHA-256 of a document that stays with the caller
	// (signHash's {pkcs7, hashHex}); the CMS must be detached.
	HashHex string `json:"hashHex,omitempty"`
}

// verifyReply is /api/verify's answer: the report, and the fields the demo
// page and older callers read (valid, content, signers[].identity).
type verifyReply struct {
	Valid bool `json:"valid"`
	apiError
	*verify.Report
	Content string `json:"content,omitempty"` // base64 of the signed data
}

// handleVerify: POST /api/verify {"pkcs7": base64, "data"?: base64} or
// {"pkcs7": base64, "hashHex": hex SHA-256} (verify.VerifyHash).
func (s *server) handleVerify(w http.ResponseWriter, r *http.Request) {
	var req verifyRequest
	if err := decodeJSON(w, r, MaxBodyBytes, &req); err != nil {
		status, code := bodyStatus(err)
		s.fail(w, r, status, code, `the body must be JSON {"pkcs7": base64, "data"?: base64} or {"pkcs7": base64, "hashHex": hex}`)
		return
	}
	der, err := decodeB64(req.PKCS7)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "BASE64_INVALID", "pkcs7 must be standard base64")
		return
	}
	var data, sum []byte
	switch {
	case req.HashHex != "" && req.Data != "":
		s.fail(w, r, http.StatusBadRequest, "BAD_REQUEST", "give data or hashHex, not both")
		return
	case req.HashHex != "":
		if sum, err = verify.ParseSHA256Hex(req.HashHex); err != nil {
			s.fail(w, r, http.StatusBadRequest, verifyCode(err), err.Error())
			return
		}
	case req.Data != "":
		if data, err = decodeB64(req.Data); err != nil {
			s.fail(w, r, http.StatusBadRequest, "BASE64_INVALID", "data must be standard base64")
			return
		}
	}
	ctx, cancel := ctxTimeout(r)
	defer cancel()
	var rep *verify.Report
	if sum != nil {
		rep, err = s.cfg.Verifier.VerifyHash(ctx, der, sum)
	} else {
		rep, err = s.cfg.Verifier.Verify(ctx, der, data)
	}
	s.auditVerify(r, rep, err)
	if rep == nil {
		code := verifyCode(err)
		status := http.StatusBadRequest
		switch verify.Code(code) {
		case verify.CodeDigestMismatch, verify.CodeNoSigner, verify.CodeHashAlgorithm:
			status = http.StatusUnprocessableEntity
		}
		writeJSON(w, status, verifyReply{apiError: newAPIError(r, code, err.Error())})
		return
	}
	reply := verifyReply{Valid: err == nil, Report: rep}
	if sum == nil {
		reply.Content = base64.StdEncoding.EncodeToString(rep.Content)
	}
	status := http.StatusOK
	if err != nil {
		reply.apiError = newAPIError(r, verifyCode(err), err.Error())
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, reply)
}

func (s *server) auditVerify(r *http.Request, rep *verify.Report, err error) {
	e := audit.Event{Event: "verify", Result: "OK"}
	if err != nil {
		e.Result = verifyCode(err)
	}
	if rep != nil {
		e.Document, e.Indication, e.Level, e.Signers = rep.DataSHA256, string(rep.Indication), rep.Level, len(rep.Signers)
		if len(rep.Signers) > 0 {
			sr := rep.Signers[0]
			e.Name, e.Serial = sr.Identity.FullName, sr.SerialNumber
			e.Subject = userOf(sr).Subject()
		}
	}
	s.audit(r, e)
}

func userOf(sr verify.SignerReport) auth.User {
	id := sr.Identity
	return auth.User{Name: id.FullName, PINFL: id.PINFL, TIN: id.TIN, OrgTIN: id.OrgTIN, Organization: id.Organization, Serial: sr.SerialNumber}
}

// handleTimestamp: POST /api/timestamp. With Content-Type
// application/timestamp-query the DER request is forwarded to the authority
// and its DER reply returned (RFC 3161 §3.4). Otherwise the body is the hex
// of a signature value (what the client's `timestamp(signatureHex)` option
// gets), and the reply is the base64 DER TimeStampToken over its SHA-256,
// verified.
func (s *server) handleTimestamp(w http.ResponseWriter, r *http.Request) {
	if s.cfg.TSA == nil {
		s.fail(w, r, http.StatusServiceUnavailable, "TSA_UNAVAILABLE", "no time-stamping authority is configured")
		return
	}
	body, err := readBody(w, r, MaxSmallBody)
	if err != nil {
		status, code := bodyStatus(err)
		s.fail(w, r, status, code, "")
		return
	}
	ctx, cancel := ctxTimeout(r)
	defer cancel()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/timestamp-query") {
		resp, err := s.cfg.TSA.Exchange(ctx, body)
		if err != nil {
			s.audit(r, audit.Event{Event: "timestamp", Result: "TSA_UNAVAILABLE"})
			s.fail(w, r, http.StatusBadGateway, "TSA_UNAVAILABLE", err.Error())
			return
		}
		s.audit(r, audit.Event{Event: "timestamp", Result: "OK"})
		w.Header().Set("Content-Type", "application/timestamp-reply")
		_, _ = w.Write(resp)
		return
	}
	sig, err := hex.DecodeString(string(bytes.TrimSpace(body)))
	if err != nil || len(sig) == 0 {
		s.fail(w, r, http.StatusBadRequest, "BAD_REQUEST", "the body must be the signature in hex, or a DER TimeStampReq with Content-Type application/timestamp-query")
		return
	}
	sum := sha256.Sum256(sig)
	token, _, err := s.cfg.TSA.Timestamp(ctx, sigalg.OIDSHA256, sum[:])
	if err != nil {
		code, status := "TSA_UNAVAILABLE", http.StatusBadGateway
		var re *tsp.RejectedError
		if errors.As(err, &re) || errors.Is(err, tsp.ErrMalformed) {
			code = string(verify.CodeTimestampInvalid)
		}
		s.audit(r, audit.Event{Event: "timestamp", Result: code})
		s.fail(w, r, status, code, err.Error())
		return
	}
	if _, err := s.cfg.Verifier.VerifyToken(ctx, token, sig); err != nil {
		s.audit(r, audit.Event{Event: "timestamp", Result: verifyCode(err)})
		s.fail(w, r, http.StatusBadGateway, verifyCode(err), err.Error())
		return
	}
	s.audit(r, audit.Event{Event: "timestamp", Result: "OK", Document: hex.EncodeToString(sum[:])})
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, base64.StdEncoding.EncodeToString(token))
}

// challengeReply is /api/auth/challenge's JSON form.
type challengeReply struct {
	Challenge string    `json:"challenge"`
	ExpiresAt time.Time `json:"expiresAt"`
	TTL       int       `json:"ttl"` // seconds
}

// handleChallenge: GET /api/auth/challenge. The body is the challenge as
// text (what `fetch(…).then(r => r.text())` reads, seeds/000), or JSON
// with its expiry when the client accepts application/json.
func (s *server) handleChallenge(w http.ResponseWriter, r *http.Request) {
	origin, ok := s.loginOrigin(r)
	if !ok {
		s.fail(w, r, http.StatusForbidden, string(auth.CodeOriginMismatch), "")
		return
	}
	ch, err := s.cfg.Auth.NewChallenge(r.Context(), origin)
	if err != nil {
		code := authCode(err)
		s.fail(w, r, authStatus(code), code, "")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Challenge-Expires-At", ch.ExpiresAt.UTC().Format(time.RFC3339))
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeJSON(w, http.StatusOK, challengeReply{Challenge: ch.Value, ExpiresAt: ch.ExpiresAt.UTC(), TTL: int(s.cfg.Auth.ChallengeTTL().Seconds())})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, ch.Value)
}

// loginReply is what a login or a refresh answers; the tokens go in cookies.
type loginReply struct {
	Subject          string          `json:"subject"`
	Identity         verify.Identity `json:"identity,omitzero"`
	Serial           string          `json:"serial"`
	ExpiresAt        time.Time       `json:"expiresAt"`
	RefreshExpiresAt time.Time       `json:"refreshExpiresAt"`
}

// loginPKCS7 reads a login body: JSON {"pkcs7": base64}, or the base64 CMS
// itself as text (seeds/000: `fetch('/api/login', {body: pkcs7})`).
func loginPKCS7(w http.ResponseWriter, r *http.Request) ([]byte, int, string) {
	var b64 string
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var req struct {
			PKCS7 string `json:"pkcs7"`
		}
		if err := decodeJSON(w, r, MaxSmallBody, &req); err != nil {
			status, code := bodyStatus(err)
			return nil, status, code
		}
		b64 = req.PKCS7
	} else {
		body, err := readBody(w, r, MaxSmallBody)
		if err != nil {
			status, code := bodyStatus(err)
			return nil, status, code
		}
		b64 = string(body)
	}
	der, err := decodeB64(b64)
	if err != nil {
		return nil, http.StatusBadRequest, "BASE64_INVALID"
	}
	return der, 0, ""
}

// handleLogin: POST /api/auth/login with a CMS (attached) over a challenge
// from /api/auth/challenge. The checks run cheapest and state-free first;
// the challenge is used up only when everything else passed, so a rejected
// login changes nothing stored.
func (s *server) handleLogin(w http.ResponseWriter, r *http.Request) {
	ev := audit.Event{Event: "login"}
	reject := func(status int, code, detail string) {
		ev.Result = code
		s.audit(r, ev)
		s.fail(w, r, status, code, detail)
	}
	origin, ok := s.loginOrigin(r)
	ev.Origin = origin
	if !ok {
		reject(http.StatusForbidden, string(auth.CodeOriginMismatch), "")
		return
	}
	der, status, code := loginPKCS7(w, r)
	if code != "" {
		reject(status, code, `the body must be the base64 CMS, or JSON {"pkcs7": base64}`)
		return
	}
	sd, err := cms.Parse(der)
	if err != nil {
		reject(http.StatusBadRequest, string(verify.CodeMalformed), err.Error())
		return
	}
	if sd.Detached() || len(sd.Signers) != 1 {
		reject(http.StatusBadRequest, "BAD_REQUEST", "a login CMS is attached (its content is the challenge) and has one signer")
		return
	}
	challenge := string(sd.Content)
	ev.Challenge = auth.Hash(challenge)
	if err := s.cfg.Auth.CheckChallenge(r.Context(), origin, challenge); err != nil {
		code := authCode(err)
		reject(authStatus(code), code, "")
		return
	}
	ctx, cancel := ctxTimeout(r)
	defer cancel()
	rep, err := s.cfg.Verifier.VerifyParsed(ctx, sd, nil)
	if rep != nil && len(rep.Signers) == 1 {
		sr := rep.Signers[0]
		ev.Subject, ev.Serial, ev.Name = userOf(sr).Subject(), sr.SerialNumber, sr.Identity.FullName
	}
	if err != nil {
		reject(http.StatusUnauthorized, verifyCode(err), err.Error())
		return
	}
	sr := rep.Signers[0]
	if st := sr.SigningTime; st != nil && (st.Before(s.cfg.Now().Add(-s.cfg.LoginSkew)) || st.After(s.cfg.Now().Add(s.cfg.LoginSkew))) {
		reject(http.StatusUnauthorized, string(verify.CodeSigningTime), "the signing time is more than "+s.cfg.LoginSkew.String()+" from the server's clock")
		return
	}
	if err := s.cfg.Auth.ConsumeChallenge(r.Context(), origin, challenge); err != nil {
		code := authCode(err)
		reject(authStatus(code), code, "")
		return
	}
	sess, err := s.cfg.Auth.StartSession(r.Context(), userOf(sr))
	if err != nil {
		code := authCode(err)
		reject(authStatus(code), code, "")
		return
	}
	ev.Result, ev.Session = "OK", auth.Hash(sess.Claims.SessionID)
	s.audit(r, ev)
	s.setCookies(w, sess)
	writeJSON(w, http.StatusOK, loginReply{Subject: sess.Claims.Subject, Identity: sr.Identity, Serial: sr.SerialNumber,
		ExpiresAt: sess.AccessExpires.UTC(), RefreshExpiresAt: sess.RefreshExpires.UTC()})
}

func (s *server) setCookies(w http.ResponseWriter, sess *auth.Session) {
	now := s.cfg.Now()
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: sess.Access, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(sess.AccessExpires.Sub(now).Seconds())})
	http.SetCookie(w, &http.Cookie{Name: RefreshCookie, Value: sess.Refresh, Path: refreshPath, HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(sess.RefreshExpires.Sub(now).Seconds())})
}

func clearCookies(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.SetCookie(w, &http.Cookie{Name: RefreshCookie, Value: "", Path: refreshPath, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

// sameSite refuses cookie-authenticated POSTs from other origins (SameSite
// already keeps browsers from sending the cookies; this is the second lock).
func (s *server) sameSite(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Origin") == "" {
		return true
	}
	if _, ok := s.loginOrigin(r); !ok {
		s.fail(w, r, http.StatusForbidden, string(auth.CodeOriginMismatch), "")
		return false
	}
	return true
}

// handleRefresh: POST /api/auth/refresh with the refresh cookie.
func (s *server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	if !s.sameSite(w, r) {
		return
	}
	ev := audit.Event{Event: "refresh"}
	c, err := r.Cookie(RefreshCookie)
	if err != nil {
		ev.Result = "SESSION_MISSING"
		s.audit(r, ev)
		s.fail(w, r, http.StatusUnauthorized, "SESSION_MISSING", "")
		return
	}
	sess, err := s.cfg.Auth.Refresh(r.Context(), c.Value)
	if err != nil {
		code := authCode(err)
		ev.Result = code
		s.audit(r, ev)
		if code == string(auth.CodeRefreshReused) || code == string(auth.CodeSessionRevoked) {
			clearCookies(w)
		}
		s.fail(w, r, authStatus(code), code, "")
		return
	}
	ev.Result, ev.Subject, ev.Session = "OK", sess.Claims.Subject, auth.Hash(sess.Claims.SessionID)
	s.audit(r, ev)
	s.setCookies(w, sess)
	writeJSON(w, http.StatusOK, loginReply{Subject: sess.Claims.Subject, Serial: sess.Claims.Serial,
		ExpiresAt: sess.AccessExpires.UTC(), RefreshExpiresAt: sess.RefreshExpires.UTC()})
}

// handleLogout: POST /api/auth/logout ends the session of the session
// cookie (or bearer token) and clears the cookies; it answers 200 either
// way, saying whether a session was ended.
func (s *server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if !s.sameSite(w, r) {
		return
	}
	ev := audit.Event{Event: "logout", Result: "SESSION_MISSING"}
	ended := false
	if tok := sessionToken(r); tok != "" {
		if c, err := s.cfg.Auth.Authenticate(r.Context(), tok); err == nil {
			if err := s.cfg.Auth.Logout(r.Context(), c.SessionID); err != nil {
				code := authCode(err)
				s.fail(w, r, authStatus(code), code, "")
				return
			}
			ended = true
			ev.Result, ev.Subject, ev.Session = "OK", c.Subject, auth.Hash(c.SessionID)
		} else {
			ev.Result = authCode(err)
		}
	}
	s.audit(r, ev)
	clearCookies(w)
	writeJSON(w, http.StatusOK, map[string]bool{"loggedOut": ended})
}

// sessionReply is what a signed-in page learns about its user.
type sessionReply struct {
	Subject      string    `json:"subject"`
	Name         string    `json:"name"`
	PINFL        string    `json:"pinfl,omitempty"`
	TIN          string    `json:"tin,omitempty"`
	OrgTIN       string    `json:"orgTin,omitempty"`
	Organization string    `json:"organization,omitempty"`
	Serial       string    `json:"serial"`
	ExpiresAt    time.Time `json:"expiresAt"`
}

// authenticate returns the request's session claims, or writes the error.
func (s *server) authenticate(w http.ResponseWriter, r *http.Request) (*auth.Claims, bool) {
	tok := sessionToken(r)
	if tok == "" {
		s.fail(w, r, http.StatusUnauthorized, "SESSION_MISSING", "")
		return nil, false
	}
	c, err := s.cfg.Auth.Authenticate(r.Context(), tok)
	if err != nil {
		s.failAuth(w, r, err)
		return nil, false
	}
	return c, true
}

// handleSession: GET /api/auth/session, the protected call of the demo.
func (s *server) handleSession(w http.ResponseWriter, r *http.Request) {
	c, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, sessionReply{Subject: c.Subject, Name: c.Name, PINFL: c.PINFL, TIN: c.TIN, OrgTIN: c.OrgTIN,
		Organization: c.Organization, Serial: c.Serial, ExpiresAt: c.ExpiresAt.UTC()})
}
