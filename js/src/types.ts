// The public types of eimzokit: the API of eimzo-client (seeds/000), which
// a user of that package keeps when switching. This file is the contract
// between the core client (wasm/ + js/src) and the framework wrappers.

/** What sign() and friends accept. Strings are signed as their UTF-8 bytes. */
export type BinaryInput = string | ArrayBuffer | ArrayBufferView | Blob

/** A key as listKeys() returns it. Pass it back unchanged. */
export interface Certificate {
  /** Where the daemon keeps the key file, e.g. `C:\`. */
  disk: string
  /** `""` or `"DSKEYS"`. */
  path: string
  /** The key file name without `.pfx`. */
  name: string
  /** The daemon's alias: the subject, serial number and validity, lowercased. */
  alias: string
  /** `pfx` for key files, `ftjc` for legacy USB tokens (daemons older than 4.12). */
  type: 'pfx' | 'ftjc'
  /** The token's card id, for `ftjc` tokens only. */
  cardUID?: string
  /** Upper-case hex, as the official client shows it. */
  serialNumber: string
  /** The daemon writes Tashkent time; these are the real instants. */
  validFrom: Date | null
  validTo: Date | null
  /** Common name, upper-cased as the official client shows it. */
  CN: string
  /** Organisation. */
  O: string
  /** Title. */
  T: string
  /** Personal TIN. */
  UID: string
  /** Organisation TIN for legal entities, else the personal TIN. */
  TIN: string
  /** 14-digit personal identification number. */
  PINFL: string
  isLegalEntity: boolean
  isPhysicalPerson: boolean
  isYATT: boolean
}

export interface VersionInfo {
  major: number
  minor: number
  patch: string
  edition: string
  /** e.g. "6.4.7" */
  version: string
}

export interface SignResult {
  /** Base64 DER CMS SignedData. */
  pkcs7: string
  /** Lowercase hex, no leading zeros. */
  signerSerialNumber: string
  signatureHex: string
}

export interface SignHashResult {
  /** Base64 DER CMS SignedData, detached, over the SHA-256 digest bytes. */
  pkcs7: string
  /** The SHA-256 digest of the file: what was signed. */
  hash: Uint8Array
}

/** An opened key session, from loadKey(). */
export interface KeyHandle {
  id: string
  cert: Certificate
}

export interface CallOptions {
  signal?: AbortSignal
}

export interface SignOptions extends CallOptions {
  /** Leave the content out of the CMS. */
  detached?: boolean
  /** `data` is already base64: sign the bytes it encodes. */
  isBase64?: boolean
  /**
   * Gets the signature's hex and returns an RFC 3161 timestamp token
   * (base64 DER), which ends up in the CMS as the unsigned attribute
   * 1.2.840.113549.1.9.16.2.14.
   */
  timestamp?: (signatureHex: string) => string | Promise<string>
}

export interface SignHashOptions extends CallOptions {
  /** Called as the file is hashed, with bytes done and the total. */
  onProgress?: (done: number, total: number) => void
}

export interface LoadKeyOptions extends CallOptions {
  /** Ask for the password now (pfx.verify_password), not at the first signature. */
  verify?: boolean
}

export type Lang = 'uz' | 'ru' | 'en'

export interface EimzoOptions {
  /** domain → API key, sent to daemons older than v6 (v6 looks keys up itself). */
  apiKeys?: Record<string, string>
  /** Per call, including the password dialog. Default 30000. */
  timeoutMs?: number
  /** Default 32 MiB. DATA_TOO_LARGE is thrown before a byte is sent. */
  maxDataBytes?: number
  /** The largest reply accepted (RESPONSE_TOO_LARGE above it). Default 64 MiB, the daemon's frame limit. */
  maxReplyBytes?: number
  /** `inline` (default): eimzokit's own WebSocket transport. `external`: a page-loaded `window.CAPIWS`. */
  transport?: 'inline' | 'external'
  /** The official e-imzo.js, for the external transport. */
  scriptUrl?: string
  /** Its Subresource Integrity hash, e.g. `sha384-…`. */
  scriptIntegrity?: string
  /** The external script is already on the page. */
  skipScriptLoad?: boolean
  /** What install() does on a phone or tablet, where the desktop daemon cannot run. Default `throw`. */
  onMobile?: 'throw' | 'warn' | 'ignore'
  /** Language of error messages. Default `uz`. */
  lang?: Lang
  /** The daemon's endpoint. Default ws://127.0.0.1:64646/service/cryptapi (wss://127.0.0.1:64443 on https pages). */
  url?: string
  /** Where eimzo.wasm is. Default: next to this module. */
  wasmUrl?: string | URL
}

export interface EimzoClient {
  /** The daemon's version, after install(). */
  readonly version: VersionInfo | undefined
  install(opts?: CallOptions): Promise<VersionInfo>
  listKeys(opts?: CallOptions): Promise<Certificate[]>
  loadKey(cert: Certificate, opts?: LoadKeyOptions): Promise<KeyHandle>
  sign(cert: Certificate, data: BinaryInput, opts?: SignOptions): Promise<SignResult>
  /** Detached CMS over the SHA-256 of a (large) file, streamed: memory stays flat. */
  signHash(cert: Certificate, file: BinaryInput, opts?: SignHashOptions): Promise<SignHashResult>
  /** Finds the key by certificate serial number (hex, any case) and signs. */
  signWithSerial(serial: string, data: BinaryInput, opts?: SignOptions): Promise<SignResult>
  /** Signs a login challenge (attached CMS) and returns the base64 PKCS#7. */
  authenticate(challenge: string, cert: Certificate, opts?: CallOptions): Promise<string>
  /** Base64 DER certificates: signer, issuing CA, root. May ask for the password. */
  getCertificateChain(handle: KeyHandle, opts?: CallOptions): Promise<string[]>

  isIdCardConnected(opts?: CallOptions): Promise<boolean>
  isBaikConnected(opts?: CallOptions): Promise<boolean>
  isCkcConnected(opts?: CallOptions): Promise<boolean>
  signWithIdCard(data: BinaryInput, opts?: SignOptions): Promise<SignResult>
  signWithBaik(data: BinaryInput, opts?: SignOptions): Promise<SignResult>
  signWithCkc(data: BinaryInput, opts?: SignOptions): Promise<SignResult>
  authenticateWithIdCard(challenge: string, opts?: CallOptions): Promise<string>
  authenticateWithBaik(challenge: string, opts?: CallOptions): Promise<string>
  authenticateWithCkc(challenge: string, opts?: CallOptions): Promise<string>
}

export type CertificateRole = 'legal' | 'yatt' | 'physical'

export interface CertificateStatus {
  status: 'active' | 'expiring' | 'expired' | 'pending'
  /** Whole days until validTo (negative once expired). */
  daysLeft: number
}

export type Platform = 'ios' | 'android' | 'desktop' | 'unknown'

export interface MobileDeeplinkOptions {
  sessionId: string
  /** Must be https. */
  callbackUrl: string
  baseUrl?: string
  params?: Record<string, string>
  /**
   * Hosts the callback may point at (exact names, or `*.example.uz` for its
   * subdomains); anything else is EimzoDeeplinkHostNotAllowedError. Default:
   * the page's own host, its site (the last two labels) and the site's
   * subdomains.
   */
  allowedHosts?: string[]
  /** Language of error messages. Default `uz`. */
  lang?: Lang
}

export interface MobileQrCodeOptions extends CallOptions {
  /** 4 hex digits, from the E-IMZO server's /frontend/mobile/auth or /sign. */
  siteId: string
  /** 8 hex digits, from the same reply. */
  documentId: string
  /** The challenge (login) or the document (signing) the phone will sign. */
  data: BinaryInput
  /** Language of error messages. Default `uz`. */
  lang?: Lang
  /** Where eimzo.wasm is. Default: next to this module. */
  wasmUrl?: string | URL
}

export interface MobileQrCode {
  /** 84 hex digits: siteId + documentId + hash + CRC-32. Render this as the QR code. */
  code: string
  /** GOST R 34.11-94 (CryptoPro) of data, lowercase hex. */
  hash: string
  /** The hash in four groups of 16, for the user to compare with the app. */
  hashGroups: string[]
  /** eimzo://sign?qc=<code>: opens the app on the same phone. */
  deeplink: string
}

export interface PollOptions extends CallOptions {
  /** Default 2000. */
  intervalMs?: number
  /** Default 5 minutes; then EimzoTimeoutError. */
  timeoutMs?: number
  /** Multiply the interval by this after each attempt (default 1: no backoff). */
  backoff?: number
  /** The longest interval backoff may reach. Default 30000. */
  maxIntervalMs?: number
  /** Language of error messages. Default `uz`. */
  lang?: Lang
}

export type PollCheck<T> = () => Promise<{ ready: boolean; data?: T }>
