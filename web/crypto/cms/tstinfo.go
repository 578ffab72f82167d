package cms

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"time"
)

// TSTInfo is the content of an RFC 3161 time-stamp token (§2.4.2): a
// SignedData whose eContentType is id-ct-TSTInfo.
type TSTInfo struct {
	Version       int
	Policy        asn1.ObjectIdentifier
	HashAlgorithm pkix.AlgorithmIdentifier
	HashedMessage []byte
	SerialNumber  *big.Int
	GenTime       time.Time
	Accuracy      time.Duration
	Ordering      bool
	Nonce         *big.Int
	TSA           string // the tsa GeneralName's directory name, "" if absent or of another form
}

type messageImprint struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	HashedMessage []byte
}

type accuracy struct {
	Seconds int `asn1:"optional"`
	Millis  int `asn1:"optional,tag:0"`
	Micros  int `asn1:"optional,tag:1"`
}

type tstInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint messageImprint
	SerialNumber   *big.Int
	GenTime        time.Time        `asn1:"generalized"`
	Accuracy       accuracy         `asn1:"optional"`
	Ordering       bool             `asn1:"optional,default:false"`
	Nonce          *big.Int         `asn1:"optional"`
	TSA            asn1.RawValue    `asn1:"optional,explicit,tag:0"`
	Extensions     []pkix.Extension `asn1:"optional,tag:1"`
}

// ParseTSTInfo parses a DER TSTInfo, the eContent of a time-stamp token.
// Errors match ErrMalformed.
func ParseTSTInfo(der []byte) (*TSTInfo, error) {
	var t tstInfo
	rest, err := asn1.Unmarshal(der, &t)
	if err != nil || len(rest) != 0 {
		return nil, malformed("TSTInfo: %v", errOr(err, "trailing data"))
	}
	if t.Version != 1 {
		return nil, malformed("TSTInfo version %d", t.Version)
	}
	if t.SerialNumber == nil || len(t.MessageImprint.HashedMessage) == 0 {
		return nil, malformed("TSTInfo without serial number or imprint")
	}
	info := &TSTInfo{Version: t.Version, Policy: t.Policy, HashAlgorithm: t.MessageImprint.HashAlgorithm,
		HashedMessage: t.MessageImprint.HashedMessage, SerialNumber: t.SerialNumber, GenTime: t.GenTime,
		Accuracy: time.Duration(t.Accuracy.Seconds)*time.Second + time.Duration(t.Accuracy.Millis)*time.Millisecond +
			time.Duration(t.Accuracy.Micros)*time.Microsecond,
		Ordering: t.Ordering, Nonce: t.Nonce}
	// tsa [0] EXPLICIT GeneralName; encoding/asn1 leaves the [0] in the
	// RawValue. The GeneralName wanted is directoryName [4] EXPLICIT Name.
	var gn asn1.RawValue
	if _, err := asn1.Unmarshal(t.TSA.Bytes, &gn); err == nil && gn.Tag == 4 && gn.Class == asn1.ClassContextSpecific {
		var rdns pkix.RDNSequence
		if _, err := asn1.Unmarshal(gn.Bytes, &rdns); err == nil {
			var n pkix.Name
			n.FillFromRDNSequence(&rdns)
			info.TSA = n.String()
		}
	}
	return info, nil
}

// ParseTimeStampToken parses a TimeStampToken (RFC 3161 §2.4.2) and
// returns it with its TSTInfo, without checking the authority's signature
// (a verifier does that). Errors match ErrMalformed.
func ParseTimeStampToken(token []byte) (*SignedData, *TSTInfo, error) {
	sd, err := Parse(token)
	if err != nil {
		return nil, nil, err
	}
	if !sd.ContentType.Equal(OIDTSTInfo) || sd.Content == nil {
		return nil, nil, malformed("the token does not carry a TSTInfo")
	}
	info, err := ParseTSTInfo(sd.Content)
	if err != nil {
		return nil, nil, err
	}
	return sd, info, nil
}
