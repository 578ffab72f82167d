package auth

import (
	"testing"
)

// FuzzParseJWKS: a published key set either parses into keys each of
// which fits some algorithm, or fails with an error; never a panic.
func FuzzParseJWKS(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"ed"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"oct","k":"c2VjcmV0"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","use":"enc"}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := parseJWKS(data)
		if err != nil {
			return
		}
		if len(keys) > MaxJWKSKeys {
			t.Fatalf("%d keys", len(keys))
		}
		for _, k := range keys {
			if checkPublicKey(k.pub) != nil || k.id == "" {
				t.Fatalf("a key that cannot verify: %+v", k)
			}
			ok := false
			for _, alg := range AsymmetricAlgorithms {
				ok = ok || k.fits(alg) || k.alg != ""
			}
			if !ok {
				t.Fatalf("a key that fits no algorithm: %T", k.pub)
			}
		}
	})
}
