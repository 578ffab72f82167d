package testpki

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Revocation is a certificate the issuing CA has revoked, for a CRL or an
// OCSP responder to publish (RFC 5280 §5.3.1, RFC 6960).
type Revocation struct {
	Serial    string    `json:"serial"` // lowercase hex, no leading zeros
	RevokedAt time.Time `json:"revoked_at"`
	Reason    int       `json:"reason"` // CRLReason code
}

// ReasonKeyCompromise is the CRLReason given to certificates of the
// Revoked profile.
const ReasonKeyCompromise = 1

// Revoke records cert as revoked at the given time.
func (p *PKI) Revoke(cert *x509.Certificate, at time.Time, reason int) {
	p.RevokeSerial(cert.SerialNumber, at, reason)
}

// RevokeSerial records the certificate with serial as revoked at the given
// time, replacing an earlier revocation of the same serial. The list is the
// one source of truth of the PKI's CRLs and OCSP answers (daemon-sim/pkisvc
// reads it on every request); SaveRevocations keeps it in RevokedFile.
func (p *PKI) RevokeSerial(serial *big.Int, at time.Time, reason int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	hex := serial.Text(16)
	p.revoked = slices.DeleteFunc(p.revoked, func(r Revocation) bool { return r.Serial == hex })
	p.revoked = append(p.revoked, Revocation{Serial: hex, RevokedAt: at.UTC().Truncate(time.Second), Reason: reason})
}

// Reinstate takes serial off the revocation list (as after a certificate
// hold is released) and reports whether it was there.
func (p *PKI) Reinstate(serial *big.Int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.revoked)
	hex := serial.Text(16)
	p.revoked = slices.DeleteFunc(p.revoked, func(r Revocation) bool { return r.Serial == hex })
	return len(p.revoked) != n
}

// Revoked returns the revocation of serial, if it is revoked.
func (p *PKI) Revoked(serial *big.Int) (Revocation, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	hex := serial.Text(16)
	for _, r := range p.revoked {
		if r.Serial == hex {
			return r, true
		}
	}
	return Revocation{}, false
}

// Revocations returns every revocation recorded, oldest first.
func (p *PKI) Revocations() []Revocation {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Revocation(nil), p.revoked...)
}

// SaveRevocations writes the revocation list (RevokedFile) into dir.
func (p *PKI) SaveRevocations(dir string) error {
	data, err := json.MarshalIndent(p.Revocations(), "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, RevokedFile), append(data, '\n'), 0o644)
}

func (p *PKI) loadRevocations(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, RevokedFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var list []Revocation
	if err := json.Unmarshal(data, &list); err != nil {
		return fmt.Errorf("testpki: %s: %w", RevokedFile, err)
	}
	p.revoked = list
	return nil
}
