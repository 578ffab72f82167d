package cert_test

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/eimzokit/eimzokit/web/crypto/gost"
	"github.com/eimzokit/eimzokit/web/crypto/gost/cert"
)

// Example creates a self-signed root and a user certificate with a PINFL,
// then verifies the user inside and outside its validity.
func Example() {
	rootKey, _ := gost.GenerateKey(gost.CurveA(), rand.Reader)
	userKey, _ := gost.GenerateKey(gost.CurveA(), rand.Reader)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

	rootT := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test Root", Country: []string{"UZ"}},
		NotBefore: start, NotAfter: start.AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	rootDER, err := cert.Create(rand.Reader, rootT, rootT, rootKey.PublicKey(), rootKey)
	if err != nil {
		fmt.Println(err)
		return
	}
	root, _ := cert.Parse(rootDER)

	userT := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject: pkix.Name{CommonName: "TESTOV TEST", ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: cert.OIDPINFL, Value: "31707905590011"}}},
		NotBefore: start, NotAfter: start.AddDate(2, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	userDER, _ := cert.Create(rand.Reader, userT, root.Certificate, userKey.PublicKey(), rootKey)
	user, _ := cert.Parse(userDER)

	chain, err := user.Verify(cert.VerifyOptions{Roots: []*cert.Certificate{root}, Time: start.AddDate(1, 0, 0)})
	fmt.Println(len(chain), err, user.PINFL())

	_, err = user.Verify(cert.VerifyOptions{Roots: []*cert.Certificate{root}, Time: start.AddDate(3, 0, 0)})
	fmt.Println(errors.Is(err, cert.ErrExpired))
	// Output:
	// 2 <nil> 31707905590011
	// true
}
