package capiws

import (
	"errors"
	"strconv"
)

// Where the real daemon listens (PROTOCOL.md §1.1).
const (
	WSPort  = 64646
	WSSPort = 64443
	Path    = "/service/cryptapi"
	// DefaultWSURL is used by pages served over http: (and by native clients).
	DefaultWSURL = "ws://127.0.0.1:64646/service/cryptapi"
	// DefaultWSSURL is used by pages served over https:.
	DefaultWSSURL = "wss://127.0.0.1:64443/service/cryptapi"
)

// Size limits of the real daemon (PROTOCOL.md §1.2).
const (
	MaxFrameBytes    = 64 << 20 // a larger frame closes the socket with 1009
	MaxArgumentBytes = 32 << 20 // a larger single argument is refused
)

// Close codes that matter on the wire (RFC 6455 §7.4.1).
const (
	CloseNormal       = 1000 // the daemon's "Done" after its one reply
	CloseAbnormal     = 1006 // what a browser reports when nothing listens
	CloseTooBig       = 1009
	CloseTLSHandshake = 1015
)

// CloseReasonDone is the reason the daemon puts in its close frame.
const CloseReasonDone = "Done"

// Request is one call: {"plugin":…,"name":…,"arguments":[…]}. Every
// argument is a string on the wire, booleans included ("yes"/"no").
// An empty Plugin is the unnamed main plugin (version, apikey, apidoc).
type Request struct {
	Plugin    string
	Name      string
	Arguments []string
}

// AppendJSON appends the request frame to dst. The plugin and arguments
// keys are left out when empty, as the official e-imzo.js sends them.
func (r Request) AppendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	if r.Plugin != "" {
		dst = append(dst, `"plugin":`...)
		dst = AppendString(dst, r.Plugin)
		dst = append(dst, ',')
	}
	dst = append(dst, `"name":`...)
	dst = AppendString(dst, r.Name)
	if len(r.Arguments) > 0 {
		dst = append(dst, `,"arguments":[`...)
		for i, a := range r.Arguments {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, a)
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// Size returns the length of the request frame without building it.
func (r Request) Size() int {
	n := len(`{"name":""}`) + len(r.Name) + 16
	if r.Plugin != "" {
		n += len(`"plugin":"",`) + len(r.Plugin)
	}
	for _, a := range r.Arguments {
		n += len(a) + 3
	}
	return n
}

// ErrNotRequest is returned by [ParseRequest] for a frame that is JSON but
// not a request object.
var ErrNotRequest = errors.New("capiws: frame is not a request object")

// ParseRequest reads a request frame. Missing "plugin" and "arguments" are
// allowed; a non-string name, plugin or argument is [ErrNotRequest], which
// the daemon answers like an unknown function.
func ParseRequest(frame []byte) (Request, error) {
	v, err := ParseJSON(frame)
	if err != nil {
		return Request{}, err
	}
	if v.Kind() != Object {
		return Request{}, ErrNotRequest
	}
	var r Request
	if p, ok := v.Get("plugin"); ok && p.Kind() != Null {
		if p.Kind() != String {
			return Request{}, ErrNotRequest
		}
		r.Plugin = p.Str()
	}
	n, ok := v.Get("name")
	if !ok || n.Kind() != String {
		return Request{}, ErrNotRequest
	}
	r.Name = n.Str()
	if a, ok := v.Get("arguments"); ok && a.Kind() != Null {
		if a.Kind() != Array {
			return Request{}, ErrNotRequest
		}
		r.Arguments = make([]string, 0, len(a.Items()))
		for _, it := range a.Items() {
			if it.Kind() != String {
				return Request{}, ErrNotRequest
			}
			r.Arguments = append(r.Arguments, it.Str())
		}
	}
	return r, nil
}

// Reply is a parsed reply frame: one flat JSON object, except for apidoc,
// which answers a bare array (PROTOCOL.md §2.2, §3.3).
type Reply struct{ Value }

// ParseReply parses a reply frame.
func ParseReply(frame []byte) (Reply, error) {
	v, err := ParseJSON(frame)
	if err != nil {
		return Reply{}, err
	}
	return Reply{v}, nil
}

// Success reports whether the reply says "success": true (the boolean).
func (r Reply) Success() bool {
	v, _ := r.Get("success")
	return v.BoolValue()
}

// Status returns the numeric "status", and false when the reply has none
// (older daemons leave it out).
func (r Reply) Status() (Status, bool) {
	v, ok := r.Get("status")
	if !ok {
		return 0, false
	}
	n, ok := v.Int()
	return Status(n), ok
}

// Reason returns the human-readable "reason" of a failed call.
func (r Reply) Reason() string {
	v, _ := r.Get("reason")
	return v.Text()
}

// Field returns the text of a top-level field ("" when absent).
func (r Reply) Field(key string) string {
	v, _ := r.Get(key)
	return v.Text()
}

// Status is a daemon status code (PROTOCOL.md §2.3). Codes are append-only.
type Status int

// Status codes of the v6 daemon.
const (
	StatusOK                   Status = 1
	StatusNotFound             Status = 0 // unknown function, wrong argument count, bad frame
	StatusBadPath              Status = -1002
	StatusBadFileName          Status = -1003
	StatusFileExists           Status = -1004
	StatusBadLanguage          Status = -1005
	StatusKeyIDNotFound        Status = -1010
	StatusKeyPairNotFound      Status = -1011
	StatusYTKSIDNotFound       Status = -1013
	StatusPFXIDNotFound        Status = -1014
	StatusIDNotForKey          Status = -1015
	StatusKeyIDMismatch        Status = -1016
	StatusIDNotForCertificate  Status = -1018
	StatusPINLength            Status = -1019
	StatusAPIKeyInvalid        Status = -1020
	StatusDomainUnknown        Status = -1021
	StatusDomainNotAllowed     Status = -1022
	StatusPolicyMissing        Status = -1023
	StatusPKCS10Invalid        Status = -1028
	StatusBadSeed              Status = -1029
	StatusPFXFileMissing       Status = -2002
	StatusAliasNotFound        Status = -2006
	StatusTempFileExists       Status = -2009
	StatusYTKSFileMissing      Status = -2010
	StatusDiskNotFound         Status = -2011
	StatusKeyFileExists        Status = -2012
	StatusPublicKeyMismatch    Status = -2020
	StatusPrivateKeyMismatch   Status = -2021
	StatusPolicyInvalid        Status = -2023
	StatusYTKSAliasNotFound    Status = -2024
	StatusEnrolmentNotFound    Status = -2025
	StatusEnrolmentExists      Status = -2026
	StatusInProcess            Status = -3000
	StatusWaitingForUser       Status = -3001
	StatusPasswordCancelled    Status = -5000
	StatusOperationCancelled   Status = -5001
	StatusCancelledByUser      Status = -5002
	StatusPlugUSB              Status = -5003
	StatusNewPasswordsMismatch Status = -5004
	StatusMkdirFailed          Status = -9000
	StatusRuntime              Status = -9999
)

// Texts of the daemon's bundle that are not a status's reason template
// (PROTOCOL.md §2.3). -9999 replies carry free text; these are the common
// ones.
const (
	// ReasonWrongPassword is shown inside the password dialog between
	// attempts, never returned by a v6 daemon.
	ReasonWrongPassword = "Пароль ключа неверный или файл ключа поврежден"
	// ReasonDeprecated answers functions a v6 daemon switched off.
	ReasonDeprecated = "В данной версии E-IMZO функция отключена"
	// ReasonDeviceNotFound is -9999 for a device id with nothing plugged in.
	ReasonDeviceNotFound = "Устройство не найдено"
)

func (s Status) String() string { return strconv.Itoa(int(s)) }

// Lang is a language of the daemon's reasons.
type Lang string

// The daemon's UI languages (app.change_ui_lang).
const (
	LangRU Lang = "ru"
	LangUZ Lang = "uz"
)

// Reason templates from the daemon's message bundles; %s is replaced by
// [Status.Reason]'s argument. Russian is the default language.
var reasons = map[Lang]map[Status]string{
	LangRU: {
		StatusNotFound:             "Функция не найдена или версия E-IMZO устарела. Обновите E-IMZO.",
		StatusBadPath:              "Аргумент path недействителен",
		StatusBadFileName:          "Имя файла содержит неразрешенные символы",
		StatusFileExists:           "Файл уже существует, выберите другое имя файла",
		StatusBadLanguage:          "Недействительный код языка",
		StatusKeyIDNotFound:        "Ключ по идентификатору не найден",
		StatusKeyPairNotFound:      "Ключевая пара по идентификатору не найдена",
		StatusYTKSIDNotFound:       "Идентификатор ключа типа '%s' не найден",
		StatusPFXIDNotFound:        "Идентификатор ключа типа '%s' не найден",
		StatusIDNotForKey:          "Несоответствующий ключу идентификатор",
		StatusKeyIDMismatch:        "Несоответствующий идентификатор ключа",
		StatusIDNotForCertificate:  "Несоответствующий сертификату идентификатор",
		StatusAPIKeyInvalid:        "API-key для домена %s недействителен.",
		StatusDomainUnknown:        "Не удалось идентифицировать домен.",
		StatusDomainNotAllowed:     "API-key для домена %s недействителен.",
		StatusPINLength:            "Недопустимая длина PIN-кода",
		StatusPolicyMissing:        "Не указаны идентификаторы политик сертификата",
		StatusPKCS10Invalid:        "Не удалось разобрать запрос PKCS#10",
		StatusBadSeed:              "Передан неопределенный источник seed",
		StatusPFXFileMissing:       "Файл ключа не существует",
		StatusAliasNotFound:        "Сертификат с именем [%s] не найден в PFX-файле %s",
		StatusTempFileExists:       "Файл уже существует: %s",
		StatusYTKSFileMissing:      "Файл ключа не существует",
		StatusDiskNotFound:         "Диск не найден",
		StatusKeyFileExists:        "Файл ключа уже существует: %s",
		StatusPublicKeyMismatch:    "Открытый ключ сертификата не соответствует ключевой паре",
		StatusPrivateKeyMismatch:   "Закрытый ключ не соответствует сертификату",
		StatusPolicyInvalid:        "Недействительные идентификаторы политик сертификата",
		StatusYTKSAliasNotFound:    "Сертификат с именем [%s] не найден в YKS-файле %s",
		StatusEnrolmentNotFound:    "Заявка с идентификатором %s не найдена",
		StatusEnrolmentExists:      "Заявка с идентификатором %s уже существует",
		StatusMkdirFailed:          "Не удалось создать папку %s",
		StatusInProcess:            "В процессе обработки запроса",
		StatusWaitingForUser:       "В ожидании ввода пользователя",
		StatusPasswordCancelled:    "Ввод пароля отменен",
		StatusOperationCancelled:   "Операция отменена",
		StatusCancelledByUser:      "Отменено пользователем",
		StatusPlugUSB:              "Присоедините USB-диск и повторите попытку",
		StatusNewPasswordsMismatch: "Новые пароли не соответствуют",
	},
	LangUZ: {
		StatusNotFound:             "Funksiya topilmadi yoki E-IMZO versiyasi eskirgan. E-IMZO ni yangilang.",
		StatusBadPath:              "path argumenti yaroqsiz",
		StatusBadFileName:          "Fayl nomida ruxsat etilmagan belgilar bor",
		StatusFileExists:           "Fayl allaqachon mavjud, boshqa fayl nomini tanlang",
		StatusBadLanguage:          "Til kodi yaroqsiz",
		StatusKeyIDNotFound:        "Identifikator bo‘yicha kalit topilmadi",
		StatusKeyPairNotFound:      "Identifikator bo‘yicha kalit juftligi topilmadi",
		StatusYTKSIDNotFound:       "'%s' turidagi kalit identifikatori topilmadi",
		StatusPFXIDNotFound:        "'%s' turidagi kalit identifikatori topilmadi",
		StatusIDNotForKey:          "Kalitga mos kelmaydigan identifikator",
		StatusKeyIDMismatch:        "Kalit identifikatori mos kelmaydi",
		StatusIDNotForCertificate:  "Sertifikatga mos kelmaydigan identifikator",
		StatusAPIKeyInvalid:        "%s domeni uchun API-key yaroqsiz.",
		StatusDomainUnknown:        "Domenni aniqlab bo‘lmadi.",
		StatusDomainNotAllowed:     "%s domeni uchun API-key yaroqsiz.",
		StatusPINLength:            "PIN-kod uzunligi yaroqsiz",
		StatusPolicyMissing:        "Sertifikat siyosatlari identifikatorlari ko‘rsatilmagan",
		StatusPKCS10Invalid:        "PKCS#10 so‘rovini o‘qib bo‘lmadi",
		StatusBadSeed:              "Aniqlanmagan seed manbasi berildi",
		StatusPFXFileMissing:       "Kalit fayli mavjud emas",
		StatusAliasNotFound:        "[%s] nomli sertifikat %s PFX-faylida topilmadi",
		StatusTempFileExists:       "Fayl allaqachon mavjud: %s",
		StatusYTKSFileMissing:      "Kalit fayli mavjud emas",
		StatusDiskNotFound:         "Disk topilmadi",
		StatusKeyFileExists:        "Kalit fayli allaqachon mavjud: %s",
		StatusPublicKeyMismatch:    "Sertifikatning ochiq kaliti kalit juftligiga mos kelmaydi",
		StatusPrivateKeyMismatch:   "Yopiq kalit sertifikatga mos kelmaydi",
		StatusPolicyInvalid:        "Sertifikat siyosatlari identifikatorlari yaroqsiz",
		StatusYTKSAliasNotFound:    "[%s] nomli sertifikat %s YKS-faylida topilmadi",
		StatusEnrolmentNotFound:    "%s identifikatorli ariza topilmadi",
		StatusEnrolmentExists:      "%s identifikatorli ariza allaqachon mavjud",
		StatusMkdirFailed:          "%s papkasini yaratib bo‘lmadi",
		StatusInProcess:            "So‘rov bajarilmoqda",
		StatusWaitingForUser:       "Foydalanuvchi kiritishi kutilmoqda",
		StatusPasswordCancelled:    "Parol kiritish bekor qilindi",
		StatusOperationCancelled:   "Amal bekor qilindi",
		StatusCancelledByUser:      "Foydalanuvchi tomonidan bekor qilindi",
		StatusPlugUSB:              "USB-diskni ulang va qayta urinib ko‘ring",
		StatusNewPasswordsMismatch: "Yangi parollar mos kelmaydi",
	},
}

// Reason returns the daemon's reason text for s in lang, with each %s
// replaced by the next of args. Unknown languages fall back to Russian.
func (s Status) Reason(lang Lang, args ...string) string {
	tbl, ok := reasons[lang]
	if !ok {
		tbl = reasons[LangRU]
	}
	t := tbl[s]
	out := make([]byte, 0, len(t)+32)
	for i := 0; i < len(t); i++ {
		if t[i] == '%' && i+1 < len(t) && t[i+1] == 's' {
			if len(args) > 0 {
				out = append(out, args[0]...)
				args = args[1:]
			}
			i++
			continue
		}
		out = append(out, t[i])
	}
	return string(out)
}
