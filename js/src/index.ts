import { EimzoError, errorClasses, type ErrorCode, catalogue } from './errors.generated.js'
import { loadNative, type NativeClient } from './loader.js'
import type { BinaryInput, CallOptions, Certificate, EimzoClient, EimzoOptions, KeyHandle, LoadKeyOptions, SignOptions, SignResult, VersionInfo } from './types.js'

export * from './errors.generated.js'
export type * from './types.js'

/**
 * Rebuilds an error from the Go module (a JS Error with .code) into its
 * EimzoError subclass. An unknown code becomes a plain EimzoError, never a
 * crash.
 */
export function toEimzoError(e: unknown): EimzoError {
  if (e instanceof EimzoError) return e
  const raw = (e ?? {}) as { code?: unknown; message?: unknown; status?: unknown; closeCode?: unknown; hint?: unknown }
  const code = typeof raw.code === 'string' && raw.code in catalogue ? (raw.code as ErrorCode) : 'INTERNAL'
  const Cls = errorClasses[code]
  return new Cls(code, typeof raw.message === 'string' ? raw.message : String(e), {
    status: typeof raw.status === 'number' ? raw.status : undefined,
    closeCode: typeof raw.closeCode === 'number' ? raw.closeCode : undefined,
    hint: typeof raw.hint === 'string' ? raw.hint : undefined,
    cause: e,
  })
}

/** The part of EimzoClient built so far. */
export type EimzoClientSoFar = Pick<EimzoClient, 'version' | 'install' | 'listKeys' | 'loadKey' | 'sign'>

class Client implements EimzoClientSoFar {
  version: VersionInfo | undefined
  #native: Promise<{ client: NativeClient; exited: Promise<never> }> | undefined
  readonly #options: EimzoOptions

  constructor(options: EimzoOptions) {
    this.#options = options
  }

  #client(): Promise<{ client: NativeClient; exited: Promise<never> }> {
    this.#native ??= loadNative(this.#options.wasmUrl).then((api) => {
      const { wasmUrl: _, ...opts } = this.#options
      return { client: api.newClient(opts), exited: api.exited }
    })
    this.#native.catch(() => (this.#native = undefined))
    return this.#native
  }

  async #call<T>(fn: (c: NativeClient) => Promise<T>): Promise<T> {
    try {
      const { client, exited } = await this.#client()
      return await Promise.race([fn(client), exited])
    } catch (e) {
      throw toEimzoError(e)
    }
  }

  async install(opts?: CallOptions): Promise<VersionInfo> {
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
}

/** Creates a client. Nothing is loaded until the first call. */
export function createEimzo(options: EimzoOptions = {}): EimzoClientSoFar {
  return new Client(options)
}
