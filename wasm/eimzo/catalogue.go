package eimzo

//go:generate go run ./internal/errgen -o ../../js/src/errors.generated.ts
//go:generate go run ./internal/shagen -o ../../js/src/sha256.generated.ts

// Lang is a language of messages people read.
type Lang string

// Languages of messages. Uzbek is the default of the browser client.
const (
	LangUZ Lang = "uz"
	LangRU Lang = "ru"
	LangEN Lang = "en"
)

// Phrase is one text in the three languages of the client.
type Phrase struct{ UZ, RU, EN string }

// In returns the text in lang; English for a language it does not know.
func (p Phrase) In(lang Lang) string {
	switch lang {
	case LangUZ:
		return p.UZ
	case LangRU:
		return p.RU
	}
	return p.EN
}

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
	// Added after the walking skeleton.
	CodeLocalNetworkBlocked Code = "LOCAL_NETWORK_BLOCKED"
	CodeDeviceNotFound      Code = "DEVICE_NOT_FOUND"
	CodeTimestampFailed     Code = "TIMESTAMP_FAILED"
	CodeScriptLoadFailed    Code = "SCRIPT_LOAD_FAILED"
	CodeScriptIntegrity     Code = "SCRIPT_INTEGRITY"
	CodeDeeplinkInsecure    Code = "DEEPLINK_CALLBACK_INSECURE"
	// Added with the npm package's framework wrappers; raised in JavaScript only.
	CodeNoCertificateSelected Code = "NO_CERTIFICATE_SELECTED"
	CodeBrowserOnly           Code = "BROWSER_ONLY"
)

// Description is a catalogue entry: which JavaScript class an error becomes,
// who must act, what people read and what they can do about it.
type Description struct {
	Code    Code
	Class   string // the EimzoError subclass in JavaScript
	Group   string // GroupUser, GroupDeveloper or GroupEnvironment
	Message Phrase
	Hint    Phrase // what to do about it; may be empty
}

// Catalogue lists every error code, in a stable order. The TypeScript error
// classes are generated from it. It is plain static data (no maps), so it
// costs the WebAssembly build no initialisation code.
var Catalogue = []Description{
	{CodeNotInstalled, "EimzoNotInstalledError", GroupEnvironment, Phrase{
		UZ: "E-IMZO o‘rnatilmagan yoki ishga tushirilmagan",
		RU: "E-IMZO не установлен или не запущен",
		EN: "E-IMZO is not installed or not running",
	}, Phrase{
		UZ: "E-IMZO dasturini ishga tushiring yoki https://e-imzo.uz saytidan o‘rnating",
		RU: "запустите E-IMZO на этом компьютере или установите его с https://e-imzo.uz",
		EN: "start E-IMZO on this computer, or install it from https://e-imzo.uz",
	}},
	{CodeTransport, "EimzoTransportError", GroupEnvironment, Phrase{
		UZ: "E-IMZO bilan aloqa uzildi",
		RU: "соединение с E-IMZO прервано",
		EN: "the connection to E-IMZO failed",
	}, Phrase{
		UZ: "qayta urinib ko‘ring; xato takrorlansa, E-IMZO ni qayta ishga tushiring",
		RU: "повторите попытку; если ошибка повторяется, перезапустите E-IMZO",
		EN: "retry; if it keeps failing, restart E-IMZO",
	}},
	{CodeVersionUnsupported, "EimzoVersionError", GroupUser, Phrase{
		UZ: "E-IMZO ning bu versiyasi eskirgan",
		RU: "эта версия E-IMZO устарела",
		EN: "this version of E-IMZO is too old",
	}, Phrase{
		UZ: "E-IMZO ni https://e-imzo.uz saytidan yangilang",
		RU: "обновите E-IMZO с https://e-imzo.uz",
		EN: "update E-IMZO from https://e-imzo.uz",
	}},
	{CodeAPIKeyRejected, "EimzoApiKeyError", GroupDeveloper, Phrase{
		UZ: "E-IMZO bu saytning API-kalitini qabul qilmadi",
		RU: "E-IMZO не принимает API-ключ этого сайта",
		EN: "E-IMZO does not accept this site's API key",
	}, Phrase{
		UZ: "domenni E-IMZO ishlab chiqaruvchisida ro‘yxatdan o‘tkazing va kalitini apiKeys ga bering",
		RU: "зарегистрируйте домен у разработчика E-IMZO и передайте его ключ в apiKeys",
		EN: "register the domain with the E-IMZO vendor and pass its key in apiKeys",
	}},
	{CodeTimeout, "EimzoTimeoutError", GroupEnvironment, Phrase{
		UZ: "E-IMZO o‘z vaqtida javob bermadi",
		RU: "E-IMZO не ответил вовремя",
		EN: "E-IMZO did not answer in time",
	}, Phrase{
		UZ: "boshqa oynalar ortida E-IMZO oynasi kutib turmaganini tekshiring",
		RU: "проверьте, не ждёт ли окно E-IMZO за другими окнами",
		EN: "check that no E-IMZO dialog is waiting behind other windows",
	}},
	{CodeWrongPassword, "EimzoWrongPasswordError", GroupUser, Phrase{
		UZ: "kalit paroli yoki PIN-kodi noto‘g‘ri",
		RU: "неверный пароль или PIN-код ключа",
		EN: "the key's password or PIN is wrong",
	}, Phrase{
		UZ: "kalit parolini qayta kiriting",
		RU: "введите пароль ключа ещё раз",
		EN: "type the key's password again",
	}},
	{CodePasswordCancelled, "EimzoWrongPasswordError", GroupUser, Phrase{
		UZ: "parol kiritish bekor qilindi yoki parol uch marta noto‘g‘ri kiritildi",
		RU: "ввод пароля отменён или пароль трижды введён неверно",
		EN: "password entry was cancelled or the password was wrong three times",
	}, Phrase{
		UZ: "qayta imzolang va kalit parolini kiriting",
		RU: "подпишите ещё раз и введите пароль ключа",
		EN: "sign again and type the key's password",
	}},
	{CodeSignFailed, "EimzoSignError", GroupEnvironment, Phrase{
		UZ: "E-IMZO imzolay olmadi",
		RU: "E-IMZO не смог подписать",
		EN: "E-IMZO could not sign",
	}, Phrase{}},
	{CodeKeyNotFound, "EimzoKeyNotFoundError", GroupUser, Phrase{
		UZ: "kalit topilmadi",
		RU: "ключ не найден",
		EN: "the key was not found",
	}, Phrase{
		UZ: "kalit saqlangan diskni ulang va kalitlar ro‘yxatini qayta oling",
		RU: "подключите диск с ключом и получите список ключей заново",
		EN: "insert the disk that holds the key and list the keys again",
	}},
	{CodeDataTooLarge, "EimzoDataTooLargeError", GroupDeveloper, Phrase{
		UZ: "ma’lumot maxDataBytes dan katta",
		RU: "данные больше maxDataBytes",
		EN: "the data is larger than maxDataBytes",
	}, Phrase{
		UZ: "katta fayllarning xeshini signHash bilan imzolang",
		RU: "подписывайте хеш больших файлов через signHash",
		EN: "sign a hash of large files with signHash",
	}},
	{CodeResponseTooLarge, "EimzoResponseTooLargeError", GroupEnvironment, Phrase{
		UZ: "E-IMZO javobi juda katta",
		RU: "ответ E-IMZO слишком большой",
		EN: "E-IMZO's reply is too large",
	}, Phrase{
		UZ: "kichikroq hujjatni yoki signHash ni ishlating",
		RU: "подписывайте документ меньшего размера или используйте signHash",
		EN: "sign a smaller document, or use signHash",
	}},
	{CodeMobileUnsupported, "EimzoMobileUnsupportedError", GroupDeveloper, Phrase{
		UZ: "E-IMZO kompyuter dasturi mobil qurilmada ishlamaydi",
		RU: "E-IMZO для компьютера не работает на мобильных устройствах",
		EN: "E-IMZO desktop does not run on mobile devices",
	}, Phrase{
		UZ: "telefonlarda E-IMZO mobil oqimidan (deeplink yoki QR-kod) foydalaning",
		RU: "на телефонах используйте мобильный сценарий E-IMZO (deeplink или QR-код)",
		EN: "use the E-IMZO mobile flow (deeplink or QR code) on phones",
	}},
	{CodeDeeplinkHost, "EimzoDeeplinkHostNotAllowedError", GroupDeveloper, Phrase{
		UZ: "callback URL xosti ruxsat etilmagan",
		RU: "хост callback URL не разрешён",
		EN: "the callback URL's host is not allowed",
	}, Phrase{
		UZ: "xostni allowedHosts ga qo‘shing",
		RU: "добавьте хост в allowedHosts",
		EN: "add the host to allowedHosts",
	}},
	{CodeFunctionNotFound, "EimzoVersionError", GroupUser, Phrase{
		UZ: "E-IMZO ning bu versiyasida bunday funksiya yo‘q",
		RU: "в этой версии E-IMZO нет такой функции",
		EN: "this E-IMZO does not have the function",
	}, Phrase{
		UZ: "E-IMZO ni https://e-imzo.uz saytidan yangilang",
		RU: "обновите E-IMZO с https://e-imzo.uz",
		EN: "update E-IMZO from https://e-imzo.uz",
	}},
	{CodeProtocol, "EimzoTransportError", GroupEnvironment, Phrase{
		UZ: "E-IMZO noto‘g‘ri javob yubordi",
		RU: "E-IMZO прислал некорректный ответ",
		EN: "E-IMZO answered something that is not a reply",
	}, Phrase{
		UZ: "E-IMZO ni qayta ishga tushiring",
		RU: "перезапустите E-IMZO",
		EN: "restart E-IMZO",
	}},
	{CodeAborted, "EimzoError", GroupDeveloper, Phrase{
		UZ: "chaqiruv to‘xtatildi",
		RU: "вызов прерван",
		EN: "the call was aborted",
	}, Phrase{}},
	{CodeBadArgument, "EimzoError", GroupDeveloper, Phrase{
		UZ: "argument noto‘g‘ri",
		RU: "недопустимый аргумент",
		EN: "an argument is invalid",
	}, Phrase{}},
	{CodeInternal, "EimzoError", GroupDeveloper, Phrase{
		UZ: "eimzokit ichki xatosi",
		RU: "внутренняя ошибка eimzokit",
		EN: "internal error in eimzokit",
	}, Phrase{
		UZ: "xato haqida https://github.com/eimzokit/eimzokit/issues sahifasida xabar bering",
		RU: "сообщите об ошибке на https://github.com/eimzokit/eimzokit/issues",
		EN: "report it at https://github.com/eimzokit/eimzokit/issues",
	}},
	{CodeLocalNetworkBlocked, "EimzoLocalNetworkBlockedError", GroupEnvironment, Phrase{
		UZ: "brauzer bu sahifaga shu kompyuterdagi E-IMZO bilan bog‘lanishga ruxsat bermadi (Local Network Access)",
		RU: "браузер не разрешил этой странице связаться с E-IMZO на этом компьютере (Local Network Access)",
		EN: "the browser did not let this page reach E-IMZO on this computer (Local Network Access)",
	}, Phrase{
		UZ: "manzil satri chapidagi belgini bosib, bu sayt uchun «Mahalliy tarmoqqa kirish»ga ruxsat bering va sahifani yangilang",
		RU: "разрешите этому сайту «Доступ к локальной сети» (значок слева от адресной строки) и обновите страницу",
		EN: "allow \"Local network access\" for this site (the icon left of the address bar), then reload the page",
	}},
	{CodeDeviceNotFound, "EimzoKeyNotFoundError", GroupUser, Phrase{
		UZ: "ID-karta, BAIK yoki CKC qurilmasi ulanmagan",
		RU: "ID-карта, токен BAIK или CKC не подключены",
		EN: "the ID card, BAIK or CKC device is not connected",
	}, Phrase{
		UZ: "qurilmani (karta o‘quvchini) ulang va qayta urinib ko‘ring",
		RU: "подключите устройство (считыватель карт) и повторите попытку",
		EN: "connect the device (or the card reader) and try again",
	}},
	{CodeTimestampFailed, "EimzoSignError", GroupDeveloper, Phrase{
		UZ: "imzoga vaqt tamg‘asini qo‘shib bo‘lmadi",
		RU: "не удалось добавить к подписи штамп времени",
		EN: "the timestamp could not be added to the signature",
	}, Phrase{
		UZ: "timestamp funksiyasi base64 ko‘rinishidagi RFC 3161 TimeStampToken qaytarishi kerak",
		RU: "функция timestamp должна вернуть RFC 3161 TimeStampToken в base64",
		EN: "the timestamp callback must return an RFC 3161 TimeStampToken in base64",
	}},
	{CodeScriptLoadFailed, "EimzoTransportError", GroupEnvironment, Phrase{
		UZ: "E-IMZO skripti (e-imzo.js) yuklanmadi",
		RU: "не удалось загрузить скрипт E-IMZO (e-imzo.js)",
		EN: "the E-IMZO script (e-imzo.js) could not be loaded",
	}, Phrase{
		UZ: "scriptUrl manzilini va tarmoqni tekshiring yoki transport: 'inline' dan foydalaning",
		RU: "проверьте scriptUrl и сеть или используйте transport: 'inline'",
		EN: "check scriptUrl and the network, or use transport: 'inline'",
	}},
	{CodeScriptIntegrity, "EimzoTransportError", GroupDeveloper, Phrase{
		UZ: "E-IMZO skripti scriptIntegrity xeshiga mos kelmadi",
		RU: "скрипт E-IMZO не совпадает с хешем scriptIntegrity",
		EN: "the E-IMZO script does not match its scriptIntegrity hash",
	}, Phrase{
		UZ: "skript o‘zgargan: uni tekshiring va scriptIntegrity ni yangilang",
		RU: "скрипт изменился: проверьте его и обновите scriptIntegrity",
		EN: "the script changed: review it and update scriptIntegrity",
	}},
	{CodeDeeplinkInsecure, "EimzoDeeplinkHostNotAllowedError", GroupDeveloper, Phrase{
		UZ: "callback URL https bo‘lishi kerak",
		RU: "callback URL должен быть https",
		EN: "the callback URL must be https",
	}, Phrase{
		UZ: "callbackUrl uchun https:// manzil bering",
		RU: "укажите в callbackUrl адрес https://",
		EN: "pass an https:// address as callbackUrl",
	}},
	// The message is seeds/000's Error("Sertifikat tanlanmagan"), capitalised
	// as there, so users switching from eimzo-client see the same text.
	{CodeNoCertificateSelected, "EimzoNoCertificateSelectedError", GroupDeveloper, Phrase{
		UZ: "Sertifikat tanlanmagan",
		RU: "Сертификат не выбран",
		EN: "No certificate is selected",
	}, Phrase{
		UZ: "sign, signHash yoki authenticate dan oldin select(cert) ni chaqiring (yoki selected ga sertifikat yozing)",
		RU: "вызовите select(cert) (или запишите сертификат в selected) до sign, signHash или authenticate",
		EN: "call select(cert) (or set selected) before sign, signHash or authenticate",
	}},
	{CodeBrowserOnly, "EimzoError", GroupDeveloper, Phrase{
		UZ: "eimzokit faqat brauzerda ishlaydi",
		RU: "eimzokit работает только в браузере",
		EN: "eimzokit runs in the browser only",
	}, Phrase{
		UZ: "uni brauzerdagi koddan chaqiring: onMounted, useEffect, afterNextRender yoki hodisa ishlovchisi",
		RU: "вызывайте его из кода в браузере: onMounted, useEffect, afterNextRender или обработчика события",
		EN: "call it from client-side code: onMounted, useEffect, afterNextRender or an event handler",
	}},
}

// RaisedInJS are the codes the npm package raises itself, without the Go
// module (argument checks of the helpers, the mobile helpers, aborts and
// timeouts of its own, a module that does not load, the wrappers' missing
// selection, a call outside the browser). Only their messages and hints
// are generated into TypeScript: the Go module sends every other message
// already written in the client's language, and the JavaScript bundle
// stays small.
var RaisedInJS = []Code{
	CodeAborted, CodeBadArgument, CodeInternal, CodeTimeout, CodeMobileUnsupported,
	CodeDeeplinkHost, CodeDeeplinkInsecure, CodeNoCertificateSelected, CodeBrowserOnly,
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
	return Description{Code: CodeInternal, Class: "EimzoError", Message: Phrase{EN: "internal error"}}
}
