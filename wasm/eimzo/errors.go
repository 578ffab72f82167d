package eimzo

import (
	"errors"
	"strconv"
)

// Code is a stable, append-only error code. Programs branch on codes; the
// messages are for people and may change.
type Code string

// Who must act to fix an error.
const (
	GroupUser        = "user"        // the person at the keyboard
	GroupDeveloper   = "developer"   // the site's developer
	GroupEnvironment = "environment" // the machine: daemon, browser, network
)

// Error is every error the client returns. Status is the daemon's status
// code when the daemon answered, CloseCode the WebSocket close code when the
// connection ended without an answer.
type Error struct {
	Code      Code
	Message   string
	Hint      string
	Status    int
	CloseCode int
	Err       error
}

func (e *Error) Error() string {
	s := "eimzo: " + string(e.Code) + ": " + e.Message
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches any *Error with the same code, so errors.Is(err,
// &eimzo.Error{Code: eimzo.CodeTimeout}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// CodeOf returns the code of err, CodeInternal for errors from elsewhere,
// and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// newError builds an error from the catalogue entry of code.
func newError(code Code, cause error) *Error {
	d := Describe(code)
	return &Error{Code: code, Message: d.Message(LangEN), Hint: d.Hint, Err: cause}
}

// daemonError maps a failed reply to an error (PROTOCOL.md §10.2).
func daemonError(status int, reason string) *Error {
	var code Code
	switch status {
	case 0:
		code = CodeFunctionNotFound
	case -1020, -1021, -1022:
		code = CodeAPIKeyRejected
	case -1010, -1014, -2002, -2006, -2011:
		code = CodeKeyNotFound
	case -5000, -5001, -5002:
		code = CodePasswordCancelled
	default:
		code = CodeSignFailed
	}
	e := newError(code, nil)
	e.Status = status
	if reason != "" {
		e.Message += " (E-IMZO " + strconv.Itoa(status) + ": " + reason + ")"
	}
	return e
}
