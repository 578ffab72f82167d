// The mobile side of eimzo-client: platform detection, the deeplink with
// its callback allow-list, result polling, and the real E-IMZO mobile QR
// code (PROTOCOL.md §7), whose GOST R 34.11-94 hash is computed in Go.
import { defaultLang, eimzoError, toEimzoError } from './error.js'
import { loadNative } from './loader.js'
import type { BinaryInput, Lang, MobileDeeplinkOptions, MobileQrCode, MobileQrCodeOptions, Platform, PollCheck, PollOptions } from './types.js'

interface UAData {
  mobile?: boolean
  platform?: string
}

/** 'ios', 'android', 'desktop', or 'unknown' outside a browser. */
export function getPlatform(): Platform {
  if (typeof navigator === 'undefined') return 'unknown'
  const ua = navigator.userAgent ?? ''
  const data = (navigator as Navigator & { userAgentData?: UAData }).userAgentData
  const platform = (data?.platform ?? '').toLowerCase()
  if (platform === 'android' || /Android/i.test(ua)) return 'android'
  if (platform === 'ios' || /iPhone|iPad|iPod/i.test(ua)) return 'ios'
  // iPadOS presents itself as a Mac, but has a touch screen.
  if (/Macintosh/i.test(ua) && (navigator.maxTouchPoints ?? 0) > 1) return 'ios'
  if (data?.mobile) return 'android'
  return 'desktop'
}

/** A phone or tablet, where the desktop E-IMZO daemon cannot run. */
export function isMobilePlatform(): boolean {
  const p = getPlatform()
  return p === 'ios' || p === 'android'
}

/** Where buildEimzoMobileDeeplink points by default. */
export const defaultMobileBaseUrl = 'https://e-imzo.uz/mobile-app/sign'

// Second-level labels under which a country TLD sells names (co.uz, com.uz…).
const secondLevel = new Set(['co', 'com', 'net', 'org', 'gov', 'edu', 'ac', 'mil'])

/** The site of a host name: its last two labels, three under co.uz and the like. */
function siteOf(host: string): string {
  const labels = host.split('.')
  const n = labels.length >= 3 && secondLevel.has(labels[labels.length - 2]!) && labels[labels.length - 1]!.length === 2 ? 3 : 2
  return labels.slice(-n).join('.')
}

function normalHost(h: string): string | undefined {
  try {
    return new URL('https://' + h.trim().replace(/^\*\./, '') + '/').hostname
  } catch {
    return undefined
  }
}

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  for (const entry of allowed) {
    const wildcard = entry.trim().startsWith('*.')
    const h = normalHost(entry)
    if (!h) continue
    if (wildcard ? host.endsWith('.' + h) : host === h) return true
  }
  return false
}

/**
 * Builds the link that hands a session to the E-IMZO mobile app:
 * `baseUrl?sessionId=…&callbackUrl=…&…params`. The callback must be https
 * and its host on allowedHosts (exact names, or `*.example.uz` for its
 * subdomains). Without allowedHosts, only the page's own site is allowed:
 * its host, and its last two labels (three under co.uz and the like) and
 * their subdomains. Otherwise:
 * EimzoDeeplinkHostNotAllowedError, so a script on the page cannot send
 * users' signatures to someone else's server.
 */
export function buildEimzoMobileDeeplink(opts: MobileDeeplinkOptions): string {
  const lang = opts?.lang ?? defaultLang
  if (typeof opts?.sessionId !== 'string' || opts.sessionId === '') {
    throw eimzoError('BAD_ARGUMENT', lang, 'sessionId must be a non-empty string')
  }
  let cb: URL
  try {
    cb = new URL(opts.callbackUrl)
  } catch (e) {
    throw eimzoError('BAD_ARGUMENT', lang, 'callbackUrl is not a URL', e)
  }
  if (cb.protocol !== 'https:') throw eimzoError('DEEPLINK_CALLBACK_INSECURE', lang, cb.protocol)
  if (cb.username || cb.password) throw eimzoError('DEEPLINK_HOST_NOT_ALLOWED', lang, 'credentials in callbackUrl')
  let allowed = opts.allowedHosts
  if (!allowed) {
    const page = typeof location !== 'undefined' ? location.hostname : ''
    if (!page) throw eimzoError('DEEPLINK_HOST_NOT_ALLOWED', lang, 'pass allowedHosts outside a browser page')
    allowed = [page, siteOf(page), '*.' + siteOf(page)]
  }
  if (!hostAllowed(cb.hostname, allowed)) throw eimzoError('DEEPLINK_HOST_NOT_ALLOWED', lang, cb.hostname)
  let link: URL
  try {
    link = new URL(opts.baseUrl ?? defaultMobileBaseUrl)
  } catch (e) {
    throw eimzoError('BAD_ARGUMENT', lang, 'baseUrl is not a URL', e)
  }
  link.searchParams.set('sessionId', opts.sessionId)
  link.searchParams.set('callbackUrl', cb.href)
  for (const [k, v] of Object.entries(opts.params ?? {})) {
    if (k === 'sessionId' || k === 'callbackUrl') throw eimzoError('BAD_ARGUMENT', lang, `params.${k} would replace the ${k}`)
    link.searchParams.set(k, String(v))
  }
  return link.href
}

/**
 * Calls check every intervalMs (multiplied by backoff after each attempt,
 * up to maxIntervalMs) until it answers ready, and resolves with its data.
 * EimzoTimeoutError after timeoutMs, EimzoError ABORTED when the signal
 * fires; an error that check throws ends the polling.
 */
export function pollMobileResult<T>(check: PollCheck<T>, opts: PollOptions = {}): Promise<T> {
  const lang = opts.lang ?? defaultLang
  const timeoutMs = opts.timeoutMs ?? 5 * 60 * 1000
  const backoff = opts.backoff ?? 1
  const maxIntervalMs = opts.maxIntervalMs ?? 30_000
  let interval = opts.intervalMs ?? 2000
  if (typeof check !== 'function' || !(interval > 0) || !(timeoutMs > 0) || !(backoff >= 1)) {
    return Promise.reject(eimzoError('BAD_ARGUMENT', lang, 'check must be a function; intervalMs, timeoutMs > 0; backoff ≥ 1'))
  }
  const start = Date.now()
  const signal = opts.signal
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const onAbort = () => finish(() => reject(eimzoError('ABORTED', lang)))
    const finish = (f: () => void) => {
      if (timer !== undefined) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      f()
    }
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    const attempt = async () => {
      let r: { ready: boolean; data?: T }
      try {
        r = await check()
      } catch (e) {
        return finish(() => reject(e))
      }
      if (signal?.aborted) return
      if (r && r.ready) return finish(() => resolve(r.data as T))
      const left = timeoutMs - (Date.now() - start)
      if (left <= 0) return finish(() => reject(eimzoError('TIMEOUT', lang, `no mobile result within ${timeoutMs} ms`)))
      timer = setTimeout(attempt, Math.min(interval, left))
      interval = Math.min(interval * backoff, Math.max(maxIntervalMs, opts.intervalMs ?? 0))
    }
    void attempt()
  })
}

/**
 * The code the E-IMZO ID-CARD app scans (PROTOCOL.md §7): siteId (4 hex)
 * + documentId (8 hex) + the GOST R 34.11-94 (CryptoPro) hash of data (the
 * challenge for login, the document for signing) + its CRC-32. Show `code`
 * as a QR code on a desktop and `hashGroups` next to it so the user can
 * compare; open `deeplink` on a phone. It loads eimzo.wasm (the hash is in
 * Go), so it is async.
 */
export async function buildEimzoMobileQrCode(opts: MobileQrCodeOptions): Promise<MobileQrCode> {
  const lang: Lang = opts?.lang ?? defaultLang
  try {
    const api = await loadNative(opts?.wasmUrl, lang)
    if (typeof api.mobileQrCode !== 'function') throw eimzoError('INTERNAL', lang, 'this eimzo.wasm has no mobileQrCode')
    return await Promise.race([api.mobileQrCode(opts.siteId, opts.documentId, opts.data as BinaryInput, { lang, signal: opts.signal }), api.exited])
  } catch (e) {
    throw toEimzoError(e, lang)
  }
}
