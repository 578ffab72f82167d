package eimzo

//go:generate go run ./internal/errgen -o ../../js/src/errors.generated.ts

// Lang is a language of messages people read.
type Lang string

// Languages of messages.
const (
	LangUZ Lang = "uz"
	LangRU Lang = "ru"
	LangEN Lang = "en"
)

// The error codes. Append-only: a retired code stays here and is never
// reused.
const (
	CodeNotInstalled       Code = "NOT_INSTALLED"
	CodeTransport          Code = "TRANSPORT"
	CodeVersionUnsupported Code = "VERSION_UNSUPPORTED"
	CodeAPIKeyRejected     Code = "API_KEY_REJECTED"
	CodeTimeout            Code = "TIMEOUT"
	CodeWrongPassword      Code = "WRONG_PASSWORD"
	CodePasswordCancelled  Code = "PASSWORD_CANCELLED"
	CodeSignFailed         Code = "SIGN_FAILED"
	CodeKeyNotFound        Code = "KEY_NOT_FOUND"
	CodeDataTooLarge       Code = "DATA_TOO_LARGE"
	CodeResponseTooLarge   Code = "RESPONSE_TOO_LARGE"
	CodeMobileUnsupported  Code = "MOBILE_UNSUPPORTED"
	CodeDeeplinkHost       Code = "DEEPLINK_HOST_NOT_ALLOWED"
	CodeFunctionNotFound   Code = "FUNCTION_NOT_FOUND"
	CodeProtocol           Code = "PROTOCOL"
	CodeAborted            Code = "ABORTED"
	CodeBadArgument        Code = "BAD_ARGUMENT"
	CodeInternal           Code = "INTERNAL"
)

// Description is a catalogue entry: which JavaScript class an error becomes,
// who must act, and what people read.
type Description struct {
	Code     Code
	Class    string // the EimzoError subclass in JavaScript
	Group    string // GroupUser, GroupDeveloper or GroupEnvironment
	Messages map[Lang]string
	Hint     string // English; what to do about it
}

// Message returns the message in lang, falling back to English.
func (d Description) Message(lang Lang) string {
	if m, ok := d.Messages[lang]; ok {
		return m
	}
	return d.Messages[LangEN]
}

// Catalogue lists every error code, in a stable order. The TypeScript error
// classes are generated from it.
var Catalogue = []Description{
	{CodeNotInstalled, "EimzoNotInstalledError", GroupEnvironment, map[Lang]string{
		LangEN: "E-IMZO is not installed or not running",
		LangRU: "E-IMZO не установлен или не запущен",
		LangUZ: "E-IMZO o‘rnatilmagan yoki ishga tushirilmagan",
	}, "start E-IMZO on this computer, or install it from https://e-imzo.uz"},
	{CodeTransport, "EimzoTransportError", GroupEnvironment, map[Lang]string{
		LangEN: "the connection to E-IMZO failed",
		LangRU: "соединение с E-IMZO прервано",
		LangUZ: "E-IMZO bilan aloqa uzildi",
	}, "retry; if it keeps failing, restart E-IMZO"},
	{CodeVersionUnsupported, "EimzoVersionError", GroupUser, map[Lang]string{
		LangEN: "this version of E-IMZO is too old",
		LangRU: "эта версия E-IMZO устарела",
		LangUZ: "E-IMZO ning bu versiyasi eskirgan",
	}, "update E-IMZO from https://e-imzo.uz"},
	{CodeAPIKeyRejected, "EimzoApiKeyError", GroupDeveloper, map[Lang]string{
		LangEN: "E-IMZO does not accept this site's API key",
		LangRU: "E-IMZO не принимает API-ключ этого сайта",
		LangUZ: "E-IMZO bu saytning API-kalitini qabul qilmadi",
	}, "register the domain with the vendor and pass its key in apiKeys"},
	{CodeTimeout, "EimzoTimeoutError", GroupEnvironment, map[Lang]string{
		LangEN: "E-IMZO did not answer in time",
		LangRU: "E-IMZO не ответил вовремя",
		LangUZ: "E-IMZO o‘z vaqtida javob bermadi",
	}, "check that no E-IMZO dialog is waiting behind other windows"},
	{CodeWrongPassword, "EimzoWrongPasswordError", GroupUser, map[Lang]string{
		LangEN: "the key's password or PIN is wrong",
		LangRU: "неверный пароль или PIN-код ключа",
		LangUZ: "kalit paroli yoki PIN-kodi noto‘g‘ri",
	}, "type the key's password again"},
	{CodePasswordCancelled, "EimzoWrongPasswordError", GroupUser, map[Lang]string{
		LangEN: "password entry was cancelled or the password was wrong three times",
		LangRU: "ввод пароля отменён или пароль трижды введён неверно",
		LangUZ: "parol kiritish bekor qilindi yoki parol uch marta noto‘g‘ri kiritildi",
	}, "sign again and type the key's password"},
	{CodeSignFailed, "EimzoSignError", GroupEnvironment, map[Lang]string{
		LangEN: "E-IMZO could not sign",
		LangRU: "E-IMZO не смог подписать",
		LangUZ: "E-IMZO imzolay olmadi",
	}, ""},
	{CodeKeyNotFound, "EimzoKeyNotFoundError", GroupUser, map[Lang]string{
		LangEN: "the key was not found",
		LangRU: "ключ не найден",
		LangUZ: "kalit topilmadi",
	}, "insert the disk that holds the key and list the keys again"},
	{CodeDataTooLarge, "EimzoDataTooLargeError", GroupDeveloper, map[Lang]string{
		LangEN: "the data is larger than maxDataBytes",
		LangRU: "данные больше maxDataBytes",
		LangUZ: "ma’lumot maxDataBytes dan katta",
	}, "sign a hash of large files with signHash"},
	{CodeResponseTooLarge, "EimzoResponseTooLargeError", GroupEnvironment, map[Lang]string{
		LangEN: "E-IMZO's reply is too large",
		LangRU: "ответ E-IMZO слишком большой",
		LangUZ: "E-IMZO javobi juda katta",
	}, ""},
	{CodeMobileUnsupported, "EimzoMobileUnsupportedError", GroupDeveloper, map[Lang]string{
		LangEN: "E-IMZO desktop does not run on mobile devices",
		LangRU: "E-IMZO для компьютера не работает на мобильных устройствах",
		LangUZ: "E-IMZO kompyuter dasturi mobil qurilmada ishlamaydi",
	}, "use the E-IMZO mobile flow (deeplink or QR code) on phones"},
	{CodeDeeplinkHost, "EimzoDeeplinkHostNotAllowedError", GroupDeveloper, map[Lang]string{
		LangEN: "the callback URL's host is not allowed",
		LangRU: "хост callback URL не разрешён",
		LangUZ: "callback URL xosti ruxsat etilmagan",
	}, "add the host to allowedHosts"},
	{CodeFunctionNotFound, "EimzoVersionError", GroupUser, map[Lang]string{
		LangEN: "this E-IMZO does not have the function",
		LangRU: "в этой версии E-IMZO нет такой функции",
		LangUZ: "E-IMZO ning bu versiyasida bunday funksiya yo‘q",
	}, "update E-IMZO from https://e-imzo.uz"},
	{CodeProtocol, "EimzoTransportError", GroupEnvironment, map[Lang]string{
		LangEN: "E-IMZO answered something that is not a reply",
		LangRU: "E-IMZO прислал некорректный ответ",
		LangUZ: "E-IMZO noto‘g‘ri javob yubordi",
	}, "restart E-IMZO"},
	{CodeAborted, "EimzoError", GroupDeveloper, map[Lang]string{
		LangEN: "the call was aborted",
		LangRU: "вызов прерван",
		LangUZ: "chaqiruv to‘xtatildi",
	}, ""},
	{CodeBadArgument, "EimzoError", GroupDeveloper, map[Lang]string{
		LangEN: "an argument is invalid",
		LangRU: "недопустимый аргумент",
		LangUZ: "argument noto‘g‘ri",
	}, ""},
	{CodeInternal, "EimzoError", GroupDeveloper, map[Lang]string{
		LangEN: "internal error in eimzokit",
		LangRU: "внутренняя ошибка eimzokit",
		LangUZ: "eimzokit ichki xatosi",
	}, "report it at https://github.com/eimzokit/eimzokit/issues"},
}

// Describe returns the catalogue entry of code, or INTERNAL's for a code
// it does not know.
func Describe(code Code) Description {
	for _, d := range Catalogue {
		if d.Code == code {
			return d
		}
	}
	if code != CodeInternal {
		return Describe(CodeInternal)
	}
	return Description{Code: CodeInternal, Class: "EimzoError", Messages: map[Lang]string{LangEN: "internal error"}}
}
