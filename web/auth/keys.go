package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
)

// Key is a JWT signing key: ES256 (ECDSA P-256) or RS256 (RSA ≥ 2048).
type Key struct {
	Signer crypto.Signer
	ID     string // kid: the RFC 7638 JWK thumbprint of the public key
	Alg    string // "ES256" or "RS256"
}

// GenerateKey makes a fresh ES256 key.
func GenerateKey() (*Key, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return NewKey(k)
}

// LoadKey reads a PEM private key (PKCS#8, SEC 1 "EC PRIVATE KEY" or
// PKCS#1 "RSA PRIVATE KEY").
func LoadKey(pemBytes []byte) (*Key, error) {
	for {
		var b *pem.Block
		b, pemBytes = pem.Decode(pemBytes)
		if b == nil {
			return nil, errors.New("auth: no private key in the PEM")
		}
		var k any
		var err error
		switch b.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(b.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("auth: %s: %v", b.Type, err)
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, errors.New("auth: the PEM key cannot sign")
		}
		return NewKey(s)
	}
}

// NewKey wraps a P-256 or RSA signer.
func NewKey(s crypto.Signer) (*Key, error) {
	jwk, err := publicJWK(s.Public())
	if err != nil {
		return nil, err
	}
	return &Key{Signer: s, ID: jwk.Kid, Alg: jwk.Alg}, nil
}

// JWK is a public key in JSON Web Key form (RFC 7517), for /.well-known/jwks.json.
type JWK struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
}

// JWK returns the key's public half.
func (k *Key) JWK() JWK {
	j, _ := publicJWK(k.Signer.Public())
	return j
}

var b64 = base64.RawURLEncoding

// publicJWK encodes a public key and computes its RFC 7638 thumbprint: the
// SHA-256 of the required members, in lexicographic order, without
// whitespace.
func publicJWK(pub crypto.PublicKey) (JWK, error) {
	var j JWK
	var members string
	switch p := pub.(type) {
	case *ecdsa.PublicKey:
		if p.Curve != elliptic.P256() {
			return j, errors.New("auth: ECDSA keys must be P-256 (ES256)")
		}
		raw, err := p.Bytes() // 0x04 || X || Y, each 32 bytes
		if err != nil {
			return j, err
		}
		j = JWK{Kty: "EC", Alg: "ES256", Use: "sig", Crv: "P-256", X: b64.EncodeToString(raw[1:33]), Y: b64.EncodeToString(raw[33:])}
		members = fmt.Sprintf(`{"crv":"P-256","kty":"EC","x":%q,"y":%q}`, j.X, j.Y)
	case *rsa.PublicKey:
		if p.N.BitLen() < 2048 {
			return j, errors.New("auth: RSA keys must have at least 2048 bits")
		}
		j = JWK{Kty: "RSA", Alg: "RS256", Use: "sig", N: b64.EncodeToString(p.N.Bytes()), E: b64.EncodeToString(big.NewInt(int64(p.E)).Bytes())}
		members = fmt.Sprintf(`{"e":%q,"kty":"RSA","n":%q}`, j.E, j.N)
	default:
		return j, fmt.Errorf("auth: key type %T is not ECDSA P-256 or RSA", pub)
	}
	sum := sha256.Sum256([]byte(members))
	j.Kid = b64.EncodeToString(sum[:])
	return j, nil
}

// JWKS is a JWK set.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// MarshalJWKS encodes the public keys of keys.
func MarshalJWKS(keys ...*Key) ([]byte, error) {
	var set JWKS
	for _, k := range keys {
		set.Keys = append(set.Keys, k.JWK())
	}
	return json.Marshal(set)
}
