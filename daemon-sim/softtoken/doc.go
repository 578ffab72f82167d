// Package softtoken is the simulator's key store and its simulated user:
// PKCS#12 key files in a folder presented as the daemon's "disks"
// (PROTOCOL.md §4.1), key ids that survive across connections, virtual
// signing devices (ID card, BAIK, UZGUARD, legacy FT JavaCard) behind a PIN,
// and the dialogs of the real daemon answered by a scripted person.
//
// Entry points: [Open] reads a folder of .pfx files; [Store.List],
// [Store.Load], [Store.Unlock], [Store.VerifyPassword] and
// [Store.ChangePassword] are the pfx plugin; [Store.Plug] and
// [Store.UnlockDevice] are the devices; [Store.SetScript] scripts the user
// per key or device ([Script]: right, wrong N times, cancel, wait, a delay,
// "remember for 6 hours"); [Store.WaitDialog], [Store.OpenDialogs] and [Store.AnswerDialog]
// answer a waiting dialog by hand; [Store.AddSigning] and [Store.SetSigning]
// choose how a key signs ([Signing]: SHA-256/384/512, RSASSA-PSS for RSA
// keys; kept in SigningFile).
//
// The dialogs follow the real daemon: a password is asked lazily, at the
// first operation that needs the private key, up to three times; a cancel
// or a third wrong password is -5000; a right one is cached per key id for
// a minute, or six hours when "remember" is ticked. Only one dialog is on
// screen at a time: a call that needs another meanwhile gets -3001. A
// device counts wrong PINs across calls, locks at zero (MAX_ATTEMPTS_EXCEEDED)
// and asks for its PUK next time. A call whose client goes away abandons
// its dialog.
//
// Failures are *[Failure] values carrying the daemon's status code.
// Passwords are checked for real, by decrypting the file; nothing here puts
// a password or PIN in a log, an event or an error.
package softtoken
