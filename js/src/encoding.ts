// Encoding helpers of eimzo-client: UTF-8, base64, hex and SHA-256. They
// are synchronous where eimzo-client's are, and use the browser's native
// fast paths where they exist: Uint8Array.prototype.toBase64/toHex and
// Uint8Array.fromBase64/fromHex (Chromium 140+, Firefox 133+, Safari 18.2+),
// crypto.subtle.digest. Elsewhere they fall back to btoa/atob in 32 KiB
// pieces (no stack overflow at 32 MB) and to a streaming SHA-256.
import { eimzoError } from './error.js'
import { Sha256 } from './sha256.js'
import type { BinaryInput } from './types.js'

/** What the synchronous helpers take: everything but a Blob. */
export type BytesInput = string | ArrayBuffer | ArrayBufferView

interface NativeBytes {
  toBase64?(options?: { alphabet?: 'base64' | 'base64url'; omitPadding?: boolean }): string
  toHex?(): string
}
interface NativeBytesConstructor {
  fromBase64?(s: string, options?: { alphabet?: 'base64' | 'base64url'; lastChunkHandling?: 'loose' | 'strict' }): Uint8Array
  fromHex?(s: string): Uint8Array
}
const U8 = Uint8Array as unknown as NativeBytesConstructor

function isBlob(v: unknown): v is Blob {
  return typeof Blob !== 'undefined' && v instanceof Blob
}

/**
 * The bytes of data: a string's UTF-8, an ArrayBuffer, any ArrayBufferView
 * (a view onto the same memory, not a copy). A Blob cannot be read
 * synchronously: use `new Uint8Array(await blob.arrayBuffer())`.
 */
export function toUint8Array(data: BytesInput): Uint8Array {
  if (typeof data === 'string') return new TextEncoder().encode(data)
  if (data instanceof Uint8Array) return data
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer)) {
    return new Uint8Array(data as ArrayBuffer)
  }
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength)
  if (isBlob(data)) throw eimzoError('BAD_ARGUMENT', undefined, 'a Blob cannot be read synchronously: use the async helpers')
  throw eimzoError('BAD_ARGUMENT', undefined, 'expected a string, ArrayBuffer or ArrayBufferView')
}

/** The number of bytes data holds; a string's UTF-8 length, without encoding it. */
export function byteLength(data: BinaryInput): number {
  if (typeof data === 'string') {
    let n = 0
    for (let i = 0; i < data.length; i++) {
      const c = data.charCodeAt(i)
      if (c < 0x80) n += 1
      else if (c < 0x800) n += 2
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < data.length && (data.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        n += 4 // a surrogate pair
        i++
      } else n += 3 // including a lone surrogate, which TextEncoder writes as U+FFFD
    }
    return n
  }
  if (isBlob(data)) return data.size
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength
  throw eimzoError('BAD_ARGUMENT', undefined, 'expected a string, ArrayBuffer, ArrayBufferView or Blob')
}

/** Standard base64 (with padding) of a string's UTF-8 or of bytes. */
export function encodeBase64(data: BytesInput): string {
  const bytes = toUint8Array(data) as Uint8Array & NativeBytes
  if (typeof bytes.toBase64 === 'function') return bytes.toBase64()
  const parts: string[] = []
  for (let i = 0; i < bytes.length; i += 0x8000) {
    parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]))
  }
  return btoa(parts.join(''))
}

/** Standard base64 of anything, Blob and File included. */
export async function encodeBase64Async(data: BinaryInput): Promise<string> {
  if (isBlob(data)) return encodeBase64(new Uint8Array(await data.arrayBuffer()))
  return encodeBase64(data)
}

/** URL-safe base64 (RFC 4648 §5), without padding. */
export function encodeBase64Url(data: BytesInput): string {
  const bytes = toUint8Array(data) as Uint8Array & NativeBytes
  if (typeof bytes.toBase64 === 'function') return bytes.toBase64({ alphabet: 'base64url', omitPadding: true })
  return encodeBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/**
 * Decodes standard or URL-safe base64, padded or not; whitespace is
 * ignored. Anything else is an EimzoError with code BAD_ARGUMENT.
 */
export function decodeBase64(s: string): Uint8Array {
  if (typeof s !== 'string') throw eimzoError('BAD_ARGUMENT', undefined, 'base64 must be a string')
  let t = s.replace(/[\t\n\f\r ]+/g, '')
  const url = /[-_]/.test(t)
  if (url) t = t.replace(/-/g, '+').replace(/_/g, '/')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 === 1 || (t.includes('=') && t.length % 4 !== 0)) {
    throw eimzoError('BAD_ARGUMENT', undefined, 'not base64')
  }
  if (typeof U8.fromBase64 === 'function') {
    try {
      return U8.fromBase64(t, { lastChunkHandling: 'loose' })
    } catch (e) {
      throw eimzoError('BAD_ARGUMENT', undefined, 'not base64', e)
    }
  }
  let bin: string
  try {
    bin = atob(t)
  } catch (e) {
    throw eimzoError('BAD_ARGUMENT', undefined, 'not base64', e)
  }
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** Decodes base64 to the text its bytes are in UTF-8. */
export function decodeBase64Text(s: string): string {
  return new TextDecoder().decode(decodeBase64(s))
}

const hexDigits = '0123456789abcdef'

/** Lowercase hex of bytes (or of a string's UTF-8). */
export function bytesToHex(data: BytesInput): string {
  const bytes = toUint8Array(data) as Uint8Array & NativeBytes
  if (typeof bytes.toHex === 'function') return bytes.toHex()
  let out = ''
  for (let i = 0; i < bytes.length; i++) out += hexDigits[bytes[i]! >> 4]! + hexDigits[bytes[i]! & 15]!
  return out
}

/** Decodes hex, either case. Odd lengths and other characters are BAD_ARGUMENT. */
export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw eimzoError('BAD_ARGUMENT', undefined, 'not hex')
  }
  if (typeof U8.fromHex === 'function') return U8.fromHex(hex)
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16)
  return out
}

/** Options of the SHA-256 helpers. */
export interface HashOptions {
  signal?: AbortSignal
  /** Called as a Blob is read, with bytes done and the total. */
  onProgress?: (done: number, total: number) => void
}

/**
 * @internal Blobs up to this size are read whole and hashed natively
 * (crypto.subtle: 32 MB in well under 80 ms); larger ones stream through
 * the JavaScript SHA-256 in pieces, so memory stays flat at any size.
 */
export const wholeBlobLimit = 64 << 20
const piece = 8 << 20

function subtle(): SubtleCrypto | undefined {
  return typeof crypto !== 'undefined' && crypto.subtle && typeof crypto.subtle.digest === 'function' ? crypto.subtle : undefined
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw eimzoError('ABORTED')
}

/** SHA-256 of a string's UTF-8, bytes, or a Blob/File of any size. */
export async function sha256(data: BinaryInput, opts: HashOptions = {}): Promise<Uint8Array> {
  const { signal, onProgress } = opts
  checkAbort(signal)
  const s = subtle()
  if (!isBlob(data)) {
    const bytes = toUint8Array(data)
    const out = s ? new Uint8Array(await s.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)) : new Sha256().update(bytes).digest()
    onProgress?.(bytes.length, bytes.length)
    return out
  }
  const total = data.size
  if (s && total <= wholeBlobLimit) {
    const out = new Uint8Array(await s.digest('SHA-256', await data.arrayBuffer()))
    checkAbort(signal)
    onProgress?.(total, total)
    return out
  }
  // Stream. A BYOB reader of Blob.stream() reads into one buffer that
  // goes back and forth, so memory stays flat (+7 MiB for 1 GiB) and the
  // next read overlaps the hashing: ~310-350 MiB/s for a 1 GiB File on a
  // loaded 2-core machine, against ~150 for 8 MiB slices one ahead (with
  // ~350 MiB of garbage buffers) and ~200 for the default reader (which
  // reads ahead without limit: +800 MiB). Slices are the fallback where
  // Blob streams are not byte streams.
  const h = new Sha256()
  let done = 0
  let reported = 0
  const take = (bytes: Uint8Array) => {
    checkAbort(signal)
    h.update(bytes)
    done += bytes.length
    if (onProgress && (done - reported >= piece || done === total)) {
      reported = done
      onProgress(done, total)
    }
  }
  let reader: ReadableStreamBYOBReader | undefined
  try {
    reader = typeof data.stream === 'function' ? data.stream().getReader({ mode: 'byob' }) : undefined
  } catch {
    // Not a byte stream in this browser.
  }
  if (reader) {
    let buf = new ArrayBuffer(4 << 20)
    try {
      for (;;) {
        const { done: end, value } = await reader.read(new Uint8Array(buf))
        if (end || !value) break
        take(value)
        buf = value.buffer as ArrayBuffer
      }
    } catch (e) {
      reader.cancel().catch(() => {})
      throw e
    }
  } else {
    let next: Promise<ArrayBuffer> | undefined = total > 0 ? data.slice(0, piece).arrayBuffer() : undefined
    for (let off = 0; off < total; off += piece) {
      const buf: ArrayBuffer = await next!
      next = off + piece < total ? data.slice(off + piece, off + 2 * piece).arrayBuffer() : undefined
      take(new Uint8Array(buf))
    }
  }
  if (done !== total) throw eimzoError('BAD_ARGUMENT', undefined, `read ${done} of ${total} bytes: the file changed while it was read`)
  return h.digest()
}

/** SHA-256 as lowercase hex. */
export async function sha256Hex(data: BinaryInput, opts?: HashOptions): Promise<string> {
  return bytesToHex(await sha256(data, opts))
}

/** SHA-256 as standard base64. */
export async function sha256Base64(data: BinaryInput, opts?: HashOptions): Promise<string> {
  return encodeBase64(await sha256(data, opts))
}
