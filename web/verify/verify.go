package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"github.com/eimzokit/eimzokit/web/revocation"
)

// RevocationPolicy says what happens when no fresh revocation status is
// found.
type RevocationPolicy int

// Revocation policies.
const (
	// Require: no fresh status makes the signature INDETERMINATE.
	Require RevocationPolicy = iota
	// SoftFail: no fresh status is noted in the report, and the signature
	// passes; a REVOKED answer still fails it.
	SoftFail
)

// ClockSkew is how far ahead of the verifier's clock a signing time or a
// time-stamp may be.
const ClockSkew = 5 * time.Minute

// Option configures [New].
type Option func(*Verifier)

// WithRoots sets the trust anchors.
func WithRoots(roots ...*x509.Certificate) Option {
	return func(v *Verifier) { v.roots = append(v.roots, roots...) }
}

// WithIntermediates adds CA certificates to build chains with, besides those
// in each CMS.
func WithIntermediates(certs ...*x509.Certificate) Option {
	return func(v *Verifier) { v.intermediates = append(v.intermediates, certs...) }
}

// WithAlgorithms sets the accepted algorithms (default [sigalg.Default]);
// this is where GOST plugs in.
func WithAlgorithms(reg *sigalg.Registry) Option { return func(v *Verifier) { v.reg = reg } }

// WithRevocation checks every certificate of each chain (but the trust
// anchor) with c, under policy. Without it revocation is not checked, and
// reports say so.
func WithRevocation(c *revocation.Checker, policy RevocationPolicy) Option {
	return func(v *Verifier) { v.rev, v.policy = c, policy }
}

// WithClock sets the clock ("now").
func WithClock(now func() time.Time) Option { return func(v *Verifier) { v.now = now } }

// WithValidationTime verifies as of t instead of now: the "now" that
// signing times and time-stamps may not be after, and the time of the
// chain when the CMS carries no time of its own. Real E-IMZO signatures
// made while their certificates were valid (they expire after two years)
// are checked this way.
func WithValidationTime(t time.Time) Option {
	return WithClock(func() time.Time { return t })
}

// Verifier verifies CMS signatures against trust anchors. It is safe for
// concurrent use.
type Verifier struct {
	roots         []*x509.Certificate
	intermediates []*x509.Certificate
	reg           *sigalg.Registry
	rev           *revocation.Checker
	policy        RevocationPolicy
	now           func() time.Time
	sigCache      sigCache
}

// New returns a verifier; give it trust anchors with WithRoots.
func New(opts ...Option) *Verifier {
	v := &Verifier{reg: sigalg.Default(), now: time.Now}
	for _, o := range opts {
		o(v)
	}
	return v
}

// Algorithms returns the verifier's algorithm registry.
func (v *Verifier) Algorithms() *sigalg.Registry { return v.reg }

// Roots returns the trust anchors (a new slice).
func (v *Verifier) Roots() []*x509.Certificate { return append([]*x509.Certificate(nil), v.roots...) }

// ParseRoots reads PEM certificates (trust anchors).
func ParseRoots(pemBytes []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, pemBytes = pem.Decode(pemBytes)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("verify: no PEM certificate")
	}
	return out, nil
}

// Report is the outcome of a verification (shaped after ETSI EN 319 102-1
// and the EU DSS simple report).
type Report struct {
	Indication    Indication `json:"indication"`
	SubIndication string     `json:"subIndication,omitempty"`
	// Level is the lowest level the signers reached: "B" (basic) or "T"
	// (with a verified time-stamp); "" when no signer passed.
	Level          string    `json:"level,omitempty"`
	ValidationTime time.Time `json:"validationTime"`
	Detached       bool      `json:"detached"`
	ContentType    string    `json:"contentType"`
	// Content is the signed data (for a detached CMS, the data given).
	Content []byte `json:"-"`
	// DataSHA256 is the hex SHA-256 of Content, for audit logs (with
	// VerifyHash: the document's digest given).
	DataSHA256 string `json:"dataSha256"`
	// HashForm, with VerifyHash, says how the CMS covers the digest:
	// HashAsContent or HashAsMessageDigest.
	HashForm string         `json:"hashForm,omitempty"`
	Signers  []SignerReport `json:"signers"`
}

// SignerReport is the outcome for one SignerInfo.
type SignerReport struct {
	Indication    Indication `json:"indication"`
	SubIndication string     `json:"subIndication,omitempty"`
	Level         string     `json:"level,omitempty"`
	Code          Code       `json:"code,omitempty"`
	Message       string     `json:"message,omitempty"`

	Identity     Identity  `json:"identity"`
	SerialNumber string    `json:"serialNumber,omitempty"` // lowercase hex, as E-IMZO writes it
	Issuer       string    `json:"issuer,omitempty"`
	NotBefore    time.Time `json:"notBefore,omitzero"`
	NotAfter     time.Time `json:"notAfter,omitzero"`

	// SigningTime is the signing-time attribute, as the signer claims it.
	SigningTime *time.Time `json:"signingTime,omitempty"`
	// BestSignatureTime is when the signer's certificates were judged:
	// the time-stamp's time, else the signing-time, else the validation time.
	BestSignatureTime time.Time `json:"bestSignatureTime"`
	TimeSource        string    `json:"timeSource"` // "timestamp", "signing-time" or "now"

	DigestAlgorithm    string `json:"digestAlgorithm,omitempty"`
	SignatureAlgorithm string `json:"signatureAlgorithm,omitempty"`
	Digest             string `json:"digest,omitempty"`    // hex message-digest attribute
	Signature          string `json:"signature,omitempty"` // hex signature value

	Chain      []ChainCert      `json:"chain,omitempty"` // signer first, trust anchor last
	Revocation RevocationReport `json:"revocation"`
	Timestamp  *TimestampReport `json:"timestamp,omitempty"`

	Certificate *x509.Certificate `json:"-"`
}

// ChainCert is one certificate of a chain.
type ChainCert struct {
	Subject      string             `json:"subject"`
	Issuer       string             `json:"issuer"`
	SerialNumber string             `json:"serialNumber"`
	NotBefore    time.Time          `json:"notBefore"`
	NotAfter     time.Time          `json:"notAfter"`
	TrustAnchor  bool               `json:"trustAnchor,omitempty"`
	Status       *revocation.Result `json:"status,omitempty"`
	Certificate  *x509.Certificate  `json:"-"`
}

// RevocationReport sums up the revocation checks of a chain.
type RevocationReport struct {
	// Checked is "yes", "no" (no checker configured) or "soft-fail" (no
	// fresh status, and the policy let it pass).
	Checked string `json:"checked"`
	Detail  string `json:"detail,omitempty"`
}

// TimestampReport is a verified (or refused) time-stamp token.
type TimestampReport struct {
	Time           time.Time   `json:"time"`
	Policy         string      `json:"policy"`
	SerialNumber   string      `json:"serialNumber"`
	TSA            string      `json:"tsa"`
	HashAlgorithm  string      `json:"hashAlgorithm"`
	ImprintOID     string      `json:"messageImprintAlgOID"`
	Imprint        string      `json:"messageImprintDigest"` // hex
	Verified       bool        `json:"verified"`             // the token's signature and TSA chain
	DigestVerified bool        `json:"digestVerified"`       // the imprint is the hash of the signature
	Chain          []ChainCert `json:"chain,omitempty"`
	Code           Code        `json:"code,omitempty"`
	Message        string      `json:"message,omitempty"`
}

// Err returns the first failing signer's error, nil when the report passed.
func (r *Report) Err() error {
	if r.Indication == TotalPassed {
		return nil
	}
	for i := range r.Signers {
		if s := &r.Signers[i]; s.Indication != TotalPassed {
			return &Error{Code: s.Code, Err: fmt.Errorf("signer %d: %s", i+1, s.Message)}
		}
	}
	return &Error{Code: CodeNoSigner, Err: errors.New("no signer")}
}

// Verify checks der, a CMS SignedData in DER or BER. For a detached CMS,
// data is the signed content; for an attached one, data, when given, must
// equal the content. Every signer is verified: its signature over the
// signed attributes and their message digest over the data (RFC 5652
// §5.4, §5.6); its time-stamp tokens (RFC 3161); its chain to a trust
// anchor, with intermediates from the CMS, at the best signature time; and
// the revocation status of the chain.
//
// It returns a report whenever the CMS parses, and an *Error when the
// report is not TOTAL_PASSED (for several signers, the first failure).
func (v *Verifier) Verify(ctx context.Context, der, data []byte) (*Report, error) {
	sd, err := cms.Parse(der)
	if err != nil {
		return nil, &Error{Code: CodeMalformed, Err: err}
	}
	return v.VerifyParsed(ctx, sd, data)
}

// VerifyParsed is Verify for a parsed CMS.
func (v *Verifier) VerifyParsed(ctx context.Context, sd *cms.SignedData, data []byte) (*Report, error) {
	content := sd.Content
	switch {
	case sd.Detached() && data == nil:
		return nil, &Error{Code: CodeDataMissing, Err: errors.New("the CMS is detached and no data was given")}
	case sd.Detached():
		content = data
	case data != nil && !bytes.Equal(data, sd.Content):
		return nil, &Error{Code: CodeDigestMismatch, Err: errors.New("the given data differs from the signed content")}
	}
	if len(sd.Signers) == 0 {
		return nil, &Error{Code: CodeNoSigner, Err: errors.New("no SignerInfo")}
	}
	sum := sha256.Sum256(content)
	return v.verifySigners(ctx, sd, content, sum[:], map[string][]byte{})
}

// verifySigners verifies every signer of sd over content; digests holds
// the content's digests by algorithm OID, computed once for several signers
// (VerifyHash seeds it with a digest it was given); sum is the document's
// SHA-256 for the report.
func (v *Verifier) verifySigners(ctx context.Context, sd *cms.SignedData, content, sum []byte, digests map[string][]byte) (*Report, error) {
	now := v.now()
	rep := &Report{ValidationTime: now, Detached: sd.Detached(), ContentType: sd.ContentType.String()}
	rep.Content = content
	rep.DataSHA256 = hex.EncodeToString(sum)
	for _, si := range sd.Signers {
		rep.Signers = append(rep.Signers, v.verifySigner(ctx, sd, si, content, digests, now))
	}
	rep.Indication, rep.Level = TotalPassed, "T"
	for _, s := range rep.Signers {
		if s.Indication != TotalPassed {
			if rep.Indication == TotalPassed || (rep.Indication == Indeterminate && s.Indication == TotalFailed) {
				rep.Indication, rep.SubIndication = s.Indication, s.SubIndication
			}
			continue
		}
		if s.Level == "B" {
			rep.Level = "B"
		}
	}
	if rep.Indication != TotalPassed {
		rep.Level = ""
	}
	return rep, rep.Err()
}

func (v *Verifier) verifySigner(ctx context.Context, sd *cms.SignedData, si *cms.SignerInfo, content []byte, digests map[string][]byte, now time.Time) SignerReport {
	sr := SignerReport{Indication: TotalPassed, Level: "B", BestSignatureTime: now, TimeSource: "now",
		DigestAlgorithm: v.reg.Name(si.DigestAlgorithm.Algorithm), SignatureAlgorithm: v.reg.Name(si.SignatureAlgorithm.Algorithm),
		Signature: hex.EncodeToString(si.Signature), Revocation: RevocationReport{Checked: "no"}}
	if f := v.checkSigner(ctx, sd, si, content, digests, now, &sr); f != nil {
		sr.Indication, sr.SubIndication, sr.Code, sr.Message, sr.Level = f.indication, f.sub, f.code, f.msg, ""
	}
	return sr
}

// checkSigner runs the checks in the order that reports the most basic
// failure first: a tampered document is reported as such whatever its
// certificates say.
func (v *Verifier) checkSigner(ctx context.Context, sd *cms.SignedData, si *cms.SignerInfo, content []byte, digests map[string][]byte, now time.Time, sr *SignerReport) *failure {
	pool := v.pool(sd)
	cert := si.Certificate(pool)
	if cert == nil {
		msg := "the signer's certificate is not in the CMS"
		if len(sd.CertificateErrors) != 0 {
			msg += fmt.Sprintf(" (a certificate did not parse: %v)", sd.CertificateErrors[0])
		}
		return fail(CodeNoSigner, Indeterminate, SubNoSigningCertFound, msg)
	}
	sr.Certificate, sr.Identity, sr.SerialNumber, sr.Issuer = cert, IdentityOf(cert), cert.SerialNumber.Text(16), cert.Issuer.String()
	sr.NotBefore, sr.NotAfter = cert.NotBefore, cert.NotAfter

	// The signature and the data (RFC 5652 §5.4, §5.6).
	h, err := v.reg.Hash(si.DigestAlgorithm.Algorithm)
	if err != nil {
		return fail(CodeUnsupported, Indeterminate, SubCryptoConstraints, err.Error())
	}
	key := si.DigestAlgorithm.Algorithm.String()
	digest, ok := digests[key]
	if !ok {
		d := h.New()
		d.Write(content)
		digest = d.Sum(nil)
		digests[key] = digest
	}
	if md, err := si.MessageDigest(); err == nil && md != nil {
		sr.Digest = hex.EncodeToString(md)
	} else if si.SignedBytes() == nil {
		sr.Digest = hex.EncodeToString(digest)
	}
	if f := signatureFailure(si.CheckDigest(v.reg, cert, sd.ContentType, digest)); f != nil {
		return f
	}

	// Time: the time-stamp, else the signing-time attribute, else now.
	st, hasST, err := si.SigningTime()
	if err != nil {
		return fail(CodeMalformed, Indeterminate, SubFormatFailure, err.Error())
	}
	if hasST {
		sr.SigningTime = &st
		sr.BestSignatureTime, sr.TimeSource = st, "signing-time"
		if st.After(now.Add(ClockSkew)) {
			return fail(CodeSigningTime, Indeterminate, SubSigConstraints, fmt.Sprintf("the signing time %s is in the future", stamp(st)))
		}
	}
	if ts, f := v.timestamps(ctx, si, pool, now); f != nil {
		sr.Timestamp = ts
		return f
	} else if ts != nil {
		sr.Timestamp, sr.Level = ts, "T"
		if hasST && st.After(ts.Time.Add(ClockSkew)) {
			return fail(CodeSigningTime, Indeterminate, SubSigConstraints, fmt.Sprintf("the signing time %s is after the time-stamp %s", stamp(st), stamp(ts.Time)))
		}
		sr.BestSignatureTime, sr.TimeSource = ts.Time, "timestamp"
	}
	t := sr.BestSignatureTime

	// The signer's certificate and chain at that time (RFC 5280 §6).
	if cert.KeyUsage != 0 && cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return fail(CodeCertUsage, Indeterminate, SubChainConstraints, "the signer's key usage allows neither digitalSignature nor nonRepudiation")
	}
	if t.Before(cert.NotBefore) {
		return fail(CodeCertExpired, TotalFailed, SubNotYetValid, fmt.Sprintf("the certificate is valid from %s, the signature was made %s", stamp(cert.NotBefore), stamp(t)))
	}
	if t.After(cert.NotAfter) {
		return fail(CodeCertExpired, Indeterminate, SubOutOfBoundsNoPOE, fmt.Sprintf("the certificate expired %s, the signature was made %s", stamp(cert.NotAfter), stamp(t)))
	}
	chain, err := v.buildChain(cert, pool, t)
	if err != nil {
		var ce *chainError
		sub := SubNoChainFound
		if errors.As(err, &ce) {
			sub = ce.sub
		}
		if errors.Is(err, sigalg.ErrUnsupported) {
			return fail(CodeUnsupported, Indeterminate, SubCryptoConstraints, err.Error())
		}
		return fail(CodeChainInvalid, Indeterminate, sub, err.Error())
	}
	sr.Chain = chainCerts(chain)

	// Revocation of every certificate but the anchor.
	var poe *time.Time
	if sr.Timestamp != nil {
		poe = &sr.Timestamp.Time
	}
	return v.checkRevocation(ctx, sr.Chain, poe, &sr.Revocation, false)
}

// pool is the certificates chains are built from: the CMS's, then the
// configured intermediates (a new slice: sd is not written to).
func (v *Verifier) pool(sd *cms.SignedData) []*x509.Certificate {
	return append(append(make([]*x509.Certificate, 0, len(sd.Certificates)+len(v.intermediates)), sd.Certificates...), v.intermediates...)
}

// signatureFailure maps the outcome of cms.SignerInfo.CheckDigest.
func signatureFailure(err error) *failure {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, cms.ErrUnsupported):
		return fail(CodeUnsupported, Indeterminate, SubCryptoConstraints, err.Error())
	case errors.Is(err, cms.ErrAttributes):
		return fail(CodeMalformed, Indeterminate, SubFormatFailure, err.Error())
	case errors.Is(err, cms.ErrDigestMismatch):
		return fail(CodeDigestMismatch, TotalFailed, SubHashFailure, "the data is not what was signed: its digest differs from the message-digest attribute")
	}
	return fail(CodeSignatureInvalid, TotalFailed, SubSigCryptoFailure, err.Error())
}

func chainCerts(chain []*x509.Certificate) []ChainCert {
	out := make([]ChainCert, len(chain))
	for i, c := range chain {
		out[i] = ChainCert{Subject: c.Subject.String(), Issuer: c.Issuer.String(), SerialNumber: c.SerialNumber.Text(16),
			NotBefore: c.NotBefore, NotAfter: c.NotAfter, TrustAnchor: i == len(chain)-1, Certificate: c}
	}
	return out
}

// compromised reasons make a revocation reach back before its date.
func compromised(reason int) bool { return reason == 1 || reason == 2 || reason == 10 }

// checkRevocation asks for the status of each certificate of chain but the
// anchor. poe is the time a time-stamp proves the signature existed at: a
// revocation after it does not invalidate the signature (ETSI EN 319 102-1
// §5.6.2.1). tsa selects the time-stamp's codes.
func (v *Verifier) checkRevocation(ctx context.Context, chain []ChainCert, poe *time.Time, rr *RevocationReport, tsa bool) *failure {
	if v.rev == nil {
		return nil
	}
	rr.Checked = "yes"
	for i := 0; i+1 < len(chain); i++ {
		c := &chain[i]
		res, err := v.rev.Check(ctx, c.Certificate, chain[i+1].Certificate)
		if err != nil {
			if v.policy == SoftFail {
				rr.Checked, rr.Detail = "soft-fail", err.Error()
				continue
			}
			code := CodeRevocationUnknown
			if tsa {
				code = CodeTimestampCertStatus
			}
			return fail(code, Indeterminate, SubTryLater, err.Error())
		}
		c.Status = res
		if res.Status != revocation.Revoked {
			continue
		}
		if poe != nil && poe.Before(res.RevokedAt) && !(tsa && compromised(res.Reason)) {
			rr.Detail = fmt.Sprintf("%q was revoked %s, after the time-stamp", c.Subject, stamp(res.RevokedAt))
			continue
		}
		msg := fmt.Sprintf("%q is revoked since %s (reason %d)", c.Subject, stamp(res.RevokedAt), res.Reason)
		switch {
		case tsa:
			return fail(CodeTimestampCertStatus, Indeterminate, SubRevokedNoPOE, msg)
		case poe != nil:
			return fail(CodeRevoked, TotalFailed, SubRevoked, msg)
		case i > 0:
			return fail(CodeRevoked, Indeterminate, SubRevokedCANoPOE, msg)
		}
		return fail(CodeRevoked, Indeterminate, SubRevokedNoPOE, msg)
	}
	return nil
}
