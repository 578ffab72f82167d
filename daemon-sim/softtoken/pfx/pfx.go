// Package pfx reads and writes the simulator's key files: PKCS#12 (RFC
// 7292) holding one private key, its certificate and the chain.
//
// RSA and ECDSA files go through software.sslmate.com/src/go-pkcs12 (its
// Modern profile, and OpenSSL 3 default and -legacy files on the way in).
// go-pkcs12 cannot carry keys of algorithms crypto/x509 does not know, such
// as O'zDSt 1092 / GOST R 34.10-2001, so those files are written and read
// here, in the profile OpenSSL 3 uses by default: the key in a
// pkcs8ShroudedKeyBag encrypted with PBES2 (PBKDF2 with HMAC-SHA-256,
// AES-256-CBC; RFC 8018 §6.2, RFC 7292 §4.2.2), the certificates in
// certBags (§4.2.3) of an unencrypted SafeContents, and an HMAC-SHA-256
// MAC whose key comes from the PKCS#12 key derivation (App. B). The GOST
// private key inside is PKCS#8 as web/crypto/gost writes it.
//
// Entry points: [Encode] and [Decode]. Errors: [ErrIncorrectPassword]
// (the MAC does not verify), [ErrMalformed], [ErrUnsupported],
// [ErrNotSigner].
package pfx

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"

	"github.com/eimzokit/eimzokit/web/crypto/gost"
	gostcert "github.com/eimzokit/eimzokit/web/crypto/gost/cert"
	"software.sslmate.com/src/go-pkcs12"
)

// Errors.
var (
	// ErrIncorrectPassword is go-pkcs12's: the MAC does not verify with the
	// password (or the file is corrupted).
	ErrIncorrectPassword = pkcs12.ErrIncorrectPassword
	ErrMalformed         = errors.New("pfx: malformed PKCS#12")
	ErrUnsupported       = errors.New("pfx: unsupported PKCS#12 algorithm")
	// ErrNotSigner: the file holds a private key that cannot sign.
	ErrNotSigner = errors.New("pfx: the private key cannot sign")
)

// Iterations of PBKDF2 and of the MAC key derivation, as OpenSSL 3 and
// go-pkcs12's Modern profile use.
const Iterations = 2048

// Object identifiers of RFC 7292, RFC 8018 and RFC 5652.
var (
	oidData            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidKeyBag          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidShroudedKeyBag  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509Certificate = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidLocalKeyID      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
	oidPBES2           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA256      = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAES256CBC       = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidSHA256          = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

// Encode writes key, cert and chain as a PKCS#12 file protected by
// password: go-pkcs12's Modern profile for the keys it knows, the profile
// described above for GOST keys.
func Encode(key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, password string) ([]byte, error) {
	gk, ok := key.(*gost.PrivateKey)
	if !ok {
		return pkcs12.Modern.Encode(key, cert, chain, password)
	}
	p8, err := gost.MarshalPKCS8PrivateKey(gk)
	if err != nil {
		return nil, err
	}
	return encode(rand.Reader, p8, cert, chain, password)
}

// Decode opens a PKCS#12 file: its private key, the certificate of that
// key and the other certificates. Files go-pkcs12 reads are read by it;
// the others (a GOST key inside) by the reader of this package. Errors:
// ErrIncorrectPassword, ErrMalformed, ErrUnsupported, or go-pkcs12's.
func Decode(data []byte, password string) (crypto.Signer, *x509.Certificate, []*x509.Certificate, error) {
	priv, cert, chain, err := pkcs12.DecodeChain(data, password)
	if err == nil {
		signer, ok := priv.(crypto.Signer)
		if !ok {
			return nil, nil, nil, fmt.Errorf("%w: a private key of type %T", ErrNotSigner, priv)
		}
		return signer, cert, chain, nil
	}
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, nil, nil, err
	}
	signer, cert, chain, ownErr := decode(data, password)
	if ownErr != nil {
		if errors.Is(ownErr, ErrIncorrectPassword) {
			return nil, nil, nil, ownErr
		}
		return nil, nil, nil, fmt.Errorf("%w (and: %w)", err, ownErr)
	}
	return signer, cert, chain, nil
}

// pfxPDU is PFX (RFC 7292 §4).
type pfxPDU struct {
	Version  int
	AuthSafe contentInfo
	MacData  macData `asn1:"optional"`
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,optional,tag:0"`
}

// macData is MacData (§4): the MAC as a DigestInfo, its salt and
// iteration count.
type macData struct {
	Mac        digestInfo
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

type digestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

// safeBag is SafeBag (§4.2).
type safeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue     `asn1:"tag:0,explicit"`
	Attributes []pkcs12Attribute `asn1:"set,optional"`
}

type pkcs12Attribute struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue `asn1:"set"`
}

type certBag struct {
	ID   asn1.ObjectIdentifier
	Data []byte `asn1:"tag:0,explicit"`
}

// encryptedPrivateKeyInfo is RFC 5208 §6.
type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

// encryptedData is RFC 5652 §8, as a certificate SafeContents travels in
// files of other tools.
type encryptedData struct {
	Version              int
	EncryptedContentInfo struct {
		ContentType                asn1.ObjectIdentifier
		ContentEncryptionAlgorithm pkix.AlgorithmIdentifier
		EncryptedContent           []byte `asn1:"tag:0,optional"`
	}
}

type pbes2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Scheme pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt      []byte
	Iteration int
	KeyLength int                      `asn1:"optional"`
	PRF       pkix.AlgorithmIdentifier `asn1:"optional"`
}

func encode(r io.Reader, p8 []byte, cert *x509.Certificate, chain []*x509.Certificate, password string) ([]byte, error) {
	if cert == nil {
		return nil, errors.New("pfx: no certificate")
	}
	encKey, err := encrypt(r, p8, password)
	if err != nil {
		return nil, err
	}
	localKeyID := sha1.Sum(cert.Raw) // RFC 7292 App. D: an identifier shared by key and certificate
	idAttr, err := localKeyIDAttribute(localKeyID[:])
	if err != nil {
		return nil, err
	}
	keyBags, err := asn1.Marshal([]safeBag{{ID: oidShroudedKeyBag, Value: explicit0(must(asn1.Marshal(encKey))), Attributes: idAttr}})
	if err != nil {
		return nil, err
	}
	var certBags []safeBag
	for i, c := range append([]*x509.Certificate{cert}, chain...) {
		b := safeBag{ID: oidCertBag, Value: explicit0(must(asn1.Marshal(certBag{ID: oidX509Certificate, Data: c.Raw})))}
		if i == 0 {
			b.Attributes = idAttr
		}
		certBags = append(certBags, b)
	}
	certSafe, err := asn1.Marshal(certBags)
	if err != nil {
		return nil, err
	}
	authSafe, err := asn1.Marshal([]contentInfo{dataInfo(keyBags), dataInfo(certSafe)})
	if err != nil {
		return nil, err
	}
	salt := make([]byte, 16)
	if _, err := io.ReadFull(r, salt); err != nil {
		return nil, err
	}
	mac := computeMAC(authSafe, password, salt, Iterations)
	return asn1.Marshal(pfxPDU{Version: 3, AuthSafe: dataInfo(authSafe),
		MacData: macData{Mac: digestInfo{pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}, mac}, MacSalt: salt, Iterations: Iterations}})
}

func localKeyIDAttribute(id []byte) ([]pkcs12Attribute, error) {
	v, err := asn1.Marshal(id)
	if err != nil {
		return nil, err
	}
	return []pkcs12Attribute{{ID: oidLocalKeyID, Value: asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: v}}}, nil
}

// dataInfo wraps content as an id-data ContentInfo: [0] EXPLICIT OCTET STRING.
func dataInfo(content []byte) contentInfo {
	return contentInfo{ContentType: oidData, Content: explicit0(must(asn1.Marshal(content)))}
}

// explicit0 is inner under an [0] EXPLICIT tag. encoding/asn1 writes a
// RawValue as it is, whatever the field's tag says, and reads an explicit
// one with the tag kept: Bytes is then inner.
func explicit0(inner []byte) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner}
}

// encrypt makes an EncryptedPrivateKeyInfo with PBES2: PBKDF2 with
// HMAC-SHA-256 over the password's UTF-8 bytes, AES-256-CBC, PKCS#7
// padding (RFC 8018 §6.2, §B.2).
func encrypt(r io.Reader, plain []byte, password string) (encryptedPrivateKeyInfo, error) {
	salt, iv := make([]byte, 16), make([]byte, aes.BlockSize)
	if _, err := io.ReadFull(r, salt); err != nil {
		return encryptedPrivateKeyInfo{}, err
	}
	if _, err := io.ReadFull(r, iv); err != nil {
		return encryptedPrivateKeyInfo{}, err
	}
	kdf, err := asn1.Marshal(pbkdf2Params{Salt: salt, Iteration: Iterations, PRF: pkix.AlgorithmIdentifier{Algorithm: oidHMACSHA256, Parameters: asn1.NullRawValue}})
	if err != nil {
		return encryptedPrivateKeyInfo{}, err
	}
	params, err := asn1.Marshal(pbes2Params{
		KDF:    pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: kdf}},
		Scheme: pkix.AlgorithmIdentifier{Algorithm: oidAES256CBC, Parameters: asn1.RawValue{FullBytes: must(asn1.Marshal(iv))}},
	})
	if err != nil {
		return encryptedPrivateKeyInfo{}, err
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, Iterations, 32)
	if err != nil {
		return encryptedPrivateKeyInfo{}, err
	}
	block, _ := aes.NewCipher(key)
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	out := append(bytes.Clone(plain), bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, out)
	return encryptedPrivateKeyInfo{Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: params}}, Data: out}, nil
}

// decrypt undoes encrypt for any PBES2 with PBKDF2 (HMAC-SHA-256) and
// AES-256-CBC; other schemes are ErrUnsupported.
func decrypt(alg pkix.AlgorithmIdentifier, data []byte, password string) ([]byte, error) {
	if !alg.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("%w: encryption %v (only PBES2)", ErrUnsupported, alg.Algorithm)
	}
	var p pbes2Params
	if rest, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: PBES2 parameters", ErrMalformed)
	}
	var k pbkdf2Params
	if rest, err := asn1.Unmarshal(p.KDF.Parameters.FullBytes, &k); err != nil || len(rest) != 0 || !p.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("%w: key derivation %v", ErrUnsupported, p.KDF.Algorithm)
	}
	if !k.PRF.Algorithm.Equal(oidHMACSHA256) || !p.Scheme.Algorithm.Equal(oidAES256CBC) || (k.KeyLength != 0 && k.KeyLength != 32) {
		return nil, fmt.Errorf("%w: PBKDF2 with %v, cipher %v", ErrUnsupported, k.PRF.Algorithm, p.Scheme.Algorithm)
	}
	if k.Iteration < 1 || k.Iteration > 10_000_000 {
		return nil, fmt.Errorf("%w: %d PBKDF2 iterations", ErrMalformed, k.Iteration)
	}
	var iv []byte
	if rest, err := asn1.Unmarshal(p.Scheme.Parameters.FullBytes, &iv); err != nil || len(rest) != 0 || len(iv) != aes.BlockSize {
		return nil, fmt.Errorf("%w: AES-CBC IV", ErrMalformed)
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: ciphertext length %d", ErrMalformed, len(data))
	}
	key, err := pbkdf2.Key(sha256.New, password, k.Salt, k.Iteration, 32)
	if err != nil {
		return nil, err
	}
	block, _ := aes.NewCipher(key)
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, data)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > aes.BlockSize || !bytes.Equal(out[len(out)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, ErrIncorrectPassword
	}
	return out[:len(out)-pad], nil
}

// computeMAC is the PFX MAC (RFC 7292 §5, App. B): HMAC-SHA-256 keyed by
// the PKCS#12 key derivation (ID 3) of the password, over the authSafe
// content.
func computeMAC(content []byte, password string, salt []byte, iterations int) []byte {
	key := pkcs12KDF(bmpString(password), salt, iterations, 3, 32)
	m := hmac.New(sha256.New, key)
	m.Write(content)
	return m.Sum(nil)
}

// bmpString is the password as RFC 7292 App. B.1 wants it: UTF-16
// big-endian with two zero bytes at the end.
func bmpString(s string) []byte {
	u := utf16.Encode([]rune(s))
	out := make([]byte, 0, 2*len(u)+2)
	for _, c := range u {
		out = append(out, byte(c>>8), byte(c))
	}
	return append(out, 0, 0)
}

// pkcs12KDF is RFC 7292 App. B.2 with SHA-256 (u = 32, v = 64).
func pkcs12KDF(password, salt []byte, iterations int, id byte, n int) []byte {
	const u, v = sha256.Size, 64
	fill := func(b []byte) []byte {
		if len(b) == 0 {
			return nil
		}
		out := make([]byte, v*((len(b)+v-1)/v))
		for i := range out {
			out[i] = b[i%len(b)]
		}
		return out
	}
	d := bytes.Repeat([]byte{id}, v)
	i := append(fill(salt), fill(password)...)
	var out []byte
	for len(out) < n {
		h := sha256.Sum256(append(bytes.Clone(d), i...))
		a := h[:]
		for range iterations - 1 {
			h = sha256.Sum256(a)
			a = h[:]
		}
		out = append(out, a...)
		b := make([]byte, v)
		for j := range b {
			b[j] = a[j%u]
		}
		// I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block of I.
		for j := 0; j < len(i); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				sum := int(i[j+k]) + int(b[k]) + carry
				i[j+k], carry = byte(sum), sum>>8
			}
		}
	}
	return out[:n]
}

func decode(data []byte, password string) (crypto.Signer, *x509.Certificate, []*x509.Certificate, error) {
	var p pfxPDU
	if rest, err := asn1.Unmarshal(data, &p); err != nil || len(rest) != 0 {
		return nil, nil, nil, fmt.Errorf("%w: PFX: %v", ErrMalformed, err)
	}
	if p.Version != 3 || !p.AuthSafe.ContentType.Equal(oidData) {
		return nil, nil, nil, fmt.Errorf("%w: PFX version %d, authSafe %v (only password integrity)", ErrUnsupported, p.Version, p.AuthSafe.ContentType)
	}
	var authSafe []byte
	if rest, err := asn1.Unmarshal(p.AuthSafe.Content.Bytes, &authSafe); err != nil || len(rest) != 0 {
		return nil, nil, nil, fmt.Errorf("%w: authSafe content", ErrMalformed)
	}
	if !p.MacData.Mac.Algorithm.Algorithm.Equal(oidSHA256) {
		return nil, nil, nil, fmt.Errorf("%w: MAC %v (only HMAC-SHA-256)", ErrUnsupported, p.MacData.Mac.Algorithm.Algorithm)
	}
	if p.MacData.Iterations < 1 || p.MacData.Iterations > 10_000_000 {
		return nil, nil, nil, fmt.Errorf("%w: %d MAC iterations", ErrMalformed, p.MacData.Iterations)
	}
	if !hmac.Equal(computeMAC(authSafe, password, p.MacData.MacSalt, p.MacData.Iterations), p.MacData.Mac.Digest) {
		return nil, nil, nil, ErrIncorrectPassword
	}
	var infos []contentInfo
	if rest, err := asn1.Unmarshal(authSafe, &infos); err != nil || len(rest) != 0 {
		return nil, nil, nil, fmt.Errorf("%w: AuthenticatedSafe", ErrMalformed)
	}
	var keys [][]byte
	var certs []*x509.Certificate
	for _, ci := range infos {
		var safe []byte
		switch {
		case ci.ContentType.Equal(oidData):
			if rest, err := asn1.Unmarshal(ci.Content.Bytes, &safe); err != nil || len(rest) != 0 {
				return nil, nil, nil, fmt.Errorf("%w: SafeContents", ErrMalformed)
			}
		case ci.ContentType.Equal(oidEncryptedData):
			var ed encryptedData
			if rest, err := asn1.Unmarshal(ci.Content.Bytes, &ed); err != nil || len(rest) != 0 {
				return nil, nil, nil, fmt.Errorf("%w: EncryptedData", ErrMalformed)
			}
			var err error
			if safe, err = decrypt(ed.EncryptedContentInfo.ContentEncryptionAlgorithm, ed.EncryptedContentInfo.EncryptedContent, password); err != nil {
				return nil, nil, nil, err
			}
		default:
			return nil, nil, nil, fmt.Errorf("%w: a SafeContents of type %v", ErrUnsupported, ci.ContentType)
		}
		var bags []safeBag
		if rest, err := asn1.Unmarshal(safe, &bags); err != nil || len(rest) != 0 {
			return nil, nil, nil, fmt.Errorf("%w: SafeBags", ErrMalformed)
		}
		for _, b := range bags {
			switch {
			case b.ID.Equal(oidShroudedKeyBag):
				var e encryptedPrivateKeyInfo
				if rest, err := asn1.Unmarshal(b.Value.Bytes, &e); err != nil || len(rest) != 0 {
					return nil, nil, nil, fmt.Errorf("%w: pkcs8ShroudedKeyBag", ErrMalformed)
				}
				p8, err := decrypt(e.Algorithm, e.Data, password)
				if err != nil {
					return nil, nil, nil, err
				}
				keys = append(keys, p8)
			case b.ID.Equal(oidKeyBag):
				keys = append(keys, b.Value.Bytes)
			case b.ID.Equal(oidCertBag):
				var cb certBag
				if rest, err := asn1.Unmarshal(b.Value.Bytes, &cb); err != nil || len(rest) != 0 || !cb.ID.Equal(oidX509Certificate) {
					return nil, nil, nil, fmt.Errorf("%w: certBag", ErrMalformed)
				}
				c, err := x509.ParseCertificate(cb.Data)
				if err != nil {
					return nil, nil, nil, fmt.Errorf("%w: certificate: %v", ErrMalformed, err)
				}
				certs = append(certs, c)
			}
		}
	}
	if len(keys) != 1 {
		return nil, nil, nil, fmt.Errorf("%w: %d private keys, want one", ErrMalformed, len(keys))
	}
	key, err := parsePKCS8(keys[0])
	if err != nil {
		return nil, nil, nil, err
	}
	for i, c := range certs {
		if gostcert.HasPublicKey(c, key.Public()) {
			chain := append(append([]*x509.Certificate(nil), certs[:i]...), certs[i+1:]...)
			return key, c, chain, nil
		}
	}
	return nil, nil, nil, fmt.Errorf("%w: no certificate of the private key", ErrMalformed)
}

func parsePKCS8(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
		return nil, fmt.Errorf("%w: a private key of type %T", ErrNotSigner, k)
	}
	k, err := gost.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: private key: %w", ErrMalformed, err)
	}
	return k, nil
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic("pfx: encoding a fixed structure: " + err.Error())
	}
	return b
}
