import { EimzoError, errorClasses, errorGroups, jsMessages, type ErrorCode, type JsErrorCode } from './errors.generated.js'
import type { Lang } from './types.js'

/** The language of messages from helpers that take no `lang` option. */
export const defaultLang: Lang = 'uz'

/**
 * Makes the EimzoError subclass of code with the catalogue's message and
 * hint in lang, then the detail (in English: names and numbers), the way the
 * Go side writes its messages. Exported as createEimzoError, for the
 * framework wrappers (and your own) to throw the package's errors.
 */
export function eimzoError(code: JsErrorCode, lang: Lang = defaultLang, detail?: string, cause?: unknown): EimzoError {
  const entry = jsMessages[code]
  const Cls = errorClasses[code]
  const message = entry.messages[lang] + (detail ? ': ' + detail : '')
  return new Cls(code, message, { hint: entry.hints[lang] || undefined, cause })
}

/**
 * Rebuilds an error from the Go module (a JS Error with .code) into its
 * EimzoError subclass. An unknown code becomes a plain EimzoError with code
 * INTERNAL, never a crash.
 */
export function toEimzoError(e: unknown, lang: Lang = defaultLang): EimzoError {
  if (e instanceof EimzoError) return e
  const raw = (e !== null && typeof e === 'object' ? e : {}) as {
    code?: unknown; message?: unknown; status?: unknown; closeCode?: unknown; hint?: unknown; reason?: unknown
  }
  const known = typeof raw.code === 'string' && Object.prototype.hasOwnProperty.call(errorGroups, raw.code)
  if (!known || typeof raw.message !== 'string') {
    return eimzoError('INTERNAL', lang, typeof raw.message === 'string' ? raw.message : String(e), e)
  }
  const code = raw.code as ErrorCode
  const Cls = errorClasses[code]
  return new Cls(code, raw.message as string, {
    status: typeof raw.status === 'number' ? raw.status : undefined,
    closeCode: typeof raw.closeCode === 'number' ? raw.closeCode : undefined,
    hint: typeof raw.hint === 'string' ? raw.hint : undefined,
    reason: typeof raw.reason === 'string' ? raw.reason : undefined,
    cause: e,
  })
}
