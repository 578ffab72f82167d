package server

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// phrase is a message in the three languages of the API.
type phrase struct{ en, ru, uz string }

// messages are the people-facing texts of the API's codes. The English one
// is the `message`; `localizedMessage` follows Accept-Language.
var messages = map[string]phrase{
	// Requests.
	"BAD_REQUEST":     {"The request is malformed", "Некорректный запрос", "So‘rov noto‘g‘ri tuzilgan"},
	"BASE64_INVALID":  {"A field is not valid base64", "Поле не является корректным base64", "Maydon to‘g‘ri base64 emas"},
	"BODY_TOO_LARGE":  {"The request body is too large", "Тело запроса слишком большое", "So‘rov hajmi juda katta"},
	"ORIGIN_MISMATCH": {"The request comes from a site this service does not serve", "Запрос пришёл с сайта, который сервис не обслуживает", "So‘rov xizmat ko‘rsatilmaydigan saytdan keldi"},
	"SESSION_MISSING": {"Sign in first", "Сначала войдите в систему", "Avval tizimga kiring"},
	"TSA_UNAVAILABLE": {"The time-stamping authority is unavailable", "Служба штампов времени недоступна", "Vaqt tamg‘asi xizmati mavjud emas"},
	"STORE_UNAVAILABLE": {"The session store is unavailable; try again later", "Хранилище сессий недоступно; повторите позже",
		"Sessiyalar ombori mavjud emas; keyinroq urinib ko‘ring"},
	"CMS_CONTENT_DIFFERS": {"The signatures are over different data", "Подписи относятся к разным данным", "Imzolar turli ma’lumotlarga tegishli"},
	// Login and sessions.
	"CHALLENGE_INVALID":      {"The login challenge is unknown, expired or already used", "Код входа неизвестен, истёк или уже использован", "Kirish kodi noma’lum, muddati o‘tgan yoki ishlatilgan"},
	"JWT_MALFORMED":          {"The access token is malformed", "Токен доступа повреждён", "Kirish tokeni buzilgan"},
	"JWT_ALGORITHM_REJECTED": {"The access token's algorithm is not accepted", "Алгоритм токена доступа не допускается", "Kirish tokeni algoritmi qabul qilinmaydi"},
	"JWT_KEY_UNKNOWN":        {"The access token was not issued by this service", "Токен доступа выдан не этим сервисом", "Kirish tokeni bu xizmat tomonidan berilmagan"},
	"JWT_SIGNATURE_INVALID":  {"The access token's signature is invalid", "Подпись токена доступа недействительна", "Kirish tokeni imzosi yaroqsiz"},
	"JWT_EXPIRED":            {"The session has expired; sign in again", "Сессия истекла; войдите снова", "Sessiya muddati tugadi; qayta kiring"},
	"JWT_NOT_ACTIVE":         {"The access token is not valid yet", "Токен доступа ещё не действует", "Kirish tokeni hali amal qilmaydi"},
	"JWT_CLAIM_INVALID":      {"The access token is not for this service", "Токен доступа предназначен не для этого сервиса", "Kirish tokeni bu xizmat uchun emas"},
	"JWT_TOO_OLD":            {"The access token is too old", "Токен доступа слишком старый", "Kirish tokeni juda eski"},
	"JWT_KEYS_UNAVAILABLE":   {"The identity provider's keys cannot be fetched now; try again later", "Ключи поставщика удостоверений сейчас недоступны; повторите позже", "Identifikatsiya provayderi kalitlari hozir mavjud emas; keyinroq urinib ko‘ring"},
	"SESSION_REVOKED":        {"The session was ended", "Сессия завершена", "Sessiya yakunlangan"},
	"REFRESH_INVALID":        {"The session cannot be renewed; sign in again", "Сессию нельзя продлить; войдите снова", "Sessiyani uzaytirib bo‘lmaydi; qayta kiring"},
	"REFRESH_REUSED":         {"The session was used from two places and has been ended for safety", "Сессия использовалась из двух мест и завершена в целях безопасности", "Sessiya ikki joydan ishlatildi va xavfsizlik uchun yakunlandi"},
	// Verification (web/verify codes).
	"CMS_MALFORMED":                  {"The signature is not a valid PKCS#7/CMS", "Подпись не является корректным PKCS#7/CMS", "Imzo to‘g‘ri PKCS#7/CMS emas"},
	"CMS_NO_SIGNER":                  {"The signature has no signer certificate", "В подписи нет сертификата подписанта", "Imzoda imzolovchi sertifikati yo‘q"},
	"DATA_MISSING":                   {"The signed data is missing", "Отсутствуют подписанные данные", "Imzolangan ma’lumot yo‘q"},
	"DATA_MISMATCH":                  {"The data is not what was signed", "Данные не совпадают с подписанными", "Ma’lumot imzolangan ma’lumotga mos emas"},
	"SIGNATURE_INVALID":              {"The signature is invalid", "Подпись недействительна", "Imzo yaroqsiz"},
	"CERT_CHAIN_INVALID":             {"The certificate is not issued by a trusted authority", "Сертификат выдан не доверенным центром", "Sertifikat ishonchli markaz tomonidan berilmagan"},
	"CERT_NOT_VALID_AT_SIGNING_TIME": {"The certificate was not valid when signing", "Сертификат не действовал в момент подписания", "Imzolash vaqtida sertifikat amal qilmagan"},
	"ALGORITHM_UNSUPPORTED":          {"The signature algorithm is not supported", "Алгоритм подписи не поддерживается", "Imzo algoritmi qo‘llab-quvvatlanmaydi"},
	"SIGNING_TIME_INVALID":           {"The signing time is wrong; check the computer's clock", "Неверное время подписи; проверьте часы компьютера", "Imzo vaqti noto‘g‘ri; kompyuter soatini tekshiring"},
	"CERT_USAGE_INVALID":             {"The certificate may not be used for signing", "Сертификат нельзя использовать для подписи", "Sertifikatdan imzolash uchun foydalanib bo‘lmaydi"},
	"CERT_REVOKED":                   {"The certificate is revoked", "Сертификат отозван", "Sertifikat bekor qilingan"},
	"REVOCATION_UNAVAILABLE":         {"The certificate's status cannot be checked now", "Сейчас невозможно проверить статус сертификата", "Hozir sertifikat holatini tekshirib bo‘lmaydi"},
	"TIMESTAMP_INVALID":              {"The signature's timestamp is invalid", "Штамп времени подписи недействителен", "Imzoning vaqt tamg‘asi yaroqsiz"},
	"TIMESTAMP_CERT_INVALID":         {"The timestamp's authority is not trusted", "Служба штампа времени не является доверенной", "Vaqt tamg‘asi xizmati ishonchli emas"},
	"TIMESTAMP_CERT_STATUS":          {"The timestamp authority's certificate is revoked or unchecked", "Сертификат службы штампов времени отозван или не проверен", "Vaqt tamg‘asi xizmati sertifikati bekor qilingan yoki tekshirilmagan"},
	// Verification by digest (signHash uploads).
	"HASH_MALFORMED":          {"The file's hash is not hex", "Хеш файла не в шестнадцатеричном виде", "Fayl xeshi o‘n oltilik ko‘rinishda emas"},
	"HASH_LENGTH_INVALID":     {"The file's hash must be a SHA-256 (64 hex digits)", "Хеш файла должен быть SHA-256 (64 шестнадцатеричные цифры)", "Fayl xeshi SHA-256 bo‘lishi kerak (64 ta o‘n oltilik raqam)"},
	"CMS_NOT_DETACHED":        {"A hash can only be checked against a detached signature", "Хеш можно проверить только по отсоединённой подписи", "Xeshni faqat ajratilgan imzo bilan tekshirish mumkin"},
	"HASH_ALGORITHM_MISMATCH": {"The file was signed with another hash than SHA-256", "Файл подписан с хешем, отличным от SHA-256", "Fayl SHA-256 dan boshqa xesh bilan imzolangan"},
	// seeds/002: the e-signature verification API.
	"ERROR_BAD_REQUEST":             {"Invalid request", "Некорректный запрос", "So‘rov noto‘g‘ri"},
	"ERROR_SIGNATURE_FORMAT":        {"The signature is not a base64 PKCS#7/CMS", "Подпись не является PKCS#7/CMS в base64", "Imzo base64 ko‘rinishidagi PKCS#7/CMS emas"},
	"ERROR_DATA_FORMAT":             {"The data is not base64", "Данные не в base64", "Ma’lumot base64 emas"},
	"ERROR_ALLOWED_SUBJECTS":        {"allowedSubjects must list CITIZEN, ENTREPRENEUR or LEGAL", "allowedSubjects должен содержать CITIZEN, ENTREPRENEUR или LEGAL", "allowedSubjects CITIZEN, ENTREPRENEUR yoki LEGAL ni o‘z ichiga olishi kerak"},
	"ERROR_ACCESS_TOKEN_MISSING":    {"The X-Access-Token header is missing", "Отсутствует заголовок X-Access-Token", "X-Access-Token sarlavhasi yo‘q"},
	"ERROR_ACCESS_TOKEN_EXPIRED":    {"The access token has expired", "Срок действия токена доступа истёк", "Kirish tokeni muddati tugagan"},
	"ERROR_ACCESS_TOKEN_INVALID":    {"The access token is invalid", "Токен доступа недействителен", "Kirish tokeni yaroqsiz"},
	"ERROR_SIGNATURE_INVALID":       {"Signature is not valid", "Подпись недействительна", "Imzo yaroqsiz"},
	"ERROR_SIGNERS_COUNT":           {"The signature must have exactly one signer", "Подпись должна иметь ровно одного подписанта", "Imzoda aynan bitta imzolovchi bo‘lishi kerak"},
	"ERROR_CERTIFICATE_INVALID":     {"Signature certificate is not valid", "Сертификат подписи недействителен", "Imzo sertifikati yaroqsiz"},
	"ERROR_CERTIFICATE_REVOKED":     {"Signature certificate is revoked", "Сертификат подписи отозван", "Imzo sertifikati bekor qilingan"},
	"ERROR_CERTIFICATE_STATUS":      {"Signature certificate status cannot be checked", "Невозможно проверить статус сертификата подписи", "Imzo sertifikati holatini tekshirib bo‘lmaydi"},
	"ERROR_TIMESTAMP_INVALID":       {"Signature timestamp is not valid", "Штамп времени подписи недействителен", "Imzo vaqt tamg‘asi yaroqsiz"},
	"ERROR_NO_TIMESTAMP":            {"Signature does not contain a timestamp", "Подпись не содержит штамп времени", "Imzoda vaqt tamg‘asi yo‘q"},
	"ERROR_SIGNATURE_TIMEOUT":       {"Signature was not made within the allowed time", "Подпись сделана не в пределах допустимого времени", "Imzo ruxsat etilgan vaqt ichida qo‘yilmagan"},
	"ERROR_DATA_HASH_MISMATCH":      {"Signature hash does not match the data", "Хеш подписи не соответствует данным", "Imzo xeshi ma’lumotga mos emas"},
	"ERROR_EMPTY_NAME":              {"Signature does not contain a full name", "Подпись не содержит ФИО", "Imzoda F.I.Sh. yo‘q"},
	"ERROR_EMPTY_DRFO":              {"Signature does not contain PINFL", "Подпись не содержит ПИНФЛ", "Imzoda JShShIR yo‘q"},
	"ERROR_EMPTY_EDRPOU":            {"Signature does not contain EDRPOU", "Подпись не содержит ИНН организации", "Imzoda tashkilot STIRi yo‘q"},
	"ERROR_SIGNATURE_HAS_EDRPOU":    {"Signature belongs to an organisation, not a citizen", "Подпись принадлежит организации, а не гражданину", "Imzo fuqaroga emas, tashkilotga tegishli"},
	"ERROR_USER_EMPTY_NAME":         {"The current user has no full name", "У текущего пользователя нет ФИО", "Joriy foydalanuvchida F.I.Sh. yo‘q"},
	"ERROR_USER_EMPTY_DRFO":         {"The current user has no PINFL", "У текущего пользователя нет ПИНФЛ", "Joriy foydalanuvchida JShShIR yo‘q"},
	"ERROR_USER_HAS_EDRPOU":         {"The current user is an organisation, not a citizen", "Текущий пользователь — организация, а не гражданин", "Joriy foydalanuvchi fuqaro emas, tashkilot"},
	"ERROR_SIGNATURE_NAME_MISMATCH": {"Signature and current user full name mismatch", "ФИО подписи и пользователя отличаются", "Imzo va foydalanuvchi F.I.Sh. farq qiladi"},
	"ERROR_SIGNATURE_DRFO_MISMATCH": {"Signature and current user PINFL mismatch", "ПИНФЛ подписи и пользователя отличаются", "Imzo va foydalanuvchi JShShIRi farq qiladi"},
	"ERROR_SIGNATURE_EDRPOU_MISMATCH": {"Signature and current user EDRPOU mismatch", "ИНН организации подписи и пользователя отличаются",
		"Imzo va foydalanuvchi tashkilot STIRi farq qiladi"},
}

// lang picks uz, ru or en from Accept-Language (RFC 9110 §12.5.4), by
// q-value then order; uz when none is acceptable.
func lang(r *http.Request) string {
	type cand struct {
		tag string
		q   float64
		i   int
	}
	var cands []cand
	for i, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if (primary == "uz" || primary == "ru" || primary == "en") && q > 0 {
			cands = append(cands, cand{primary, q, i})
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].q > cands[b].q })
	if len(cands) == 0 {
		return "uz"
	}
	return cands[0].tag
}

// localize returns code's message in English and in the request's
// language.
func localize(r *http.Request, code string) (string, string) {
	p, ok := messages[code]
	if !ok {
		return code, code
	}
	switch lang(r) {
	case "ru":
		return p.en, p.ru
	case "en":
		return p.en, p.en
	}
	return p.en, p.uz
}
