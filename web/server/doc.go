// Package server is eimzo-web's HTTP layer: it turns requests into calls of
// the verifier (web/verify), the login service (web/auth), the time-stamp
// client (web/tsp) and the audit log (web/audit), and their results and
// errors into replies. It holds no cryptography and no state of its own:
// state lives in web/store, reached through auth.
//
// [New] returns one http.Handler with every route; the routes are grouped
// by the API they belong to, one file each:
//
//   - api.go: eimzokit's own JSON API under /api (challenge, login, refresh,
//     logout, session, verify, time-stamp) and the JWKS;
//   - esignature.go: the e-signature verification endpoints
//     (/api/esignature/...), bodies and codes as that API defines them; the
//     access token is eimzo-web's session or, with Config.Access, the site's
//     identity provider's (web/auth.AccessVerifier);
//   - eimzoserver.go: E-IMZO-SERVER's routes (/frontend/..., /backend/...),
//     raw text bodies and numeric statuses; eimzoinfo.go: its /ping, /info
//     and /frontend/timestamp/data;
//   - server.go: the demo page and its assets, security headers, body
//     limits, JSON and error replies shared by all;
//   - i18n.go: the uz/ru/en messages of the error codes.
//
// Errors reach clients as a code and a message for people; /api replies are
// {"code","message","localizedMessage","detail"?}. Every body is read with
// a limit (413 BODY_TOO_LARGE beyond it).
package server
