package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/eimzokit/eimzokit/web/auth"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/verify"
)

// The e-signature verification API of seeds/002, with its request and
// response bodies: the signature is a base64 CMS, the data base64 (may be
// empty for an attached CMS), the user is the session JWT in
// X-Access-Token. Its identity fields map to ours: full name ↔ CN (or
// surname and name), РНОКПП (DRFO) ↔ PINFL, ЄДРПОУ (EDRPOU) ↔ the
// organisation TIN (1.2.860.3.16.1.1).

func (s *server) routesESignature() {
	s.mux.HandleFunc("POST /api/esignature/officer/verify", s.handleOfficer)
	s.mux.HandleFunc("POST /api/esignature/citizen/verify", s.handleCitizen)
	s.mux.HandleFunc("POST /api/esignature/owner", s.handleOwner)
}

// esError is the API's error object and its 400 body; an access token's
// 401 adds jsonwebtoken's dates: expiredAt (TokenExpiredError) or date
// (NotBeforeError).
type esError struct {
	Code             string     `json:"code"`
	Message          string     `json:"message"`
	LocalizedMessage string     `json:"localizedMessage"`
	ExpiredAt        *time.Time `json:"expiredAt,omitempty"`
	Date             *time.Time `json:"date,omitempty"`
}

type esResult struct {
	IsValid bool     `json:"isValid"`
	Error   *esError `json:"error"`
}

type ownerReply struct {
	FullName string `json:"fullName"`
	DRFO     string `json:"drfo"`
	EDRPOU   string `json:"edrpou"`
}

func newESError(r *http.Request, code string) *esError {
	en, loc := localize(r, code)
	return &esError{Code: code, Message: en, LocalizedMessage: loc}
}

func (s *server) esFail(w http.ResponseWriter, r *http.Request, status int, code string) {
	writeJSON(w, status, newESError(r, code))
}

// esUser authenticates X-Access-Token for endpoint (officer, citizen,
// owner): the site's identity provider's token when Config.Access is set
// (with that endpoint's options), else, or when it accepts them, an
// eimzo-web session JWT. It writes the 401 (or 503) itself.
func (s *server) esUser(w http.ResponseWriter, r *http.Request, endpoint string) (*auth.Claims, bool) {
	tok := r.Header.Get("X-Access-Token")
	if tok == "" {
		s.esFail(w, r, http.StatusUnauthorized, "ERROR_ACCESS_TOKEN_MISSING")
		return nil, false
	}
	c, err := s.cfg.Access.Authenticate(r.Context(), tok, endpoint, s.cfg.Auth)
	if err == nil {
		return c, true
	}
	var ae *auth.Error
	if !errors.As(err, &ae) {
		ae = &auth.Error{Code: "INTERNAL", Err: err}
	}
	// The reason stays in the server's log (never the token): the API's
	// codes are coarse on purpose.
	s.cfg.Logger.Info("access token refused", "endpoint", endpoint, "code", string(ae.Code), "reason", ae.Err.Error())
	switch ae.Code {
	case auth.CodeStoreUnavailable, auth.CodeJWTKeysUnavailable:
		s.esFail(w, r, http.StatusServiceUnavailable, string(ae.Code))
		return nil, false
	}
	e := newESError(r, "ERROR_ACCESS_TOKEN_INVALID")
	if ae.Code == auth.CodeJWTExpired || ae.Code == auth.CodeJWTTooOld {
		e = newESError(r, "ERROR_ACCESS_TOKEN_EXPIRED")
	}
	e.ExpiredAt, e.Date = timePtr(ae.ExpiredAt), timePtr(ae.Date)
	writeJSON(w, http.StatusUnauthorized, e)
	return nil, false
}

// timePtr is nil for the zero time.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// esVerify decodes the signature and data and verifies them. It returns the
// report and the first error code ("" when valid), or writes a 400.
func (s *server) esVerify(w http.ResponseWriter, r *http.Request, signature, data string) (*verify.Report, string, bool) {
	der, err := decodeB64(signature)
	if err != nil {
		s.esFail(w, r, http.StatusBadRequest, "ERROR_SIGNATURE_FORMAT")
		return nil, "", false
	}
	var content []byte
	if data != "" {
		if content, err = decodeB64(data); err != nil {
			s.esFail(w, r, http.StatusBadRequest, "ERROR_DATA_FORMAT")
			return nil, "", false
		}
	}
	sd, err := cms.Parse(der)
	if err != nil {
		s.esFail(w, r, http.StatusBadRequest, "ERROR_SIGNATURE_FORMAT")
		return nil, "", false
	}
	if sd.Detached() && content == nil {
		s.esFail(w, r, http.StatusBadRequest, "ERROR_DATA_FORMAT")
		return nil, "", false
	}
	ctx, cancel := ctxTimeout(r)
	defer cancel()
	rep, err := s.cfg.Verifier.VerifyParsed(ctx, sd, content)
	s.auditVerify(r, rep, err)
	switch {
	case rep == nil:
		return nil, esVerifyCode(verifyCode(err)), true
	case len(rep.Signers) != 1:
		return rep, "ERROR_SIGNERS_COUNT", true
	case err != nil:
		return rep, esVerifyCode(verifyCode(err)), true
	}
	return rep, "", true
}

// esVerifyCode maps a web/verify code to the API's.
func esVerifyCode(code string) string {
	switch verify.Code(code) {
	case verify.CodeDigestMismatch:
		return "ERROR_DATA_HASH_MISMATCH"
	case verify.CodeChainInvalid, verify.CodeCertExpired, verify.CodeCertUsage:
		return "ERROR_CERTIFICATE_INVALID"
	case verify.CodeRevoked:
		return "ERROR_CERTIFICATE_REVOKED"
	case verify.CodeRevocationUnknown:
		return "ERROR_CERTIFICATE_STATUS"
	case verify.CodeTimestampInvalid, verify.CodeTimestampCert, verify.CodeTimestampCertStatus:
		return "ERROR_TIMESTAMP_INVALID"
	}
	return "ERROR_SIGNATURE_INVALID"
}

// timed checks that the signer's time-stamp is within timeout of now.
func (s *server) timed(rep *verify.Report, timeout time.Duration) string {
	ts := rep.Signers[0].Timestamp
	if ts == nil || !ts.Verified {
		return "ERROR_NO_TIMESTAMP"
	}
	if d := s.cfg.Now().Sub(ts.Time); d > timeout || d < -timeout {
		return "ERROR_SIGNATURE_TIMEOUT"
	}
	return ""
}

// sameName compares full names as people write them: case, spacing and
// the apostrophes of Uzbek Latin (ʻ ‘ ’ ` ') do not matter.
func sameName(a, b string) bool {
	norm := func(s string) string {
		s = strings.Map(func(r rune) rune {
			switch r {
			case 'ʻ', 'ʼ', '‘', '’', '`', '´':
				return '\''
			}
			return r
		}, strings.ToUpper(s))
		return strings.Join(strings.Fields(s), " ")
	}
	return norm(a) == norm(b)
}

// edrpou is the ЄДРПОУ of a rule set: the organisation TIN; for an
// entrepreneur (a YATT has an organisation name but no organisation TIN)
// the personal TIN.
func edrpou(orgTIN, tin, org string, entrepreneur bool) string {
	if orgTIN == "" && entrepreneur && org != "" {
		return tin
	}
	return orgTIN
}

// officerRules is the officer's validator, also used for ENTREPRENEUR and
// LEGAL: valid, time-stamped, within the timeout, data intact, and the
// signer is the user: full name, PINFL and EDRPOU present and equal.
func (s *server) officerRules(rep *verify.Report, code string, u *auth.Claims, entrepreneur bool) string {
	if code != "" {
		return code
	}
	if c := s.timed(rep, s.cfg.SignTimeout); c != "" {
		return c
	}
	id := rep.Signers[0].Identity
	sigE := edrpou(id.OrgTIN, id.TIN, id.Organization, entrepreneur)
	userE := edrpou(u.OrgTIN, u.TIN, u.Organization, entrepreneur)
	switch {
	case id.FullName == "":
		return "ERROR_EMPTY_NAME"
	case id.PINFL == "":
		return "ERROR_EMPTY_DRFO"
	case sigE == "":
		return "ERROR_EMPTY_EDRPOU"
	case !sameName(id.FullName, u.Name):
		return "ERROR_SIGNATURE_NAME_MISMATCH"
	case id.PINFL != u.PINFL:
		return "ERROR_SIGNATURE_DRFO_MISMATCH"
	case sigE != userE:
		return "ERROR_SIGNATURE_EDRPOU_MISMATCH"
	}
	return ""
}

// citizenRules: valid, time-stamped, a natural person's signature (full
// name and PINFL, no EDRPOU) by a natural person's session, within the
// timeout, and the signer is the user.
func (s *server) citizenRules(rep *verify.Report, code string, u *auth.Claims) string {
	if code != "" {
		return code
	}
	if ts := rep.Signers[0].Timestamp; ts == nil || !ts.Verified {
		return "ERROR_NO_TIMESTAMP"
	}
	id := rep.Signers[0].Identity
	switch {
	case id.FullName == "":
		return "ERROR_EMPTY_NAME"
	case id.PINFL == "":
		return "ERROR_EMPTY_DRFO"
	case id.OrgTIN != "":
		return "ERROR_SIGNATURE_HAS_EDRPOU"
	case u.Name == "":
		return "ERROR_USER_EMPTY_NAME"
	case u.PINFL == "":
		return "ERROR_USER_EMPTY_DRFO"
	case u.OrgTIN != "":
		return "ERROR_USER_HAS_EDRPOU"
	}
	if c := s.timed(rep, s.cfg.SignTimeout); c != "" {
		return c
	}
	switch {
	case !sameName(id.FullName, u.Name):
		return "ERROR_SIGNATURE_NAME_MISMATCH"
	case id.PINFL != u.PINFL:
		return "ERROR_SIGNATURE_DRFO_MISMATCH"
	}
	return ""
}

func (s *server) esAnswer(w http.ResponseWriter, r *http.Request, code string) {
	if code == "" {
		writeJSON(w, http.StatusOK, esResult{IsValid: true})
		return
	}
	writeJSON(w, http.StatusOK, esResult{Error: newESError(r, code)})
}

// esRequest reads {"signature", "data"} and verifies it (esVerify).
func (s *server) esRequest(w http.ResponseWriter, r *http.Request) (*verify.Report, string, bool) {
	var req struct {
		Signature string `json:"signature"`
		Data      string `json:"data"`
	}
	if err := decodeJSON(w, r, MaxBodyBytes, &req); err != nil {
		s.esFail(w, r, http.StatusBadRequest, "ERROR_BAD_REQUEST")
		return nil, "", false
	}
	return s.esVerify(w, r, req.Signature, req.Data)
}

// handleOfficer: POST /api/esignature/officer/verify.
func (s *server) handleOfficer(w http.ResponseWriter, r *http.Request) {
	u, ok := s.esUser(w, r, "officer")
	if !ok {
		return
	}
	rep, code, ok := s.esRequest(w, r)
	if !ok {
		return
	}
	s.esAnswer(w, r, s.officerRules(rep, code, u, false))
}

// handleCitizen: POST /api/esignature/citizen/verify. Valid when any of
// allowedSubjects' rule sets passes; otherwise the first set's error.
func (s *server) handleCitizen(w http.ResponseWriter, r *http.Request) {
	u, ok := s.esUser(w, r, "citizen")
	if !ok {
		return
	}
	var req struct {
		AllowedSubjects []string `json:"allowedSubjects"`
		Signature       string   `json:"signature"`
		Data            string   `json:"data"`
	}
	if err := decodeJSON(w, r, MaxBodyBytes, &req); err != nil {
		s.esFail(w, r, http.StatusBadRequest, "ERROR_BAD_REQUEST")
		return
	}
	if len(req.AllowedSubjects) == 0 {
		s.esFail(w, r, http.StatusBadRequest, "ERROR_ALLOWED_SUBJECTS")
		return
	}
	for _, sub := range req.AllowedSubjects {
		if sub != "CITIZEN" && sub != "ENTREPRENEUR" && sub != "LEGAL" {
			s.esFail(w, r, http.StatusBadRequest, "ERROR_ALLOWED_SUBJECTS")
			return
		}
	}
	rep, code, ok := s.esVerify(w, r, req.Signature, req.Data)
	if !ok {
		return
	}
	first := ""
	for _, sub := range req.AllowedSubjects {
		var c string
		switch sub {
		case "CITIZEN":
			c = s.citizenRules(rep, code, u)
		case "ENTREPRENEUR":
			c = s.officerRules(rep, code, u, true)
		case "LEGAL":
			c = s.officerRules(rep, code, u, false)
		}
		if c == "" {
			s.esAnswer(w, r, "")
			return
		}
		if first == "" {
			first = c
		}
	}
	s.esAnswer(w, r, first)
}

// handleOwner: POST /api/esignature/owner: who signed, when the signature
// is valid and was made (time-stamp, else signing-time) within the owner
// timeout. Failures are 400 with the error object.
func (s *server) handleOwner(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.esUser(w, r, "owner"); !ok {
		return
	}
	rep, code, ok := s.esRequest(w, r)
	if !ok {
		return
	}
	if code == "" {
		sr := rep.Signers[0]
		var at *time.Time
		if sr.Timestamp != nil && sr.Timestamp.Verified {
			at = &sr.Timestamp.Time
		} else if sr.SigningTime != nil {
			at = sr.SigningTime
		}
		if at == nil {
			code = "ERROR_NO_TIMESTAMP"
		} else if d := s.cfg.Now().Sub(*at); d > s.cfg.OwnerTimeout || d < -s.cfg.OwnerTimeout {
			code = "ERROR_SIGNATURE_TIMEOUT"
		}
	}
	if code != "" {
		s.esFail(w, r, http.StatusBadRequest, code)
		return
	}
	id := rep.Signers[0].Identity
	writeJSON(w, http.StatusOK, ownerReply{FullName: id.FullName, DRFO: id.PINFL, EDRPOU: id.OrgTIN})
}
