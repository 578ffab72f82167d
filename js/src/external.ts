// The external transport: a page-loaded window.CAPIWS (the official
// e-imzo.js), for integrations that must keep it. eimzokit loads the script
// itself, with Subresource Integrity when scriptIntegrity is given, and
// tells an integrity mismatch from a network failure.
import { eimzoError } from './error.js'
import type { EimzoOptions, Lang } from './types.js'

/** eimzo-client's default scriptUrl. */
export const defaultScriptUrl = 'https://e-imzo.uz/e-imzo-cm/e-imzo.js'

const loads = new Map<string, Promise<object>>()

function capiws(): object | undefined {
  const c = (globalThis as { CAPIWS?: unknown }).CAPIWS
  return c !== null && typeof c === 'object' && typeof (c as { callFunction?: unknown }).callFunction === 'function' ? c : undefined
}

/**
 * Returns window.CAPIWS, loading options.scriptUrl first unless
 * skipScriptLoad is set. A failed load is not remembered.
 */
export function loadCapiws(options: EimzoOptions, lang: Lang): Promise<object> {
  if (typeof document === 'undefined') return Promise.reject(eimzoError('SCRIPT_LOAD_FAILED', lang, 'no document'))
  if (options.skipScriptLoad) {
    const c = capiws()
    return c ? Promise.resolve(c) : Promise.reject(eimzoError('SCRIPT_LOAD_FAILED', lang, 'skipScriptLoad is set but window.CAPIWS is missing'))
  }
  const url = new URL(options.scriptUrl ?? defaultScriptUrl, document.baseURI).href
  const key = url + '#' + (options.scriptIntegrity ?? '')
  let p = loads.get(key)
  if (!p) {
    p = inject(url, options.scriptIntegrity, lang)
    loads.set(key, p)
    p.catch(() => loads.delete(key))
  }
  return p
}

function inject(url: string, integrity: string | undefined, lang: Lang): Promise<object> {
  return new Promise<object>((resolve, reject) => {
    const s = document.createElement('script')
    s.src = url
    s.async = true
    if (integrity) {
      s.integrity = integrity
      s.crossOrigin = 'anonymous'
    }
    s.onload = () => {
      const c = capiws()
      if (c) resolve(c)
      else reject(eimzoError('SCRIPT_LOAD_FAILED', lang, url + ' did not define window.CAPIWS'))
    }
    s.onerror = () => {
      s.remove()
      void why(url, integrity).then((code) => reject(eimzoError(code, lang, url)))
    }
    document.head.appendChild(s)
  })
}

/**
 * A script element's error event says nothing about its cause. When an
 * integrity hash was given, fetch the script and hash it: if it arrives
 * but its hash differs, the integrity check is what failed.
 */
async function why(url: string, integrity?: string): Promise<'SCRIPT_INTEGRITY' | 'SCRIPT_LOAD_FAILED'> {
  if (!integrity) return 'SCRIPT_LOAD_FAILED'
  let body: ArrayBuffer
  try {
    const r = await fetch(url, { mode: 'cors', credentials: 'omit', cache: 'no-store' })
    if (!r.ok) return 'SCRIPT_LOAD_FAILED'
    body = await r.arrayBuffer()
  } catch {
    return 'SCRIPT_LOAD_FAILED'
  }
  const algs: Record<string, string> = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' }
  const subtle = typeof crypto !== 'undefined' ? crypto.subtle : undefined
  for (const token of integrity.trim().split(/\s+/)) {
    const [alg, want] = [token.slice(0, token.indexOf('-')), token.slice(token.indexOf('-') + 1).split('?')[0]]
    if (!subtle || !algs[alg!]) continue
    const got = new Uint8Array(await subtle.digest(algs[alg!]!, body))
    let bin = ''
    for (const b of got) bin += String.fromCharCode(b)
    if (btoa(bin) === want) return 'SCRIPT_LOAD_FAILED' // it matches: something else failed
  }
  return 'SCRIPT_INTEGRITY'
}
