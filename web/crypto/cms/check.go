package cms

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
)

// CheckSignature verifies one signer over content (the encapsulated
// content, or the data of a detached SignedData) with the key of cert,
// through the algorithms of reg: with signed attributes, the content-type
// attribute must be contentType (the SignedData's eContentType), the
// message-digest attribute the digest of content, and the signature must
// cover the DER signed attributes (RFC 5652 §5.4, §11.1, §11.2); without
// them the content must be id-data and the signature covers it.
//
// Errors (errors.Is): ErrUnsupported (and sigalg.ErrUnsupported) for an
// algorithm reg does not accept, ErrAttributes, ErrDigestMismatch,
// ErrSignature (and sigalg.ErrInvalid).
func (si *SignerInfo) CheckSignature(reg *sigalg.Registry, cert *x509.Certificate, contentType asn1.ObjectIdentifier, content []byte) error {
	h, err := reg.Hash(si.DigestAlgorithm.Algorithm)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	d := h.New()
	d.Write(content)
	return si.CheckDigest(reg, cert, contentType, d.Sum(nil))
}

// CheckDigest is CheckSignature for content whose digest, made with the
// signer's digest algorithm, the caller has: a large file hashed while it
// streamed in, or one digest shared by several signers.
func (si *SignerInfo) CheckDigest(reg *sigalg.Registry, cert *x509.Certificate, contentType asn1.ObjectIdentifier, digest []byte) error {
	h, err := reg.Hash(si.DigestAlgorithm.Algorithm)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	signed := si.SignedBytes()
	if signed == nil {
		if !contentType.Equal(OIDData) {
			return fmt.Errorf("%w: no signed attributes over a content that is not id-data", ErrAttributes)
		}
		return signatureError(reg.VerifyDigest(cert, si.SignatureAlgorithm, h, digest, si.Signature))
	}
	if ct, err := si.ContentTypeAttr(); err != nil || ct == nil || !ct.Equal(contentType) {
		return fmt.Errorf("%w: the content-type signed attribute is missing or differs from the content's type", ErrAttributes)
	}
	md, err := si.MessageDigest()
	if err != nil || md == nil {
		return fmt.Errorf("%w: the message-digest signed attribute is missing or malformed", ErrAttributes)
	}
	if !bytes.Equal(md, digest) {
		return fmt.Errorf("%w: the data is not what was signed", ErrDigestMismatch)
	}
	return signatureError(reg.Verify(cert, si.SignatureAlgorithm, si.DigestAlgorithm.Algorithm, signed, si.Signature))
}

func signatureError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sigalg.ErrUnsupported):
		return fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	return fmt.Errorf("%w: %w", ErrSignature, err)
}
