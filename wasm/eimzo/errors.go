package eimzo

import (
	"errors"
	"strconv"
	"strings"
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

// Error is every error the client returns.
type Error struct {
	Code Code
	// Message is for people, in the client's language (WithLang): the
	// catalogue's message, then Detail, then the daemon's Reason.
	Message string
	Hint    string // what to do about it, in the same language
	// Detail says what exactly went wrong, in English (names, numbers).
	Detail string
	// Status is the daemon's status code when the daemon answered; Reason
	// is the daemon's own text (Russian or Uzbek).
	Status int
	Reason string
	// CloseCode is the WebSocket close code when the connection ended
	// without an answer.
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

// NewError returns an error of code with an English message. detail may be
// empty. Clients rewrite the message in their language before returning it.
func NewError(code Code, detail string) *Error {
	e := &Error{Code: code, Detail: detail}
	e.localize(LangEN)
	return e
}

func wrapError(code Code, detail string, cause error) *Error {
	e := NewError(code, detail)
	e.Err = cause
	return e
}

// localize writes Message and Hint in lang.
func (e *Error) localize(lang Lang) {
	d := Describe(e.Code)
	var b strings.Builder
	b.WriteString(d.Message.In(lang))
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Reason != "" || e.Status != 0 {
		b.WriteString(" (E-IMZO ")
		b.WriteString(strconv.Itoa(e.Status))
		if e.Reason != "" {
			b.WriteString(": ")
			b.WriteString(e.Reason)
		}
		b.WriteString(")")
	}
	e.Message = b.String()
	e.Hint = d.Hint.In(lang)
}

// asError returns err as an *Error, wrapping foreign errors as INTERNAL.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return wrapError(CodeInternal, "", err)
}

// daemonError maps a failed reply to an error (PROTOCOL.md §2.3, §10.2).
// Daemons before v6 may leave the status out; their reason text decides.
func daemonError(status int, hasStatus bool, reason string) *Error {
	code := CodeSignFailed
	if hasStatus {
		switch status {
		case 0:
			code = CodeFunctionNotFound
		case -1020, -1021, -1022:
			code = CodeAPIKeyRejected
		case -1010, -1013, -1014, -2002, -2006, -2010, -2011, -2024, -5003:
			code = CodeKeyNotFound
		case -1019:
			code = CodeWrongPassword
		case -5000, -5001, -5002:
			code = CodePasswordCancelled
		case -9999:
			code = reasonCode(reason, CodeSignFailed)
		}
	} else {
		code = reasonCode(reason, CodeSignFailed)
	}
	e := NewError(code, "")
	e.Status, e.Reason = status, reason
	e.localize(LangEN)
	return e
}

// reasonPhrases map the texts of daemons that send no status (v5 and
// older, or -9999 with free text) to codes. They are substrings of the
// daemon's Russian and Uzbek bundles and of the Java exceptions older
// builds put into reason.
var reasonPhrases = [...]struct {
	text string
	code Code
}{
	{"BadPaddingException", CodeWrongPassword},
	{"Ввод пароля отменен", CodePasswordCancelled},
	{"Parol kiritish bekor", CodePasswordCancelled},
	{"тменен", CodePasswordCancelled},
	{"bekor qilindi", CodePasswordCancelled},
	{"Пароль ключа неверный", CodeWrongPassword},
	{"Неверный PIN", CodeWrongPassword},
	{"PIN-код неверный", CodeWrongPassword},
	{"paroli noto‘g‘ri", CodeWrongPassword},
	{"Устройство не найдено", CodeDeviceNotFound},
	{"Qurilma topilmadi", CodeDeviceNotFound},
	{"Функция не найдена", CodeFunctionNotFound},
	{"функция отключена", CodeFunctionNotFound},
	{"Funksiya topilmadi", CodeFunctionNotFound},
	{"API-key", CodeAPIKeyRejected},
	{"домен", CodeAPIKeyRejected},
	{"не найден", CodeKeyNotFound},
	{"не существует", CodeKeyNotFound},
	{"topilmadi", CodeKeyNotFound},
}

func reasonCode(reason string, fallback Code) Code {
	for _, p := range reasonPhrases {
		if strings.Contains(reason, p.text) {
			return p.code
		}
	}
	return fallback
}

// Localize returns err as an *Error whose Message and Hint are in lang;
// errors from elsewhere become INTERNAL.
func Localize(err error, lang Lang) *Error {
	e := asError(err)
	e.localize(lang)
	return e
}
