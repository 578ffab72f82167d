// Package cmstest makes RFC 3161 timestamp tokens for tests: a SignedData
// (RFC 5652) over a TSTInfo (RFC 3161 §2.4.2) whose message imprint is the
// hash of a signature, signed by whatever TEST key the caller gives. It is a
// fixture maker for the v5 profile's attach_timestamp_token_pkcs7 and the
// 2023 client's timestamper, not a timestamp authority: no request, nonce,
// accuracy or policy handling.
//
// Entry points: [Token] (SHA-256 of a signature) and [TokenForImprint].
package cmstest

import (
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"math/big"
	"sync/atomic"
	"time"

	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
)

// Policy is the TSA policy the tokens name: the Uzbek TSA's (PROTOCOL.md §9).
var Policy = asn1.ObjectIdentifier{1, 2, 860, 3, 2, 11, 1}

var serial atomic.Int64

// Token returns a DER token whose imprint is SHA-256 of sig.
func Token(sig []byte, signer cms.Signer, at time.Time) ([]byte, error) {
	sum := sha256.Sum256(sig)
	return TokenForImprint(sigalg.OIDSHA256, sum[:], signer, at)
}

// TokenForImprint returns a DER token with the given message imprint.
func TokenForImprint(hashAlg asn1.ObjectIdentifier, sum []byte, signer cms.Signer, at time.Time) ([]byte, error) {
	if len(sum) == 0 {
		return nil, errors.New("cmstest: empty imprint")
	}
	type algorithm struct{ Algorithm asn1.ObjectIdentifier }
	type imprint struct {
		Alg algorithm
		Sum []byte
	}
	info, err := asn1.Marshal(struct {
		Version int
		Policy  asn1.ObjectIdentifier
		Imprint imprint
		Serial  *big.Int
		GenTime time.Time `asn1:"generalized"`
	}{1, Policy, imprint{algorithm{hashAlg}, sum}, big.NewInt(serial.Add(1)), at.UTC().Truncate(time.Second)})
	if err != nil {
		return nil, err
	}
	signer.SigningTime = at
	sd, err := cms.SignWith(info, cms.Options{ContentType: cms.OIDTSTInfo}, signer)
	if err != nil {
		return nil, err
	}
	return sd.Marshal()
}
