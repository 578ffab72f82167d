package verify

// Code is a stable verification error code.
type Code string

// Verification error codes. Append-only: programs switch on them.
const (
	CodeMalformed        Code = "CMS_MALFORMED"      // not a CMS SignedData, or a signer's structure is broken
	CodeNoSigner         Code = "CMS_NO_SIGNER"      // no SignerInfo, or its certificate is missing
	CodeDataMissing      Code = "DATA_MISSING"       // detached CMS without the data
	CodeDigestMismatch   Code = "DATA_MISMATCH"      // the data is not what was signed
	CodeSignatureInvalid Code = "SIGNATURE_INVALID"  // the signature does not verify
	CodeChainInvalid     Code = "CERT_CHAIN_INVALID" // no acceptable chain to a trust anchor
	CodeCertExpired      Code = "CERT_NOT_VALID_AT_SIGNING_TIME"
	CodeUnsupported      Code = "ALGORITHM_UNSUPPORTED"

	CodeSigningTime         Code = "SIGNING_TIME_INVALID"   // signing-time in the future, or after the time-stamp
	CodeCertUsage           Code = "CERT_USAGE_INVALID"     // the signer's key usage forbids signing
	CodeRevoked             Code = "CERT_REVOKED"           // a certificate of the chain is revoked
	CodeRevocationUnknown   Code = "REVOCATION_UNAVAILABLE" // no fresh revocation status (policy: require)
	CodeTimestampInvalid    Code = "TIMESTAMP_INVALID"      // the token's signature, imprint or format is wrong
	CodeTimestampCert       Code = "TIMESTAMP_CERT_INVALID" // the TSA's certificate or chain is not acceptable
	CodeTimestampCertStatus Code = "TIMESTAMP_CERT_STATUS"  // the TSA's chain is revoked, or has no fresh status
	CodeTSAUnavailable      Code = "TSA_UNAVAILABLE"        // the time-stamping authority could not be reached

	// Verification by digest (VerifyHash).
	CodeHashMalformed Code = "HASH_MALFORMED"          // the digest is not hex
	CodeHashLength    Code = "HASH_LENGTH_INVALID"     // the digest is not 32 bytes (SHA-256)
	CodeNotDetached   Code = "CMS_NOT_DETACHED"        // an attached CMS where a detached one over a digest is expected
	CodeHashAlgorithm Code = "HASH_ALGORITHM_MISMATCH" // a signer digested the document with another algorithm than SHA-256
)

// Error is a failed verification: a code for programs, a message for
// people. It never carries key material or secrets.
type Error struct {
	Code Code
	Err  error
}

func (e *Error) Error() string { return "verify: " + string(e.Code) + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Indication is the overall verdict, as ETSI EN 319 102-1 §5.1.3 names it.
type Indication string

// Indications.
const (
	TotalPassed   Indication = "TOTAL_PASSED"
	TotalFailed   Indication = "TOTAL_FAILED"
	Indeterminate Indication = "INDETERMINATE"
)

// Sub-indications used (ETSI EN 319 102-1 §5.1.3, tables 5 and 6).
const (
	SubFormatFailure      = "FORMAT_FAILURE"
	SubHashFailure        = "HASH_FAILURE"
	SubSigCryptoFailure   = "SIG_CRYPTO_FAILURE"
	SubRevoked            = "REVOKED"
	SubNotYetValid        = "NOT_YET_VALID"
	SubSigConstraints     = "SIG_CONSTRAINTS_FAILURE"
	SubChainConstraints   = "CHAIN_CONSTRAINTS_FAILURE"
	SubCryptoConstraints  = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
	SubOutOfBoundsNoPOE   = "OUT_OF_BOUNDS_NO_POE"
	SubRevokedNoPOE       = "REVOKED_NO_POE"
	SubRevokedCANoPOE     = "REVOKED_CA_NO_POE"
	SubTryLater           = "TRY_LATER"
	SubNoChainFound       = "NO_CERTIFICATE_CHAIN_FOUND"
	SubNoSigningCertFound = "NO_SIGNING_CERTIFICATE_FOUND"
	SubSignedDataNotFound = "SIGNED_DATA_NOT_FOUND"
)

// failure is a per-signer failure: the code and message, and the ETSI
// verdict it amounts to.
type failure struct {
	code       Code
	indication Indication
	sub        string
	msg        string
}

func fail(code Code, ind Indication, sub string, msg string) *failure {
	return &failure{code: code, indication: ind, sub: sub, msg: msg}
}
