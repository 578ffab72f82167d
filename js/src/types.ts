/** A key as listKeys() returns it. Pass it back unchanged to sign(). */
export interface Certificate {
  /** Where the daemon keeps the key file, e.g. `C:\`. */
  disk: string
  /** `""` or `"DSKEYS"`. */
  path: string
  /** The key file name without `.pfx`. */
  name: string
  /** The daemon's alias: the subject, serial number and validity, lowercased. */
  alias: string
  type: 'pfx'
  /** Upper-case hex, as the official client shows it. */
  serialNumber: string
  /** Tashkent time, converted to a real instant. */
  validFrom: Date | null
  validTo: Date | null
  CN: string
  O: string
  T: string
  /** Personal TIN. */
  UID: string
  /** Organisation TIN for legal entities, else the personal TIN. */
  TIN: string
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

export type BinaryInput = string | ArrayBuffer | ArrayBufferView | Blob

export interface CallOptions {
  signal?: AbortSignal
}

export interface SignOptions extends CallOptions {
  /** Leave the content out of the CMS. */
  detached?: boolean
  /** `data` is already base64: sign the bytes it encodes. */
  isBase64?: boolean
}

export interface EimzoOptions {
  /** domain → API key, sent to daemons older than v6. */
  apiKeys?: Record<string, string>
  /** Per call, including the password dialog. Default 30000. */
  timeoutMs?: number
  /** Default 32 MiB. */
  maxDataBytes?: number
  /** The daemon's endpoint. Default ws://127.0.0.1:64646/service/cryptapi (wss://127.0.0.1:64443 on https pages). */
  url?: string
  /** Where the .wasm is. Default: next to this module. */
  wasmUrl?: string | URL
}

export interface EimzoClient {
  /** The daemon's version, after install(). */
  readonly version: VersionInfo | undefined
  install(opts?: CallOptions): Promise<VersionInfo>
  listKeys(opts?: CallOptions): Promise<Certificate[]>
  loadKey(cert: Certificate, opts?: CallOptions): Promise<string>
  sign(cert: Certificate, data: BinaryInput, opts?: SignOptions): Promise<SignResult>
}
