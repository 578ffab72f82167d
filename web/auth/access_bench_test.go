package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/eimzokit/eimzokit/web/auth"
	"github.com/eimzokit/eimzokit/web/internal/testclock"
	"github.com/eimzokit/eimzokit/web/store"
)

// BenchmarkAccessVerify measures access-token checks per second on one
// core, per algorithm (the key found by kid among configured keys), next to
// eimzo-web's own session check (VerifyJWT, ES256) as the baseline.
func BenchmarkAccessVerify(b *testing.B) {
	k := keys(b)
	c := testclock.New(epoch)
	var cfgKeys []auth.AccessKey
	for _, p := range k.publics() {
		cfgKeys = append(cfgKeys, auth.AccessKey{Key: p})
	}
	a := accessVerifier(b, auth.AccessConfig{Keys: cfgKeys, HMACSecret: hsSecret, Now: c.Now,
		Default: auth.TokenOptions{Algorithms: append(append([]string{}, auth.AsymmetricAlgorithms...), auth.HMACAlgorithms...),
			Audience: []string{"eimzo-web"}, Issuer: []string{"https://id.example.uz"}}})
	s := service(b, store.NewMemory(store.WithClock(c.Now)), c, nil)
	sess, err := s.StartSession(context.Background(), user)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("session-ES256-baseline", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.VerifyJWT(sess.Access, auth.VerifyOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
	})
	for _, alg := range []string{"RS256", "PS256", "ES256", "ES512", "EdDSA", "HS256"} {
		var key any = k.signerFor(alg)
		kid := ""
		if strings.HasPrefix(alg, "HS") {
			key = hsSecret
		} else {
			kid = thumb(b, k.signerFor(alg).Public())
		}
		tok := mint(b, alg, kid, key, idClaims(nil))
		b.Run(alg, func(b *testing.B) {
			for b.Loop() {
				if _, err := a.Verify(context.Background(), tok, ""); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}
