// Package eimzo is the E-IMZO client core in plain Go: the whole API of the
// eimzo-client package over a small [Transport], with errors that carry
// stable codes. It does not import syscall/js, so it runs natively (its
// tests talk to an in-process daemon-sim) and in the browser, where
// wasm/jsapi gives it the page's WebSocket or window.CAPIWS.
//
// Entry points: [New] and its With… options; [Client.Install] (version
// gate, API keys on daemons before v6), [Client.ListKeys] (PFX keys and,
// before 4.12, ftjc tokens; aliases parsed without EIMZOClient's bugs),
// [Client.LoadKey], [Client.Sign], [Client.SignWithSerial],
// [Client.Authenticate], [Client.SignHash], [Client.CertificateChain],
// [Client.DeviceConnected], [Client.SignWithDevice],
// [Client.AuthenticateWithDevice]. [SignOptions].Timestamp puts an RFC 3161
// token into the CMS: through the daemon before v6, with [AttachTimestamp]
// (a hand-written BER/DER walker, RFC 5652 §5.3) from v6 on. [MobileCode]
// is the E-IMZO mobile QR code (PROTOCOL.md §7). [RoleOf] and [StatusOf]
// are the certificate helpers.
//
// Data to sign is a [Data] ([Bytes], [Base64], or the bridge's kinds, whose
// bytes stay in JavaScript) and a reply's large strings are [Text], so the
// browser never copies a 32 MB document or a 45 MB CMS into Go's memory.
//
// Errors are *[Error] with a [Code], a message and a hint in the client's
// language (uz, ru, en; [WithLang]); use [CodeOf] or errors.Is with an
// *Error of the same code. [Catalogue] lists every code, grouped by who
// must act: the user (WRONG_PASSWORD, PASSWORD_CANCELLED, KEY_NOT_FOUND,
// DEVICE_NOT_FOUND, VERSION_UNSUPPORTED, FUNCTION_NOT_FOUND), the site's
// developer (API_KEY_REJECTED, DATA_TOO_LARGE, BAD_ARGUMENT, ABORTED,
// TIMESTAMP_FAILED, SCRIPT_INTEGRITY, MOBILE_UNSUPPORTED, the DEEPLINK_
// codes, INTERNAL) or the environment (NOT_INSTALLED, LOCAL_NETWORK_BLOCKED,
// TRANSPORT, TIMEOUT, RESPONSE_TOO_LARGE, PROTOCOL, SIGN_FAILED,
// SCRIPT_LOAD_FAILED). The JavaScript error classes are generated from the
// catalogue (go generate).
package eimzo
