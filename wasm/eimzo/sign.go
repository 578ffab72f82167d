package eimzo

import (
	"context"
	"encoding/base64"
	"github.com/eimzokit/eimzokit/wasm/internal/hexstr"
	"strconv"
	"strings"
)

// SignOptions adjust the signing calls.
type SignOptions struct {
	Detached bool // leave the content out of the CMS
	// Timestamp, when set, gets the signature's hex and returns an RFC 3161
	// TimeStampToken (base64 DER), which ends up in the CMS as the unsigned
	// attribute id-aa-timeStampToken (RFC 3161 Appendix A). Daemons before
	// v6 attach it themselves (attach_timestamp_token_pkcs7); v6 dropped
	// that function, so the client attaches it ([AttachTimestamp]).
	Timestamp func(ctx context.Context, signatureHex string) (string, error)
}

// SignResult is a signature.
type SignResult struct {
	PKCS7              Text   // base64 DER CMS SignedData
	SignerSerialNumber string // lowercase hex, no leading zeros
	SignatureHex       string // the signature value, lowercase hex
}

// Sign signs data with cert's key as CMS SignedData. The key is loaded on
// first use and its id reused; an id the daemon forgot is loaded again
// once. Data over the limit is refused with DATA_TOO_LARGE before anything
// is sent.
func (c *Client) Sign(ctx context.Context, cert Certificate, data Data, opts SignOptions) (res SignResult, err error) {
	defer c.finish(&err)
	if err := c.checkData(data); err != nil {
		return res, err
	}
	err = c.withKey(ctx, cert, func(id string) error {
		res, err = c.createPKCS7(ctx, data, id, opts.Detached)
		return err
	})
	if err == nil && opts.Timestamp != nil {
		res, err = c.timestamp(ctx, res, opts.Timestamp)
	}
	return res, err
}

// SignWithSerial finds the key whose certificate has serial (hex, any
// case, leading zeros ignored) and signs with it. KEY_NOT_FOUND when no
// listed key has it.
func (c *Client) SignWithSerial(ctx context.Context, serial string, data Data, opts SignOptions) (res SignResult, err error) {
	defer c.finish(&err)
	if err := c.checkData(data); err != nil {
		return res, err
	}
	want := normSerial(serial)
	if want == "" {
		return res, NewError(CodeBadArgument, "an empty serial number")
	}
	certs, err := c.ListKeys(ctx)
	if err != nil {
		return res, err
	}
	for _, cert := range certs {
		if normSerial(cert.SerialNumber) == want {
			return c.Sign(ctx, cert, data, opts)
		}
	}
	return res, NewError(CodeKeyNotFound, "no key with serial number "+want)
}

// Authenticate signs a login challenge (its UTF-8 bytes, attached) and
// returns the CMS, which the backend checks against the challenge it issued.
func (c *Client) Authenticate(ctx context.Context, cert Certificate, challenge string) (pkcs7 Text, err error) {
	if challenge == "" {
		defer c.finish(&err)
		return nil, NewError(CodeBadArgument, "an empty challenge")
	}
	res, err := c.Sign(ctx, cert, Bytes(challenge), SignOptions{})
	return res.PKCS7, err
}

func (c *Client) checkData(d Data) error {
	if d == nil {
		return NewError(CodeBadArgument, "no data")
	}
	n := d.Size()
	if n < 0 {
		return NewError(CodeBadArgument, "isBase64: the data is not standard base64")
	}
	if n > c.maxData {
		return NewError(CodeDataTooLarge, strconv.Itoa(n)+" > "+strconv.Itoa(c.maxData)+" bytes")
	}
	return nil
}

// createPKCS7 calls pkcs7.create_pkcs7(data_64, id, "yes"|"no") (PROTOCOL.md §4.2).
func (c *Client) createPKCS7(ctx context.Context, data Data, id string, detached bool) (SignResult, error) {
	flag := "no"
	if detached {
		flag = "yes"
	}
	r, err := c.call(ctx, Request{Plugin: "pkcs7", Name: "create_pkcs7", Data: data, Args: []string{id, flag}})
	if err != nil {
		return SignResult{}, err
	}
	res := SignResult{PKCS7: r.Text("pkcs7_64"), SignerSerialNumber: r.Str("signer_serial_number"), SignatureHex: r.Str("signature_hex")}
	if res.PKCS7 == nil || res.PKCS7.Len() == 0 {
		return SignResult{}, NewError(CodeProtocol, "create_pkcs7 answered without pkcs7_64")
	}
	return res, nil
}

// timestamp asks ts for a token over the signature and puts it into the
// CMS: through the daemon before v6, by the client from v6 on (and when an
// older daemon lacks the function).
func (c *Client) timestamp(ctx context.Context, res SignResult, ts func(context.Context, string) (string, error)) (SignResult, error) {
	var der []byte
	sigHex := strings.ToLower(res.SignatureHex)
	sig, err := hexstr.Decode(sigHex)
	if sigHex == "" || err != nil {
		// No signature_hex in the reply (some daemons): read it from the CMS.
		if der, err = decodeBase64(res.PKCS7.String()); err != nil {
			return res, wrapError(CodeProtocol, "pkcs7_64 is not base64", err)
		}
		if sig, err = SignatureOf(der); err != nil {
			return res, wrapError(CodeProtocol, "the daemon's CMS", err)
		}
		sigHex = hexstr.Encode(sig)
	}
	token64, err := ts(ctx, sigHex)
	if err != nil {
		if e, ok := err.(*Error); ok {
			return res, e
		}
		return res, wrapError(CodeTimestampFailed, "the timestamp callback failed", err)
	}
	token64 = strings.Join(strings.Fields(token64), "")
	token, err := decodeBase64(token64)
	if err != nil {
		return res, wrapError(CodeTimestampFailed, "the token is not base64", err)
	}
	if err := checkToken(token); err != nil {
		return res, wrapError(CodeTimestampFailed, "the token is not an RFC 3161 TimeStampToken", err)
	}
	token64 = base64.StdEncoding.EncodeToString(token)
	v, err := c.versionNumber(ctx)
	if err != nil {
		return res, err
	}
	if v < VersionV6 && res.SignerSerialNumber != "" {
		pkcs7, ok := res.PKCS7.(Data)
		if !ok {
			pkcs7 = Base64(res.PKCS7.String())
		}
		r, err := c.call(ctx, Request{Plugin: "pkcs7", Name: "attach_timestamp_token_pkcs7", Data: pkcs7, Args: []string{res.SignerSerialNumber, token64}})
		if err == nil {
			out := r.Text("pkcs7_64")
			if out == nil || out.Len() == 0 {
				return res, NewError(CodeProtocol, "attach_timestamp_token_pkcs7 answered without pkcs7_64")
			}
			res.PKCS7 = out
			return res, nil
		}
		if CodeOf(err) != CodeFunctionNotFound {
			return res, err
		}
	}
	if der == nil {
		if der, err = decodeBase64(res.PKCS7.String()); err != nil {
			return res, wrapError(CodeProtocol, "pkcs7_64 is not base64", err)
		}
	}
	out, err := AttachTimestamp(der, sig, token)
	if err != nil {
		return res, wrapError(CodeTimestampFailed, "", err)
	}
	res.PKCS7 = String(base64.StdEncoding.EncodeToString(out))
	return res, nil
}

func decodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// Device is a hardware token that create_pkcs7 takes by a fixed id in
// place of a key id (PROTOCOL.md §4.2, §4.4).
type Device string

// The devices and their ids.
const (
	DeviceIDCard Device = "idcard" // the E-IMZO ID card, in a card reader
	DeviceBAIK   Device = "baikey" // a BAIK token
	DeviceCKC    Device = "ckc"    // any compatible crypto container; the daemon shows a chooser
)

// minVersion is the first daemon that knows the device, as the official
// client gates it.
func (d Device) minVersion() int {
	if d == DeviceIDCard {
		return VersionIDCard
	}
	return VersionBAIK
}

// listing is the function that lists the device and the array it answers.
func (d Device) listing() (plugin, name, field string) {
	switch d {
	case DeviceIDCard:
		return "idcard", "list_readers", "readers"
	case DeviceBAIK:
		return "baikey", "list_tokens", "tokens"
	}
	return "ckc", "list_ckc", "devices"
}

func (d Device) check() error {
	switch d {
	case DeviceIDCard, DeviceBAIK, DeviceCKC:
		return nil
	}
	return NewError(CodeBadArgument, "unknown device "+string(d))
}

// DeviceConnected reports whether the daemon sees the device. Like
// EIMZOClient it answers false without asking a daemon too old to know the
// device; a daemon without the plugin also means false.
func (c *Client) DeviceConnected(ctx context.Context, d Device) (ok bool, err error) {
	defer c.finish(&err)
	if err := d.check(); err != nil {
		return false, err
	}
	v, err := c.versionNumber(ctx)
	if err != nil {
		return false, err
	}
	if v < d.minVersion() {
		return false, nil
	}
	plugin, name, field := d.listing()
	r, err := c.call(ctx, Request{Plugin: plugin, Name: name})
	if CodeOf(err) == CodeFunctionNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return r.Len(field) > 0, nil
}

// SignWithDevice signs with a hardware token; the daemon asks for its PIN.
// VERSION_UNSUPPORTED on a daemon too old for the device, DEVICE_NOT_FOUND
// when it is not connected.
func (c *Client) SignWithDevice(ctx context.Context, d Device, data Data, opts SignOptions) (res SignResult, err error) {
	defer c.finish(&err)
	if err := d.check(); err != nil {
		return res, err
	}
	if err := c.checkData(data); err != nil {
		return res, err
	}
	v, err := c.versionNumber(ctx)
	if err != nil {
		return res, err
	}
	if v < d.minVersion() {
		return res, NewError(CodeVersionUnsupported, string(d)+" needs E-IMZO "+versionText(d.minVersion())+" or newer")
	}
	if res, err = c.createPKCS7(ctx, data, string(d), opts.Detached); err != nil {
		return res, err
	}
	if opts.Timestamp != nil {
		res, err = c.timestamp(ctx, res, opts.Timestamp)
	}
	return res, err
}

// AuthenticateWithDevice signs a login challenge with a hardware token.
func (c *Client) AuthenticateWithDevice(ctx context.Context, d Device, challenge string) (pkcs7 Text, err error) {
	if challenge == "" {
		defer c.finish(&err)
		return nil, NewError(CodeBadArgument, "an empty challenge")
	}
	res, err := c.SignWithDevice(ctx, d, Bytes(challenge), SignOptions{})
	return res.PKCS7, err
}
