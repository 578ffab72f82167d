// eimzokit: the API of eimzo-client (seeds/000) over eimzo.wasm, the E-IMZO
// client written in Go. The daemon protocol lives in Go, with what the
// transports need of the page (e-imzo.js for transport 'external', the Local
// Network Access check); what is here must be synchronous or is plain
// browser work: the helpers, and hashing of large files.
import { defaultLang, eimzoError, toEimzoError } from './error.js'
import { sha256 } from './encoding.js'
import { loadNative, type NativeClient } from './loader.js'
import { isMobilePlatform } from './mobile.js'
import type {
  BinaryInput, CallOptions, Certificate, EimzoClient, EimzoOptions, KeyHandle, Lang, LoadKeyOptions,
  SignHashOptions, SignHashResult, SignOptions, SignResult, VersionInfo,
} from './types.js'

export * from './errors.generated.js'
export type * from './types.js'
export { toEimzoError, eimzoError as createEimzoError } from './error.js'
export {
  toUint8Array, byteLength, encodeBase64, encodeBase64Async, encodeBase64Url, decodeBase64, decodeBase64Text,
  bytesToHex, hexToBytes, sha256, sha256Hex, sha256Base64,
} from './encoding.js'
export type { BytesInput, HashOptions } from './encoding.js'
export {
  isLegalEntity, isPhysicalPerson, isYATT, getCertificateRole, getCertificateRoleLabel, getCertificateStatus,
} from './certificate.js'
export type { RoleFields, ValidityFields, DateInput } from './certificate.js'
export { isMobilePlatform, getPlatform, buildEimzoMobileDeeplink, pollMobileResult, buildEimzoMobileQrCode } from './mobile.js'

type Device = 'idcard' | 'baikey' | 'ckc'

/** Where the daemon listens: wss on https pages, ws otherwise (PROTOCOL.md §1.1). */
function defaultUrl(): string {
  return typeof location !== 'undefined' && location.protocol === 'https:'
    ? 'wss://127.0.0.1:64443/service/cryptapi'
    : 'ws://127.0.0.1:64646/service/cryptapi'
}

class Client implements EimzoClient {
  version: VersionInfo | undefined
  #native: Promise<{ client: NativeClient; exited: Promise<never> }> | undefined
  readonly #options: EimzoOptions
  readonly #lang: Lang

  constructor(options: EimzoOptions) {
    this.#options = { ...options }
    this.#lang = options.lang === 'ru' || options.lang === 'en' || options.lang === 'uz' ? options.lang : defaultLang
  }

  #client(): Promise<{ client: NativeClient; exited: Promise<never> }> {
    this.#native ??= loadNative(this.#options.wasmUrl, this.#lang).then((api) => {
      const { wasmUrl: _, onMobile: __, ...o } = this.#options
      const client = api.newClient({
        ...o,
        url: o.url ?? defaultUrl(),
        lang: this.#lang,
        domain: typeof location !== 'undefined' ? location.hostname : undefined,
      })
      return { client, exited: api.exited }
    })
    this.#native.catch(() => (this.#native = undefined))
    return this.#native
  }

  async #call<T>(fn: (c: NativeClient) => Promise<T>): Promise<T> {
    try {
      const { client, exited } = await this.#client()
      return await Promise.race([fn(client), exited])
    } catch (e) {
      throw toEimzoError(e, this.#lang)
    }
  }

  async install(opts?: CallOptions): Promise<VersionInfo> {
    if (isMobilePlatform()) {
      const mode = this.#options.onMobile ?? 'throw'
      if (mode === 'throw') throw eimzoError('MOBILE_UNSUPPORTED', this.#lang)
      if (mode === 'warn') console.warn('eimzokit: ' + eimzoError('MOBILE_UNSUPPORTED', this.#lang).message)
    }
    this.version = await this.#call((c) => c.install(opts))
    return this.version!
  }

  listKeys(opts?: CallOptions): Promise<Certificate[]> {
    return this.#call((c) => c.listKeys(opts))
  }

  async loadKey(cert: Certificate, opts?: LoadKeyOptions): Promise<KeyHandle> {
    const id: string = await this.#call((c) => c.loadKey(cert, opts))
    return { id, cert }
  }

  sign(cert: Certificate, data: BinaryInput, opts?: SignOptions): Promise<SignResult> {
    return this.#call((c) => c.sign(cert, data, opts))
  }

  async signHash(cert: Certificate, file: BinaryInput, opts: SignHashOptions = {}): Promise<SignHashResult> {
    const hash = await sha256(file, { signal: opts.signal, onProgress: opts.onProgress })
    const { pkcs7 } = await this.#call((c) => c.sign(cert, hash, { detached: true, signal: opts.signal }))
    return { pkcs7, hash }
  }

  signWithSerial(serial: string, data: BinaryInput, opts?: SignOptions): Promise<SignResult> {
    return this.#call((c) => c.signWithSerial(serial, data, opts))
  }

  authenticate(challenge: string, cert: Certificate, opts?: CallOptions): Promise<string> {
    return this.#call((c) => c.authenticate(challenge, cert, opts))
  }

  getCertificateChain(handle: KeyHandle, opts?: CallOptions): Promise<string[]> {
    return this.#call((c) => c.getCertificateChain(handle, opts))
  }

  #connected(d: Device, opts?: CallOptions): Promise<boolean> {
    return this.#call((c) => c.deviceConnected(d, opts))
  }

  #signWith(d: Device, data: BinaryInput, opts?: SignOptions): Promise<SignResult> {
    return this.#call((c) => c.signWithDevice(d, data, opts))
  }

  #authenticateWith(d: Device, challenge: string, opts?: CallOptions): Promise<string> {
    return this.#call((c) => c.authenticateWithDevice(d, challenge, opts))
  }

  isIdCardConnected(opts?: CallOptions): Promise<boolean> { return this.#connected('idcard', opts) }
  isBaikConnected(opts?: CallOptions): Promise<boolean> { return this.#connected('baikey', opts) }
  isCkcConnected(opts?: CallOptions): Promise<boolean> { return this.#connected('ckc', opts) }
  signWithIdCard(data: BinaryInput, opts?: SignOptions): Promise<SignResult> { return this.#signWith('idcard', data, opts) }
  signWithBaik(data: BinaryInput, opts?: SignOptions): Promise<SignResult> { return this.#signWith('baikey', data, opts) }
  signWithCkc(data: BinaryInput, opts?: SignOptions): Promise<SignResult> { return this.#signWith('ckc', data, opts) }
  authenticateWithIdCard(challenge: string, opts?: CallOptions): Promise<string> { return this.#authenticateWith('idcard', challenge, opts) }
  authenticateWithBaik(challenge: string, opts?: CallOptions): Promise<string> { return this.#authenticateWith('baikey', challenge, opts) }
  authenticateWithCkc(challenge: string, opts?: CallOptions): Promise<string> { return this.#authenticateWith('ckc', challenge, opts) }
}

/**
 * Creates a client. Nothing is loaded until the first call: eimzo.wasm is
 * fetched and compiled then (and e-imzo.js, for transport 'external').
 */
export function createEimzo(options: EimzoOptions = {}): EimzoClient {
  return new Client(options)
}

