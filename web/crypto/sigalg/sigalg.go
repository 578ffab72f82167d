package sigalg

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
)

// ErrUnsupported is matched (errors.Is) by every error about an algorithm
// the registry does not accept.
var ErrUnsupported = errors.New("sigalg: unsupported algorithm")

// ErrInvalid is matched by every error about a signature that does not
// verify.
var ErrInvalid = errors.New("sigalg: invalid signature")

// UnsupportedError names the algorithm that is not accepted and why.
type UnsupportedError struct {
	OID    asn1.ObjectIdentifier
	Reason string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("unsupported algorithm: %s (%s)", e.OID, e.Reason)
}

// Is makes errors.Is(err, ErrUnsupported) hold.
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// InvalidError says why a signature does not verify.
type InvalidError struct {
	Reason string
	Err    error // the algorithm's own error, when there is one
}

func (e *InvalidError) Error() string { return "invalid signature: " + e.Reason }

// Is makes errors.Is(err, ErrInvalid) hold.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the algorithm's own error (e.g. gost.ErrVerification).
func (e *InvalidError) Unwrap() error { return e.Err }

// Invalid returns an [InvalidError]; plug-ins use it for signatures that do
// not verify. A %w verb in format keeps the wrapped error reachable.
func Invalid(format string, a ...any) error {
	err := fmt.Errorf(format, a...)
	return &InvalidError{Reason: err.Error(), Err: errors.Unwrap(err)}
}

// Unsupported returns an [UnsupportedError]; plug-ins use it for parameters
// or keys they do not handle.
func Unsupported(oid asn1.ObjectIdentifier, format string, a ...any) error {
	return &UnsupportedError{OID: oid, Reason: fmt.Sprintf(format, a...)}
}

// Hash is a digest algorithm.
type Hash struct {
	OID  asn1.ObjectIdentifier
	Name string           // e.g. "SHA-256"
	New  func() hash.Hash // a fresh hash
	// Crypto is the standard library's identifier, 0 for a hash it does not
	// know (GOST R 34.11-94).
	Crypto crypto.Hash
}

// Signature verifies one signature algorithm, identified by the OID it is
// registered under (a signature algorithm such as sha256WithRSAEncryption,
// or a key algorithm such as rsaEncryption, which CMS SignerInfos may carry
// in signatureAlgorithm).
type Signature interface {
	// Digest returns the digest algorithm the signed bytes are hashed with,
	// from the algorithm itself, its parameters (RSASSA-PSS), or fallback:
	// the SignerInfo's digestAlgorithm in CMS, nil for certificates, CRLs
	// and OCSP responses.
	Digest(params asn1.RawValue, fallback asn1.ObjectIdentifier) (asn1.ObjectIdentifier, error)
	// Verify checks sig, made over bytes whose digest (with h) is digest,
	// with the public key of signer. It returns an [InvalidError] when the
	// signature does not verify and an [UnsupportedError] for a key or
	// parameters it does not handle.
	Verify(signer *x509.Certificate, params asn1.RawValue, h Hash, digest, sig []byte) error
}

// Registry is a set of accepted digest and signature algorithms. It is
// filled once, then used concurrently.
type Registry struct {
	hashes map[string]Hash
	sigs   map[string]Signature
	names  map[string]string
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{hashes: map[string]Hash{}, sigs: map[string]Signature{}, names: map[string]string{}}
}

// AddHash accepts a digest algorithm.
func (r *Registry) AddHash(h Hash) { r.hashes[h.OID.String()] = h }

// AddSignature accepts a signature algorithm under oid; name is for people
// (e.g. "ECDSA with SHA-256").
func (r *Registry) AddSignature(oid asn1.ObjectIdentifier, name string, s Signature) {
	r.sigs[oid.String()] = s
	r.names[oid.String()] = name
}

// Hash returns the digest algorithm with oid.
func (r *Registry) Hash(oid asn1.ObjectIdentifier) (Hash, error) {
	h, ok := r.hashes[oid.String()]
	if !ok {
		return Hash{}, Unsupported(oid, "digest algorithm not accepted")
	}
	return h, nil
}

// Name returns a readable name for a digest or signature algorithm OID, or
// the dotted OID.
func (r *Registry) Name(oid asn1.ObjectIdentifier) string {
	if h, ok := r.hashes[oid.String()]; ok {
		return h.Name
	}
	if n, ok := r.names[oid.String()]; ok {
		return n
	}
	return oid.String()
}

// Sum hashes data with the digest algorithm oid.
func (r *Registry) Sum(oid asn1.ObjectIdentifier, data []byte) ([]byte, error) {
	h, err := r.Hash(oid)
	if err != nil {
		return nil, err
	}
	d := h.New()
	d.Write(data)
	return d.Sum(nil), nil
}

// Verify checks sig over signed with the public key of signer under alg;
// fallback is the digest algorithm for key-only signature OIDs (CMS).
func (r *Registry) Verify(signer *x509.Certificate, alg pkix.AlgorithmIdentifier, fallback asn1.ObjectIdentifier, signed, sig []byte) error {
	s, h, err := r.lookup(alg, fallback)
	if err != nil {
		return err
	}
	d := h.New()
	d.Write(signed)
	return s.Verify(signer, alg.Parameters, h, d.Sum(nil), sig)
}

// VerifyDigest is Verify for a digest computed already with h.
func (r *Registry) VerifyDigest(signer *x509.Certificate, alg pkix.AlgorithmIdentifier, h Hash, digest, sig []byte) error {
	s, want, err := r.lookup(alg, h.OID)
	if err != nil {
		return err
	}
	if !want.OID.Equal(h.OID) {
		return Invalid("the signature algorithm uses %s, the digest is %s", want.Name, h.Name)
	}
	return s.Verify(signer, alg.Parameters, h, digest, sig)
}

func (r *Registry) lookup(alg pkix.AlgorithmIdentifier, fallback asn1.ObjectIdentifier) (Signature, Hash, error) {
	s, ok := r.sigs[alg.Algorithm.String()]
	if !ok {
		return nil, Hash{}, Unsupported(alg.Algorithm, "signature algorithm not accepted")
	}
	hoid, err := s.Digest(alg.Parameters, fallback)
	if err != nil {
		return nil, Hash{}, err
	}
	h, err := r.Hash(hoid)
	return s, h, err
}

// signed is the shape shared by certificates and CRLs (RFC 5280 §4.1, §5.1)
// and, with other field names, OCSP's BasicOCSPResponse (RFC 6960 §4.2.1).
type signed struct {
	TBS       asn1.RawValue
	Algorithm pkix.AlgorithmIdentifier
	Signature asn1.BitString
	Rest      asn1.RawContent `asn1:"optional"`
}

// SignedParts splits a signed X.509 structure (certificate, CRL) into the
// signed bytes, the signature algorithm and the signature value.
func SignedParts(der []byte) (tbs []byte, alg pkix.AlgorithmIdentifier, sig []byte, err error) {
	var s signed
	rest, err := asn1.Unmarshal(der, &s)
	if err != nil {
		return nil, alg, nil, err
	}
	if len(rest) != 0 {
		return nil, alg, nil, errors.New("sigalg: trailing data after a signed structure")
	}
	return s.TBS.FullBytes, s.Algorithm, s.Signature.RightAlign(), nil
}

// CheckCertificate checks that child's signature verifies with parent's
// public key (RFC 5280 §6.1.3 (a)(1)), and that the outer and inner
// signature algorithms agree (§4.1.1.2).
func (r *Registry) CheckCertificate(child, parent *x509.Certificate) error {
	tbs, alg, sig, err := SignedParts(child.Raw)
	if err != nil {
		return Invalid("certificate: %v", err)
	}
	var inner struct {
		Version   asn1.RawValue `asn1:"optional,explicit,tag:0"`
		Serial    asn1.RawValue
		Algorithm asn1.RawValue
	}
	if _, err := asn1.Unmarshal(tbs, &inner); err != nil {
		return Invalid("certificate: %v", err)
	}
	outer, _ := asn1.Marshal(alg)
	if !bytes.Equal(outer, inner.Algorithm.FullBytes) && !sameAlgorithm(alg, inner.Algorithm.FullBytes) {
		return Invalid("the certificate's two signature algorithms differ")
	}
	return r.Verify(parent, alg, nil, tbs, sig)
}

// sameAlgorithm compares AlgorithmIdentifiers by OID and parameters, so an
// absent and a NULL parameter of the same OID count as equal re-encodings.
func sameAlgorithm(a pkix.AlgorithmIdentifier, innerDER []byte) bool {
	var b pkix.AlgorithmIdentifier
	if _, err := asn1.Unmarshal(innerDER, &b); err != nil || !a.Algorithm.Equal(b.Algorithm) {
		return false
	}
	isNull := func(p asn1.RawValue) bool {
		return len(p.FullBytes) == 0 || bytes.Equal(p.FullBytes, asn1.NullBytes)
	}
	return bytes.Equal(a.Parameters.FullBytes, b.Parameters.FullBytes) || (isNull(a.Parameters) && isNull(b.Parameters))
}

// CheckSigned checks a signed X.509 structure (a CRL) against signer's key.
func (r *Registry) CheckSigned(der []byte, signer *x509.Certificate) error {
	tbs, alg, sig, err := SignedParts(der)
	if err != nil {
		return Invalid("%v", err)
	}
	return r.Verify(signer, alg, nil, tbs, sig)
}
