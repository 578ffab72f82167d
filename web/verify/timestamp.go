package verify

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"github.com/eimzokit/eimzokit/web/tsp"
)

var oidTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}

// timestamps checks the signer's time-stamp tokens (the unsigned attribute
// id-aa-timeStampToken, RFC 3161 App. A). With several, the earliest valid
// one counts; if none is valid, the first one's failure is returned. No
// token: nil, nil.
func (v *Verifier) timestamps(ctx context.Context, si *cms.SignerInfo, pool []*x509.Certificate, now time.Time) (*TimestampReport, *failure) {
	vals, ok, err := cms.Attr(si.UnsignedAttrs, cms.OIDAttrTimeStamp)
	if err != nil {
		return nil, fail(CodeTimestampInvalid, Indeterminate, SubFormatFailure, err.Error())
	}
	if !ok {
		return nil, nil
	}
	var best *TimestampReport
	var firstRep *TimestampReport
	var first *failure
	for _, token := range vals {
		ts, f := v.checkToken(ctx, token, si.Signature, pool, now)
		if f != nil {
			if first == nil {
				first, firstRep = f, ts
			}
			continue
		}
		if best == nil || ts.Time.Before(best.Time) {
			best = ts
		}
	}
	if best != nil {
		return best, nil
	}
	if first == nil {
		first = fail(CodeTimestampInvalid, Indeterminate, SubFormatFailure, "an empty time-stamp attribute")
	}
	return firstRep, first
}

// checkToken verifies one token over signature: the token is a SignedData
// over a TSTInfo (§2.4.2) with one signer, signed like any CMS, whose
// ESS signing-certificate attribute (when present) names the TSA's
// certificate; the imprint is the hash of the signature value; the TSA's
// certificate has id-kp-timeStamping (§2.3) and chains to a trust anchor at
// the token's time; its chain is not revoked before that time.
func (v *Verifier) checkToken(ctx context.Context, token, signature []byte, pool []*x509.Certificate, now time.Time) (*TimestampReport, *failure) {
	bad := func(sub, format string, a ...any) *failure {
		return fail(CodeTimestampInvalid, Indeterminate, sub, "time-stamp: "+fmt.Sprintf(format, a...))
	}
	sd, err := cms.Parse(token)
	if err != nil {
		return nil, bad(SubFormatFailure, "%v", err)
	}
	if !sd.ContentType.Equal(cms.OIDTSTInfo) || sd.Content == nil || len(sd.Signers) != 1 {
		return nil, bad(SubFormatFailure, "not a SignedData over a TSTInfo with one signer")
	}
	info, err := tsp.ParseInfo(sd.Content)
	if err != nil {
		return nil, bad(SubFormatFailure, "%v", err)
	}
	ts := &TimestampReport{Time: info.GenTime, Policy: info.Policy.String(), SerialNumber: info.SerialNumber.Text(16),
		TSA: info.TSA, HashAlgorithm: v.reg.Name(info.HashAlgorithm.Algorithm), ImprintOID: info.HashAlgorithm.Algorithm.String(),
		Imprint: hex.EncodeToString(info.HashedMessage)}
	reject := func(f *failure) (*TimestampReport, *failure) {
		ts.Code, ts.Message = f.code, f.msg
		return ts, f
	}
	// The imprint.
	want, err := v.reg.Sum(info.HashAlgorithm.Algorithm, signature)
	if err != nil {
		return reject(fail(CodeUnsupported, Indeterminate, SubCryptoConstraints, "time-stamp: "+err.Error()))
	}
	if !bytes.Equal(want, info.HashedMessage) {
		return reject(fail(CodeTimestampInvalid, TotalFailed, SubHashFailure, "time-stamp: the imprint is not the hash of this signature"))
	}
	ts.DigestVerified = true
	if info.GenTime.After(now.Add(ClockSkew)) {
		return reject(bad(SubSigConstraints, "dated %s, in the future", stamp(info.GenTime)))
	}
	// The token's signature.
	tsi := sd.Signers[0]
	all := append(append([]*x509.Certificate{}, sd.Certificates...), pool...)
	tsa := tsi.Certificate(all)
	if tsa == nil {
		return reject(fail(CodeTimestampCert, Indeterminate, SubNoSigningCertFound, "time-stamp: the TSA's certificate is not in the token or the CMS"))
	}
	if tsi.SignedBytes() == nil {
		return reject(bad(SubFormatFailure, "no signed attributes"))
	}
	switch err := tsi.CheckSignature(v.reg, tsa, cms.OIDTSTInfo, sd.Content); {
	case err == nil:
	case errors.Is(err, cms.ErrAttributes):
		return reject(bad(SubFormatFailure, "%v", err))
	case errors.Is(err, cms.ErrUnsupported):
		return reject(fail(CodeUnsupported, Indeterminate, SubCryptoConstraints, "time-stamp: "+err.Error()))
	case errors.Is(err, cms.ErrDigestMismatch):
		return reject(fail(CodeTimestampInvalid, TotalFailed, SubHashFailure, "time-stamp: the TSTInfo is not what the TSA signed"))
	default:
		return reject(fail(CodeTimestampInvalid, TotalFailed, SubSigCryptoFailure, "time-stamp: "+err.Error()))
	}
	if err := signingCertificate(tsi, tsa, v.reg); err != nil {
		return reject(bad(SubSigConstraints, "%v", err))
	}
	// The TSA's certificate, chain and status at the token's time.
	if !hasTimeStamping(tsa) {
		return reject(fail(CodeTimestampCert, Indeterminate, SubChainConstraints, "time-stamp: the TSA's certificate lacks id-kp-timeStamping (RFC 3161 §2.3)"))
	}
	chain, err := v.buildChain(tsa, all, info.GenTime)
	if err != nil {
		sub := SubNoChainFound
		var ce *chainError
		if errors.As(err, &ce) {
			sub = ce.sub
		}
		return reject(fail(CodeTimestampCert, Indeterminate, sub, "time-stamp: "+err.Error()))
	}
	ts.Chain = chainCerts(chain)
	var rr RevocationReport
	gen := info.GenTime
	if f := v.checkRevocation(ctx, ts.Chain, &gen, &rr, true); f != nil {
		return reject(f)
	}
	ts.Verified = true
	return ts, nil
}

func hasTimeStamping(c *x509.Certificate) bool {
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageTimeStamping {
			return true
		}
	}
	for _, u := range c.UnknownExtKeyUsage {
		if u.Equal(oidTimeStamping) {
			return true
		}
	}
	return false
}

// ESS signing-certificate attributes (RFC 2634 §5.4, RFC 5035 §3).
type essCertIDv2 struct {
	HashAlgorithm pkix.AlgorithmIdentifier `asn1:"optional"`
	CertHash      []byte
	IssuerSerial  asn1.RawValue `asn1:"optional"`
}

type essCertID struct {
	CertHash     []byte
	IssuerSerial asn1.RawValue `asn1:"optional"`
}

type signingCertV2 struct {
	Certs    []essCertIDv2
	Policies asn1.RawValue `asn1:"optional"`
}

type signingCertV1 struct {
	Certs    []essCertID
	Policies asn1.RawValue `asn1:"optional"`
}

// signingCertificate checks that an ESS signing-certificate(-v2) attribute,
// when there is one, names cert (its first ESSCertID, RFC 5035 §3).
func signingCertificate(si *cms.SignerInfo, cert *x509.Certificate, reg *sigalg.Registry) error {
	if vals, ok, err := cms.Attr(si.SignedAttrs, cms.OIDAttrSigningCert2); err != nil || (ok && len(vals) != 1) {
		return errors.New("a malformed signing-certificate-v2 attribute")
	} else if ok {
		var sc signingCertV2
		if _, err := asn1.Unmarshal(vals[0], &sc); err != nil || len(sc.Certs) == 0 {
			return errors.New("a malformed signing-certificate-v2 attribute")
		}
		alg := sc.Certs[0].HashAlgorithm.Algorithm
		if alg == nil {
			alg = sigalg.OIDSHA256
		}
		sum, err := reg.Sum(alg, cert.Raw)
		if err != nil {
			return err
		}
		if !bytes.Equal(sum, sc.Certs[0].CertHash) {
			return errors.New("the signing-certificate-v2 attribute names another certificate")
		}
		return nil
	}
	if vals, ok, err := cms.Attr(si.SignedAttrs, cms.OIDAttrSigningCert); err != nil || (ok && len(vals) != 1) {
		return errors.New("a malformed signing-certificate attribute")
	} else if ok {
		var sc signingCertV1
		if _, err := asn1.Unmarshal(vals[0], &sc); err != nil || len(sc.Certs) == 0 {
			return errors.New("a malformed signing-certificate attribute")
		}
		// ESSCertID is a SHA-1 hash by definition; it identifies, it does not sign.
		if sum := sha1.Sum(cert.Raw); !bytes.Equal(sum[:], sc.Certs[0].CertHash) {
			return errors.New("the signing-certificate attribute names another certificate")
		}
	}
	return nil
}

// Timestamp asks tsa for a token over each signature of der that has none
// (the imprint is the SHA-256 of the signature value), verifies the token,
// and adds it as the signer's id-aa-timeStampToken unsigned attribute
// (RFC 3161 App. A). It returns the new CMS in DER and the certificates of
// the signers it stamped (none when all had a token already).
func (v *Verifier) Timestamp(ctx context.Context, der []byte, tsa *tsp.Client) ([]byte, []*x509.Certificate, error) {
	sd, err := cms.Parse(der)
	if err != nil {
		return nil, nil, &Error{Code: CodeMalformed, Err: err}
	}
	var stamped []*x509.Certificate
	for i, si := range sd.Signers {
		if _, ok, _ := cms.Attr(si.UnsignedAttrs, cms.OIDAttrTimeStamp); ok {
			continue
		}
		cert := si.Certificate(v.pool(sd))
		if cert == nil {
			return nil, nil, &Error{Code: CodeNoSigner, Err: fmt.Errorf("signer %d: the certificate is not in the CMS", i+1)}
		}
		sum := sha256.Sum256(si.Signature)
		token, _, err := tsa.Timestamp(ctx, sigalg.OIDSHA256, sum[:])
		if err != nil {
			var re *tsp.RejectedError
			if errors.Is(err, tsp.ErrUnavailable) {
				return nil, nil, &Error{Code: CodeTSAUnavailable, Err: err}
			}
			if errors.As(err, &re) || errors.Is(err, tsp.ErrMalformed) {
				return nil, nil, &Error{Code: CodeTimestampInvalid, Err: err}
			}
			return nil, nil, &Error{Code: CodeTSAUnavailable, Err: err}
		}
		if _, f := v.checkToken(ctx, token, si.Signature, sd.Certificates, v.now()); f != nil {
			return nil, nil, &Error{Code: f.code, Err: errors.New(f.msg)}
		}
		si.SetUnsigned(cms.OIDAttrTimeStamp, token)
		stamped = append(stamped, cert)
	}
	out, err := sd.Marshal()
	if err != nil {
		return nil, nil, &Error{Code: CodeMalformed, Err: err}
	}
	return out, stamped, nil
}

// VerifyToken checks an RFC 3161 token over signature (a signature value):
// what [Verifier.Verify] checks of a signer's time-stamp.
func (v *Verifier) VerifyToken(ctx context.Context, token, signature []byte) (*TimestampReport, error) {
	ts, f := v.checkToken(ctx, token, signature, nil, v.now())
	if f != nil {
		return ts, &Error{Code: f.code, Err: errors.New(f.msg)}
	}
	return ts, nil
}
