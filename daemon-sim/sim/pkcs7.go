package sim

import (
	"bytes"
	"crypto/sha1"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/capiws"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
)

// Free texts of -9999 replies (the real daemon's are Java exception texts
// that are not documented; these are the simulator's, in Russian).
const (
	reasonNotBase64        = "Некорректные данные: ожидается base64"
	reasonBadCMS           = "Некорректный документ PKCS#7"
	reasonSignerNotFound   = "Подписант с указанным серийным номером не найден"
	reasonBadToken         = "Некорректная метка времени"
	reasonTokenMismatch    = "Метка времени не соответствует подписи"
	reasonUnsupported      = "Функция не поддерживается симулятором"
	reasonUnknownAlgorithm = "Алгоритм не поддерживается"
)

func pkcs7Plugin() *plugin {
	data := arg{"data_64", "Данные (base64)", false}
	p7 := arg{"pkcs7_64", "Документ PKCS#7 (base64)", false}
	return &plugin{name: "pkcs7", desc: desc("Подписи PKCS#7", "PKCS#7 imzolari"), funcs: []*function{
		{name: "create_pkcs7", desc: "Создает подпись PKCS#7", args: []arg{data,
			{"id", "Идентификатор ключа, или idcard, baikey, ckc", false},
			{"detached", "yes: отсоединенная подпись; no: данные внутри", true}},
			key: keyByID, keyArg: 1, run: (*Server).createPKCS7},
		{name: "attach_timestamp_token_pkcs7", desc: "Прикрепляет метку времени к подписи", v5: true, args: []arg{p7,
			{"signer_serial_number", "Серийный номер сертификата подписанта", false},
			{"timestamp_token_64", "Метка времени RFC 3161 (base64)", false}}, run: (*Server).attachTimestamp},
		{name: "append_pkcs7_attached", desc: "Добавляет подпись к присоединенному PKCS#7", v5: true, args: []arg{p7,
			{"id", "Идентификатор ключа", false}}, key: keyByID, keyArg: 1, run: (*Server).appendAttached},
		{name: "append_pkcs7_detached", desc: "Добавляет подпись к отсоединенному PKCS#7", v5: true, args: []arg{data, p7,
			{"id", "Идентификатор ключа", false}}, key: keyByID, keyArg: 2, run: (*Server).appendDetached},
	}}
}

// signingKey unlocks the key behind id: a key id, or a device id.
func (s *Server) signingKey(c *call, id string) (*softtoken.Key, error) {
	if kinds, ok := deviceIDs[id]; ok {
		d, err := s.store.FirstDevice(kinds...)
		if err != nil {
			return nil, err
		}
		return s.store.UnlockDevice(c.ctx, d)
	}
	return s.store.Unlock(c.ctx, id)
}

// cmsSigner is how the daemon signs with k: the key's digest and RSA
// padding (SHA-256 and PKCS#1 v1.5 unless the key says otherwise), the
// signing time from the simulator's clock, the signer's certificate and its
// issuing CA (not the root).
func (s *Server) cmsSigner(k *softtoken.Key) cms.Signer {
	sg := cms.Signer{Key: k.Signer, Certificate: k.Cert, SigningTime: s.now(), Hash: k.Signing.Hash, PSS: k.Signing.PSS}
	if len(k.Chain) > 0 {
		sg.Chain = k.Chain[:1]
	}
	return sg
}

// signed is the reply to a signing call: the CMS, the serial of the new
// signer's certificate and its signature value.
func signed(sd *cms.SignedData, si *cms.SignerInfo, k *softtoken.Key) ([]capiws.Member, error) {
	der, err := sd.Marshal()
	if err != nil {
		return nil, err
	}
	return []capiws.Member{
		str("pkcs7_64", base64.StdEncoding.EncodeToString(der)),
		str("signer_serial_number", k.Cert.SerialNumber.Text(16)),
		str("signature_hex", hex.EncodeToString(si.Signature)),
	}, nil
}

func decode64(a, reason string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(a)
	if err != nil {
		return nil, &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{reason}}
	}
	return b, nil
}

// createPKCS7 signs data_64 (PROTOCOL.md §4.2): CMS SignedData with the
// key's algorithm (SHA-256 with RSA or ECDSA unless the key's Signing
// says SHA-384/512 or RSASSA-PSS; O'zDSt 1106/1092 for GOST keys, as
// E-IMZO), the signing time, the signer and its issuing CA.
func (s *Server) createPKCS7(c *call) ([]capiws.Member, error) {
	a := c.req.Arguments
	data, err := decode64(a[0], reasonNotBase64)
	if err != nil {
		return nil, err
	}
	key, err := s.signingKey(c, a[1])
	if err != nil {
		return nil, err
	}
	sd, err := cms.Sign(data, len(a) > 2 && a[2] == "yes", s.cmsSigner(key))
	if err != nil {
		return nil, err
	}
	return signed(sd, sd.Signers[0], key)
}

func badCMS() error {
	return &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{reasonBadCMS}}
}

// attachTimestamp adds an RFC 3161 token to a signer's unsigned attributes
// (id-aa-timeStampToken, RFC 3161 Appendix A), after checking that the
// token's message imprint is the hash of that signer's signature.
func (s *Server) attachTimestamp(c *call) ([]capiws.Member, error) {
	a := c.req.Arguments
	der, err := decode64(a[0], reasonBadCMS)
	if err != nil {
		return nil, err
	}
	sd, err := cms.Parse(der)
	if err != nil {
		return nil, badCMS()
	}
	serial, ok := new(big.Int).SetString(strings.TrimSpace(a[1]), 16)
	var signer *cms.SignerInfo
	for _, si := range sd.Signers {
		if ok && si.Serial() != nil && si.Serial().Cmp(serial) == 0 {
			signer = si
			break
		}
	}
	if signer == nil {
		return nil, &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{reasonSignerNotFound}}
	}
	token, err := decode64(a[2], reasonBadToken)
	if err != nil {
		return nil, err
	}
	_, info, err := cms.ParseTimeStampToken(token)
	if err != nil {
		return nil, &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{reasonBadToken}}
	}
	imprint, err := imprintOf(info.HashAlgorithm.Algorithm, signer.Signature)
	if err != nil {
		return nil, &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{reasonBadToken}}
	}
	if !bytes.Equal(imprint, info.HashedMessage) {
		return nil, &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{reasonTokenMismatch}}
	}
	if err := signer.AddTimestamp(token); err != nil {
		return nil, &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{reasonBadToken}}
	}
	out, err := sd.Marshal()
	if err != nil {
		return nil, badCMS()
	}
	return []capiws.Member{str("pkcs7_64", base64.StdEncoding.EncodeToString(out))}, nil
}

// algorithms computes token imprints: SHA-2 and GOST R 34.11-94.
var algorithms = sigalg.Default()

var oidSHA1 = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}

// imprintOf hashes a signature value as a token's imprint says. SHA-1 is
// taken too: the daemon attaches what the site's TSA made, it does not
// judge it (a verifier does).
func imprintOf(alg asn1.ObjectIdentifier, sig []byte) ([]byte, error) {
	if alg.Equal(oidSHA1) {
		sum := sha1.Sum(sig)
		return sum[:], nil
	}
	return algorithms.Sum(alg, sig)
}

func (s *Server) appendAttached(c *call) ([]capiws.Member, error) {
	a := c.req.Arguments
	return s.cosign(c, a[0], "", a[1])
}

func (s *Server) appendDetached(c *call) ([]capiws.Member, error) {
	a := c.req.Arguments
	return s.cosign(c, a[1], a[0], a[2])
}

// cosign adds a signer with key id to a CMS (the v5 daemon's
// append_pkcs7_attached and append_pkcs7_detached).
func (s *Server) cosign(c *call, p7, data64, id string) ([]capiws.Member, error) {
	der, err := decode64(p7, reasonBadCMS)
	if err != nil {
		return nil, err
	}
	sd, err := cms.Parse(der)
	if err != nil {
		return nil, badCMS()
	}
	var content []byte
	if data64 != "" {
		if content, err = decode64(data64, reasonNotBase64); err != nil {
			return nil, err
		}
	} else if sd.Detached() {
		return nil, badCMS() // append_pkcs7_attached needs the content inside
	}
	key, err := s.signingKey(c, id)
	if err != nil {
		return nil, err
	}
	si, err := sd.AddSigner(content, s.cmsSigner(key))
	if errors.Is(err, cms.ErrNoContent) || errors.Is(err, cms.ErrMalformed) {
		return nil, badCMS()
	}
	if err != nil {
		return nil, err
	}
	return signed(sd, si, key)
}
