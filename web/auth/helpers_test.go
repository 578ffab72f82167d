package auth_test

import (
	"crypto"
	"crypto/rsa"
	"io"
	"math/big"
)

type bigInt = big.Int

// signerOf exposes a public key as a crypto.Signer that cannot sign, to
// compute thumbprints of published keys.
type signerOf struct{ k *rsa.PrivateKey }

func (s signerOf) Public() crypto.PublicKey { return &s.k.PublicKey }
func (s signerOf) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, io.ErrUnexpectedEOF
}
