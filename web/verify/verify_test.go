package verify_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/eimzo"
	"github.com/eimzokit/eimzokit/web/verify"
)

// signed returns CMS made by the simulator with each default key.
func signed(t *testing.T, s *simtest.Sim, data []byte, detached bool) map[string][]byte {
	t.Helper()
	c := eimzo.New(eimzo.WithURL(s.URL))
	certs, err := c.ListKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, cert := range certs {
		res, err := c.Sign(context.Background(), cert, eimzo.Bytes(data), eimzo.SignOptions{Detached: detached})
		if err != nil {
			t.Fatal(err)
		}
		der, _ := base64.StdEncoding.DecodeString(res.PKCS7.String())
		out[cert.CN+"/"+cert.Name] = der
	}
	return out
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x01
	return c
}

func TestVerify(t *testing.T) {
	s := simtest.Start(t)
	data := []byte("shartnoma № 7: Ўзбекистон")
	attached := signed(t, s, data, false)
	detached := signed(t, s, data, true)
	v := &verify.Verifier{Roots: s.Data.Roots()}
	otherPKI, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	otherRoots := x509.NewCertPool()
	otherRoots.AddCert(otherPKI.Root)
	foreign := &verify.Verifier{Roots: otherRoots}

	for name, der := range attached {
		expired := name[:len("ESKIROV")] == "ESKIROV"
		t.Run(name, func(t *testing.T) {
			tests := []struct {
				name string
				v    *verify.Verifier
				der  []byte
				data []byte
				want verify.Code // "" = valid
			}{
				{"attached", v, der, nil, ""},
				{"attached with the same data", v, der, data, ""},
				{"attached with other data", v, der, []byte("other"), verify.CodeDigestMismatch},
				{"detached", v, detached[name], data, ""},
				{"detached without data", v, detached[name], nil, verify.CodeDataMissing},
				{"detached with other data", v, detached[name], []byte("shartnoma № 8: Ўзбекистон"), verify.CodeDigestMismatch},
				{"signature bit flipped", v, flip(der, len(der)-5), nil, verify.CodeSignatureInvalid},
				{"foreign trust anchor", foreign, der, nil, verify.CodeChainInvalid},
				{"not a CMS", v, []byte("hello"), nil, verify.CodeMalformed},
				{"truncated", v, der[:len(der)/2], nil, verify.CodeMalformed},
			}
			for _, tt := range tests {
				want := tt.want
				if expired {
					if want != "" {
						continue // covered by the keys that are valid
					}
					want = verify.CodeCertExpired
				}
				res, err := tt.v.Verify(tt.der, tt.data)
				if want == "" {
					if err != nil {
						t.Errorf("%s: %v", tt.name, err)
						continue
					}
					if string(res.Content) != string(data) || len(res.Signers) != 1 {
						t.Errorf("%s: content %q, %d signers", tt.name, res.Content, len(res.Signers))
					}
					id := res.Signers[0].Identity
					if id.PINFL == "" || id.TIN == "" || id.Country != "UZ" || id.CommonName == "" {
						t.Errorf("%s: identity %+v", tt.name, id)
					}
					if res.Signers[0].SigningTime == nil || time.Since(*res.Signers[0].SigningTime) > time.Hour {
						t.Errorf("%s: signing time %v", tt.name, res.Signers[0].SigningTime)
					}
					if n := len(res.Signers[0].Chain); n != 3 {
						t.Errorf("%s: chain of %d, want 3", tt.name, n)
					}
					continue
				}
				var ve *verify.Error
				if !errors.As(err, &ve) || ve.Code != want {
					t.Errorf("%s: got %v, want %s", tt.name, err, want)
				}
			}
		})
	}
}
