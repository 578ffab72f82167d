package server

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/eimzokit/eimzokit/web/audit"
	"github.com/eimzokit/eimzokit/web/auth"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	gostcert "github.com/eimzokit/eimzokit/web/crypto/gost/cert"
	"github.com/eimzokit/eimzokit/web/verify"
)

// E-IMZO-SERVER's API (PROTOCOL.md §8), so apps written for it run against
// this backend: raw text bodies, detached pairs as `data64|pkcs7_64`, HTTP
// 200 with the outcome in `status` (1 = OK, negative = the failure), 400
// for a request that cannot be read, 503 when a service behind is down.
// Dates are `yyyy-MM-dd HH:mm:ss` in Tashkent time.

// Status codes of E-IMZO-SERVER.
const (
	statusOK               = 1
	statusBadRequest       = 0   // ours: the body cannot be read (with HTTP 400)
	statusCertStatus       = -1  // the certificate's status check failed
	statusSigningTime      = -5  // the signing time is off (client clock)
	statusSignature        = -10 // the signature is invalid
	statusCert             = -11 // the certificate is invalid
	statusCertAtSigning    = -12 // the certificate was not valid at signing time
	statusChallenge        = -20 // challenge unknown or expired (/backend/auth)
	statusTSACertStatus    = -20 // the TSA certificate's status failed (verify)
	statusTimestamp        = -21 // the time-stamp's signature or hash is invalid
	statusTSACert          = -22 // the TSA certificate is invalid
	statusTSACertAtSigning = -23 // the TSA certificate was not valid at the time-stamp
)

// tashkent is UTC+5 all year (no daylight saving since 1992).
var tashkent = time.FixedZone("UZT", 5*3600)

func eimzoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(tashkent).Format("2006-01-02 15:04:05")
}

func (s *server) routesEIMZOServer() {
	s.mux.HandleFunc("GET /frontend/challenge", s.handleEIMZOChallenge)
	s.mux.HandleFunc("POST /backend/auth", s.handleEIMZOAuth)
	s.mux.HandleFunc("POST /frontend/timestamp/pkcs7", s.handleEIMZOTimestamp)
	s.mux.HandleFunc("POST /backend/pkcs7/verify/attached", func(w http.ResponseWriter, r *http.Request) { s.handleEIMZOVerify(w, r, false) })
	s.mux.HandleFunc("POST /backend/pkcs7/verify/detached", func(w http.ResponseWriter, r *http.Request) { s.handleEIMZOVerify(w, r, true) })
	s.mux.HandleFunc("POST /frontend/pkcs7/make-attached", s.handleEIMZOMakeAttached)
	s.mux.HandleFunc("POST /frontend/pkcs7/join", s.handleEIMZOJoin)
	s.routesEIMZOInfo()
}

type eimzoStatus struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
	Code    string `json:"code,omitempty"` // ours, for programs
}

func (s *server) eimzoFail(w http.ResponseWriter, httpStatus, status int, code, message string) {
	writeJSON(w, httpStatus, eimzoStatus{Status: status, Message: message, Code: code})
}

// siteHost is the site a server-to-server call is made for: the Java
// client sends X-Real-Host and X-Forwarded-Host besides Host.
func siteHost(r *http.Request) string {
	for _, h := range []string{"X-Real-Host", "X-Forwarded-Host"} {
		if v := r.Header.Get(h); v != "" {
			return v
		}
	}
	return r.Host
}

// readPKCS7s reads a raw body of n base64 parts joined by '|'.
func readParts(w http.ResponseWriter, r *http.Request, n int) ([][]byte, bool) {
	body, err := readBody(w, r, MaxBodyBytes)
	if err != nil {
		status, code := bodyStatus(err)
		writeJSON(w, status, eimzoStatus{Status: statusBadRequest, Message: "the body cannot be read", Code: code})
		return nil, false
	}
	parts := strings.Split(strings.TrimSpace(string(body)), "|")
	if len(parts) != n {
		writeJSON(w, http.StatusBadRequest, eimzoStatus{Status: statusBadRequest, Message: "expected " + map[int]string{1: "base64", 2: "base64|base64"}[n], Code: "BAD_REQUEST"})
		return nil, false
	}
	out := make([][]byte, n)
	for i, p := range parts {
		if out[i], err = decodeB64(p); err != nil {
			writeJSON(w, http.StatusBadRequest, eimzoStatus{Status: statusBadRequest, Message: "a part is not base64", Code: "BASE64_INVALID"})
			return nil, false
		}
	}
	return out, true
}

func parseCMS(w http.ResponseWriter, der []byte) (*cms.SignedData, bool) {
	sd, err := cms.Parse(der)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, eimzoStatus{Status: statusBadRequest, Message: err.Error(), Code: string(verify.CodeMalformed)})
		return nil, false
	}
	return sd, true
}

// handleEIMZOChallenge: GET /frontend/challenge.
func (s *server) handleEIMZOChallenge(w http.ResponseWriter, r *http.Request) {
	ch, err := s.cfg.Auth.NewChallenge(r.Context(), "host:"+siteHost(r))
	if err != nil {
		s.eimzoFail(w, http.StatusServiceUnavailable, -1, authCode(err), "the challenge store is unavailable")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Challenge string `json:"challenge"`
		TTL       int    `json:"ttl"`
		Status    int    `json:"status"`
		Message   string `json:"message"`
	}{ch.Value, int(s.cfg.Auth.ChallengeTTL().Seconds()), statusOK, ""})
}

// certInfo is E-IMZO-SERVER's subjectCertificateInfo.
type certInfo struct {
	SerialNumber string            `json:"serialNumber"`
	X500Name     string            `json:"X500Name"`
	SubjectName  map[string]string `json:"subjectName"`
	ValidFrom    string            `json:"validFrom"`
	ValidTo      string            `json:"validTo"`
}

// shortNames are the attribute names E-IMZO-SERVER's subjectName uses for
// the common attributes; others appear as dotted OIDs.
var shortNames = map[string]string{"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O",
	"2.5.4.11": "OU", "2.5.4.5": "SERIALNUMBER", "2.5.4.9": "STREET"}

func nameMap(n pkix.Name) map[string]string {
	m := map[string]string{}
	for _, atv := range n.Names {
		key := atv.Type.String()
		if short, ok := shortNames[key]; ok {
			key = short
		}
		if s, ok := atv.Value.(string); ok {
			if _, dup := m[key]; !dup {
				m[key] = s
			}
		}
	}
	return m
}

func infoOf(c *x509.Certificate) certInfo {
	return certInfo{SerialNumber: c.SerialNumber.Text(16), X500Name: c.Subject.String(), SubjectName: nameMap(c.Subject),
		ValidFrom: eimzoTime(c.NotBefore), ValidTo: eimzoTime(c.NotAfter)}
}

// eimzoStatusOf maps a web/verify code to E-IMZO-SERVER's status.
func eimzoStatusOf(code string, sub string) int {
	switch verify.Code(code) {
	case "":
		return statusOK
	case verify.CodeRevoked, verify.CodeRevocationUnknown:
		return statusCertStatus
	case verify.CodeSigningTime:
		return statusSigningTime
	case verify.CodeChainInvalid, verify.CodeCertUsage:
		return statusCert
	case verify.CodeCertExpired:
		return statusCertAtSigning
	case verify.CodeTimestampCertStatus:
		return statusTSACertStatus
	case verify.CodeTimestampInvalid:
		return statusTimestamp
	case verify.CodeTimestampCert:
		if sub == verify.SubOutOfBoundsNoPOE {
			return statusTSACertAtSigning
		}
		return statusTSACert
	}
	return statusSignature
}

// handleEIMZOAuth: POST /backend/auth with an attached CMS over a challenge
// from /frontend/challenge, for the same site.
func (s *server) handleEIMZOAuth(w http.ResponseWriter, r *http.Request) {
	ev := audit.Event{Event: "login", Origin: "host:" + siteHost(r)}
	parts, ok := readParts(w, r, 1)
	if !ok {
		return
	}
	sd, ok := parseCMS(w, parts[0])
	if !ok {
		return
	}
	answer := func(status int, code, msg string, info *certInfo) {
		ev.Result = code
		if status == statusOK {
			ev.Result = "OK"
		}
		s.audit(r, ev)
		body := struct {
			SubjectCertificateInfo *certInfo `json:"subjectCertificateInfo,omitempty"`
			eimzoStatus
		}{info, eimzoStatus{Status: status, Message: msg, Code: code}}
		writeJSON(w, http.StatusOK, body)
	}
	if sd.Detached() || len(sd.Signers) != 1 {
		answer(statusSignature, "BAD_REQUEST", "an attached CMS with one signer is expected", nil)
		return
	}
	challenge := string(sd.Content)
	ev.Challenge = auth.Hash(challenge)
	origin := "host:" + siteHost(r)
	if err := s.cfg.Auth.CheckChallenge(r.Context(), origin, challenge); err != nil {
		if authCode(err) == string(auth.CodeStoreUnavailable) {
			s.eimzoFail(w, http.StatusServiceUnavailable, -1, authCode(err), "the challenge store is unavailable")
			return
		}
		answer(statusChallenge, authCode(err), "the challenge is unknown, expired or used", nil)
		return
	}
	ctx, cancel := ctxTimeout(r)
	defer cancel()
	rep, err := s.cfg.Verifier.VerifyParsed(ctx, sd, nil)
	var info *certInfo
	if rep != nil && rep.Signers[0].Certificate != nil {
		i := infoOf(rep.Signers[0].Certificate)
		info = &i
		ev.Serial, ev.Subject, ev.Name = i.SerialNumber, userOf(rep.Signers[0]).Subject(), rep.Signers[0].Identity.FullName
	}
	if err != nil {
		sub := ""
		if rep != nil {
			sub = rep.Signers[0].SubIndication
		}
		answer(eimzoStatusOf(verifyCode(err), sub), verifyCode(err), err.Error(), info)
		return
	}
	if st := rep.Signers[0].SigningTime; st != nil && (st.Before(s.cfg.Now().Add(-s.cfg.LoginSkew)) || st.After(s.cfg.Now().Add(s.cfg.LoginSkew))) {
		answer(statusSigningTime, string(verify.CodeSigningTime), "the signing time is off: check the computer's clock", info)
		return
	}
	if err := s.cfg.Auth.ConsumeChallenge(r.Context(), origin, challenge); err != nil {
		answer(statusChallenge, authCode(err), "the challenge is unknown, expired or used", nil)
		return
	}
	answer(statusOK, "", "", info)
}

// handleEIMZOTimestamp: POST /frontend/timestamp/pkcs7 adds a token to each
// signer that has none.
func (s *server) handleEIMZOTimestamp(w http.ResponseWriter, r *http.Request) {
	parts, ok := readParts(w, r, 1)
	if !ok {
		return
	}
	if _, ok := parseCMS(w, parts[0]); !ok {
		return
	}
	if s.cfg.TSA == nil {
		s.eimzoFail(w, http.StatusServiceUnavailable, statusCertStatus, "TSA_UNAVAILABLE", "no time-stamping authority is configured")
		return
	}
	ctx, cancel := ctxTimeout(r)
	defer cancel()
	out, stamped, err := s.cfg.Verifier.Timestamp(ctx, parts[0], s.cfg.TSA)
	if err != nil {
		s.audit(r, audit.Event{Event: "timestamp", Result: verifyCode(err)})
		s.eimzoFail(w, http.StatusServiceUnavailable, statusCertStatus, verifyCode(err), err.Error())
		return
	}
	list := []certInfo{}
	for _, c := range stamped {
		list = append(list, infoOf(c))
	}
	s.audit(r, audit.Event{Event: "timestamp", Result: "OK", Signers: len(stamped)})
	writeJSON(w, http.StatusOK, struct {
		PKCS7B64 string     `json:"pkcs7b64"`
		Signers  []certInfo `json:"timestampedSignerList"`
		eimzoStatus
	}{base64.StdEncoding.EncodeToString(out), list, eimzoStatus{Status: statusOK}})
}

// certObject is an item of a Signer's certificate[] (§8).
type certObject struct {
	SubjectInfo  map[string]string `json:"subjectInfo"`
	IssuerInfo   map[string]string `json:"issuerInfo"`
	SerialNumber string            `json:"serialNumber"`
	SubjectName  string            `json:"subjectName"`
	IssuerName   string            `json:"issuerName"`
	ValidFrom    string            `json:"validFrom"`
	ValidTo      string            `json:"validTo"`
	PublicKey    struct {
		KeyAlgName string `json:"keyAlgName"`
		PublicKey  string `json:"publicKey"` // hex SubjectPublicKeyInfo
	} `json:"publicKey"`
	Signature struct {
		SignAlgName string `json:"signAlgName"`
		Signature   string `json:"signature"` // hex
	} `json:"signature"`
}

func objectOf(c *x509.Certificate) certObject {
	o := certObject{SubjectInfo: nameMap(c.Subject), IssuerInfo: nameMap(c.Issuer), SerialNumber: c.SerialNumber.Text(16),
		SubjectName: c.Subject.String(), IssuerName: c.Issuer.String(), ValidFrom: eimzoTime(c.NotBefore), ValidTo: eimzoTime(c.NotAfter)}
	o.PublicKey.KeyAlgName, o.Signature.SignAlgName = gostcert.AlgorithmNames(c) // E-IMZO's names: OZDST-… for GOST
	o.PublicKey.PublicKey, o.Signature.Signature = hex.EncodeToString(c.RawSubjectPublicKeyInfo), hex.EncodeToString(c.Signature)
	return o
}

type signerID struct {
	Issuer              string `json:"issuer"`
	SubjectSerialNumber string `json:"subjectSerialNumber"`
}

type revokedInfo struct {
	RevocationTime string `json:"revocationTime"`
	CRLReason      int    `json:"crlReason"`
}

type timeStampInfo struct {
	TSAPolicy            string `json:"tsaPolicy"`
	Time                 string `json:"time"`
	HashAlgorithm        string `json:"hashAlgorithm"`
	SerialNumber         string `json:"serialNumber"`
	TSA                  string `json:"tsa"`
	MessageImprintAlgOID string `json:"messageImprintAlgOID"`
	MessageImprintDigest string `json:"messageImprintDigest"`
	Verified             bool   `json:"verified"`
	DigestVerified       bool   `json:"digestVerified"`
}

// eimzoSigner is E-IMZO-SERVER's Signer object.
type eimzoSigner struct {
	SignerID                      signerID       `json:"signerId"`
	SigningTime                   string         `json:"signingTime"`
	Signature                     string         `json:"signature"`
	Digest                        string         `json:"digest"`
	Certificate                   []certObject   `json:"certificate"`
	OCSPResponse                  string         `json:"OCSPResponse,omitempty"`
	StatusUpdatedAt               string         `json:"statusUpdatedAt,omitempty"`
	StatusNextUpdateAt            string         `json:"statusNextUpdateAt,omitempty"`
	TrustedCertificate            *certObject    `json:"trustedCertificate"`
	PolicyIdentifiers             []string       `json:"policyIdentifiers"`
	RevokedStatusInfo             *revokedInfo   `json:"revokedStatusInfo"`
	Verified                      bool           `json:"verified"`
	CertificateVerified           bool           `json:"certificateVerified"`
	CertificateValidAtSigningTime bool           `json:"certificateValidAtSigningTime"`
	Exception                     *string        `json:"exception"`
	TimeStampInfo                 *timeStampInfo `json:"timeStampInfo"`
	// Ours, beyond E-IMZO-SERVER's fields.
	Indication    verify.Indication `json:"indication"`
	SubIndication string            `json:"subIndication,omitempty"`
	Level         string            `json:"level,omitempty"`
}

// signatureCodes are the failures that make `verified` false.
var signatureCodes = map[verify.Code]bool{verify.CodeSignatureInvalid: true, verify.CodeDigestMismatch: true,
	verify.CodeUnsupported: true, verify.CodeNoSigner: true, verify.CodeMalformed: true}

func signerOf(sr verify.SignerReport) eimzoSigner {
	es := eimzoSigner{Signature: sr.Signature, Digest: sr.Digest, Certificate: []certObject{}, PolicyIdentifiers: []string{},
		Indication: sr.Indication, SubIndication: sr.SubIndication, Level: sr.Level}
	if c := sr.Certificate; c != nil {
		es.SignerID = signerID{Issuer: c.Issuer.String(), SubjectSerialNumber: c.SerialNumber.Text(16)}
		for _, p := range c.PolicyIdentifiers {
			es.PolicyIdentifiers = append(es.PolicyIdentifiers, p.String())
		}
	}
	if sr.SigningTime != nil {
		es.SigningTime = eimzoTime(*sr.SigningTime)
	}
	for i, cc := range sr.Chain {
		o := objectOf(cc.Certificate)
		es.Certificate = append(es.Certificate, o)
		if cc.TrustAnchor {
			es.TrustedCertificate = &o
		}
		if i == 0 && cc.Status != nil {
			es.StatusUpdatedAt, es.StatusNextUpdateAt = eimzoTime(cc.Status.ThisUpdate), eimzoTime(cc.Status.NextUpdate)
			if cc.Status.OCSP != nil {
				es.OCSPResponse = base64.StdEncoding.EncodeToString(cc.Status.OCSP)
			}
			if !cc.Status.RevokedAt.IsZero() {
				es.RevokedStatusInfo = &revokedInfo{RevocationTime: eimzoTime(cc.Status.RevokedAt), CRLReason: cc.Status.Reason}
			}
		}
	}
	if len(es.Certificate) == 0 && sr.Certificate != nil {
		es.Certificate = append(es.Certificate, objectOf(sr.Certificate))
	}
	es.Verified = sr.Certificate != nil && !signatureCodes[sr.Code]
	es.CertificateVerified = len(sr.Chain) > 0
	es.CertificateValidAtSigningTime = es.Verified && sr.Code != verify.CodeCertExpired
	if sr.Code != "" {
		msg := string(sr.Code) + ": " + sr.Message
		es.Exception = &msg
	}
	if ts := sr.Timestamp; ts != nil {
		es.TimeStampInfo = &timeStampInfo{TSAPolicy: ts.Policy, Time: eimzoTime(ts.Time), HashAlgorithm: ts.HashAlgorithm,
			SerialNumber: ts.SerialNumber, TSA: ts.TSA, MessageImprintAlgOID: ts.ImprintOID, MessageImprintDigest: ts.Imprint,
			Verified: ts.Verified, DigestVerified: ts.DigestVerified}
	}
	return es
}

// handleEIMZOVerify: POST /backend/pkcs7/verify/attached (base64 CMS) and
// /detached (data64|pkcs7_64).
func (s *server) handleEIMZOVerify(w http.ResponseWriter, r *http.Request, detached bool) {
	n := 1
	if detached {
		n = 2
	}
	parts, ok := readParts(w, r, n)
	if !ok {
		return
	}
	var data []byte
	if detached {
		data, parts = parts[0], parts[1:]
	}
	sd, ok := parseCMS(w, parts[0])
	if !ok {
		return
	}
	if detached != sd.Detached() {
		writeJSON(w, http.StatusBadRequest, eimzoStatus{Status: statusBadRequest, Code: "BAD_REQUEST",
			Message: map[bool]string{true: "the CMS is attached: use /backend/pkcs7/verify/attached", false: "the CMS is detached: use /backend/pkcs7/verify/detached"}[!sd.Detached()]})
		return
	}
	ctx, cancel := ctxTimeout(r)
	defer cancel()
	rep, err := s.cfg.Verifier.VerifyParsed(ctx, sd, data)
	s.auditVerify(r, rep, err)
	if rep == nil {
		writeJSON(w, http.StatusOK, eimzoStatus{Status: eimzoStatusOf(verifyCode(err), ""), Message: err.Error(), Code: verifyCode(err)})
		return
	}
	type pkcs7Info struct {
		Signers        []eimzoSigner `json:"signers"`
		DocumentBase64 string        `json:"documentBase64,omitempty"`
	}
	info := pkcs7Info{}
	for _, sr := range rep.Signers {
		info.Signers = append(info.Signers, signerOf(sr))
	}
	if !detached {
		info.DocumentBase64 = base64.StdEncoding.EncodeToString(rep.Content)
	}
	st := eimzoStatus{Status: statusOK}
	if err != nil {
		sub := ""
		for _, sr := range rep.Signers {
			if sr.Code != "" {
				sub = sr.SubIndication
				break
			}
		}
		st = eimzoStatus{Status: eimzoStatusOf(verifyCode(err), sub), Message: err.Error(), Code: verifyCode(err)}
	}
	writeJSON(w, http.StatusOK, struct {
		PKCS7Info pkcs7Info `json:"pkcs7Info"`
		eimzoStatus
	}{info, st})
}

// handleEIMZOMakeAttached: POST /frontend/pkcs7/make-attached
// (data64|detached pkcs7_64): the data goes into the CMS, after each
// signer's message digest is checked against it.
func (s *server) handleEIMZOMakeAttached(w http.ResponseWriter, r *http.Request) {
	parts, ok := readParts(w, r, 2)
	if !ok {
		return
	}
	sd, ok := parseCMS(w, parts[1])
	if !ok {
		return
	}
	if err := sd.Attach(parts[0]); err != nil {
		writeJSON(w, http.StatusBadRequest, eimzoStatus{Status: statusBadRequest, Message: err.Error(), Code: "BAD_REQUEST"})
		return
	}
	reg := s.cfg.Verifier.Algorithms()
	for _, si := range sd.Signers {
		md, err := si.MessageDigest()
		if err != nil || md == nil {
			continue // signed without attributes: the signature itself covers the data, checked at verification
		}
		sum, err := reg.Sum(si.DigestAlgorithm.Algorithm, parts[0])
		if err != nil {
			s.eimzoFail(w, http.StatusOK, statusSignature, string(verify.CodeUnsupported), err.Error())
			return
		}
		if !bytes.Equal(sum, md) {
			s.eimzoFail(w, http.StatusOK, statusSignature, string(verify.CodeDigestMismatch), "the data is not what was signed")
			return
		}
	}
	s.writePKCS7(w, sd)
}

// handleEIMZOJoin: POST /frontend/pkcs7/join (pkcs7_64|pkcs7_64 over the
// same content): one CMS with both signer sets.
func (s *server) handleEIMZOJoin(w http.ResponseWriter, r *http.Request) {
	parts, ok := readParts(w, r, 2)
	if !ok {
		return
	}
	a, ok := parseCMS(w, parts[0])
	if !ok {
		return
	}
	b, ok := parseCMS(w, parts[1])
	if !ok {
		return
	}
	if err := a.Join(b); err != nil {
		code := "CMS_CONTENT_DIFFERS"
		if !errors.Is(err, cms.ErrContentDiffers) {
			code = string(verify.CodeMalformed)
		}
		writeJSON(w, http.StatusBadRequest, eimzoStatus{Status: statusBadRequest, Message: err.Error(), Code: code})
		return
	}
	s.writePKCS7(w, a)
}

// writePKCS7 answers {"pkcs7b64", "status": 1, "message": ""}.
func (s *server) writePKCS7(w http.ResponseWriter, sd *cms.SignedData) {
	out, err := sd.Marshal()
	if err != nil {
		s.eimzoFail(w, http.StatusInternalServerError, statusBadRequest, "INTERNAL", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, struct {
		PKCS7B64 string `json:"pkcs7b64"`
		eimzoStatus
	}{base64.StdEncoding.EncodeToString(out), eimzoStatus{Status: statusOK}})
}
