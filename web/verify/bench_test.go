package verify_test

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/eimzokit/eimzokit/daemon-sim/pkisvc"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"github.com/eimzokit/eimzokit/web/revocation"
	"github.com/eimzokit/eimzokit/web/verify"
)

// BenchmarkVerify measures verifications per second of a CMS whose signer
// chains root → issuing CA → user (a chain of 3), with the revocation status
// of the user and of the CA from cached CRLs; in parallel on every core.
func BenchmarkVerify(b *testing.B) {
	w := newWorld(b)
	data := []byte("benchmark document of a typical size: " + string(make([]byte, 2048)))
	bareRSA, err := w.pki.Issue(testpki.Physical, testpki.RSA2048, 9)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		id      *testpki.Identity
		stamped bool
	}{
		{"ECDSA-P256", w.bare, false},
		{"RSA-2048", bareRSA, false},
		{"ECDSA-P256+timestamp", w.bare, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			der := sign(b, data, false, signer(bc.id, w.pki))
			if bc.stamped {
				der = w.stamp(b, der)
			}
			chk := revocation.New(sigalg.Default(), revocation.WithClock(w.clock.Now),
				revocation.WithCRL(w.base+pkisvc.PathCACRL, w.base+pkisvc.PathRootCRL))
			v := verify.New(verify.WithRoots(w.pki.Root), verify.WithClock(w.clock.Now), verify.WithRevocation(chk, verify.Require))
			if rep, err := v.Verify(context.Background(), der, nil); err != nil || rep.Signers[0].Chain[0].Status.Source != "CRL" {
				b.Fatalf("%v (want a CRL answer)", err)
			}
			benchVerify(b, v, der)
		})
	}
}

// benchVerify verifies der in parallel on every core and reports
// verifications per second.
func benchVerify(b *testing.B, v *verify.Verifier, der []byte) {
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Verify(context.Background(), der, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
}

// BenchmarkVerifyRealGOST measures verifications per second of the real
// E-IMZO message (BER, GOST R 34.10-2001, user ← YT CA ← national root,
// no revocation source), in parallel on every core: each one parses the
// BER and checks the CMS signature; the two certificate signatures are
// cached after the first.
func BenchmarkVerifyRealGOST(b *testing.B) {
	der := gostData(b, "eimzo-pkcs7-attached-777a2a2b.p7b")
	v := verify.New(verify.WithRoots(nationalRoot(b)), verify.WithValidationTime(insideValidity))
	if _, err := v.Verify(context.Background(), der, nil); err != nil {
		b.Fatal(err)
	}
	benchVerify(b, v, der)
}

// BenchmarkVerifyHash compares, for a 32 MiB file and one ECDSA P-256
// signer (no revocation source), the backend's cost of checking a detached
// signature given the file (Verify: it hashes the file) with checking
// signHash's signature given the digest (VerifyHash, both forms): the
// latter does not grow with the file. One core.
func BenchmarkVerifyHash(b *testing.B) {
	w := newWorld(b)
	file := make([]byte, 32<<20)
	sum := sha256.Sum256(file)
	v := verify.New(verify.WithRoots(w.pki.Root), verify.WithClock(w.clock.Now))
	overFile := sign(b, file, true, signer(w.bare, w.pki))
	overDigest := sign(b, sum[:], true, signer(w.bare, w.pki))
	for _, bc := range []struct {
		name string
		run  func() (*verify.Report, error)
	}{
		{"Verify-file-32MiB", func() (*verify.Report, error) { return v.Verify(context.Background(), overFile, file) }},
		{"VerifyHash-messageDigest", func() (*verify.Report, error) { return v.VerifyHash(context.Background(), overFile, sum[:]) }},
		{"VerifyHash-content", func() (*verify.Report, error) { return v.VerifyHash(context.Background(), overDigest, sum[:]) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
		})
	}
}
