// The state every framework wrapper binds: the certificate list, the selected
// certificate, a loading flag, the last error and the daemon's version, plus
// the methods of seeds/000's "Adapter API" that read `selected`. Frameworks
// hand in their own reactive cells (Vue refs, Angular signals, a React
// store), so this file holds the rules once and the wrappers only bind
// lifecycle.
import { createEimzoError, toEimzoError, type EimzoError } from 'eimzokit'
import type {
  BinaryInput,
  CallOptions,
  Certificate,
  EimzoClient,
  Lang,
  SignHashOptions,
  SignHashResult,
  SignOptions,
  SignResult,
  VersionInfo,
} from 'eimzokit'

/** The client methods the wrappers call. */
export type AdapterClient = Pick<EimzoClient, 'version' | 'install' | 'listKeys' | 'sign' | 'signHash' | 'authenticate' | 'signWithSerial'>

/** A reactive value as a framework keeps it. */
export interface Cell<T> {
  get(): T
  set(value: T): void
}

/** The state the wrappers expose, one cell each. */
export interface StateCells {
  certificates: Cell<Certificate[]>
  selected: Cell<Certificate | null>
  loading: Cell<boolean>
  error: Cell<EimzoError | null>
  version: Cell<VersionInfo | undefined>
}

/**
 * The methods of useEimzo() / EimzoService. Each one clears `error`, counts
 * in `loading` while it runs, and on failure stores the EimzoError in `error`
 * and rejects with it.
 */
export interface EimzoActions {
  /** Loads eimzo.wasm, checks the daemon and sends the API keys. */
  install(opts?: CallOptions): Promise<VersionInfo>
  /** Lists the keys into `certificates` (installing first if needed); keeps `selected` when it is still listed. */
  loadCertificates(opts?: CallOptions): Promise<Certificate[]>
  /** Sets `selected`; null clears it. */
  select(cert: Certificate | null): void
  /** Signs with `selected`. */
  sign(data: BinaryInput, opts?: SignOptions): Promise<SignResult>
  /** Signs the SHA-256 of a file with `selected` (detached CMS). */
  signHash(file: BinaryInput, opts?: SignHashOptions): Promise<SignHashResult>
  /** Signs a login challenge with `selected`; returns the base64 PKCS#7. */
  authenticate(challenge: string, opts?: CallOptions): Promise<string>
  /** Signs with the key whose certificate has this serial number; does not need `selected`. */
  signWithSerial(serial: string, data: BinaryInput, opts?: SignOptions): Promise<SignResult>
}

/** Binds the adapter rules to a client and a set of cells. */
export function bindState(client: AdapterClient, cells: StateCells, lang?: Lang): EimzoActions {
  let pending = 0
  async function run<T>(fn: () => Promise<T>): Promise<T> {
    pending++
    cells.loading.set(true)
    cells.error.set(null)
    try {
      return await fn()
    } catch (e) {
      const err = toEimzoError(e)
      cells.error.set(err)
      throw err
    } finally {
      if (--pending === 0) cells.loading.set(false)
    }
  }
  function selected(): Certificate {
    const cert = cells.selected.get()
    // The core's class and catalogue message (seeds/000: "Sertifikat tanlanmagan").
    if (!cert) throw createEimzoError('NO_CERTIFICATE_SELECTED', lang)
    return cert
  }
  async function install(opts?: CallOptions): Promise<VersionInfo> {
    const v = await client.install(opts)
    cells.version.set(v)
    return v
  }
  return {
    install: (opts) => run(() => install(opts)),
    loadCertificates: (opts) =>
      run(async () => {
        if (!client.version) await install(opts)
        const certs = await client.listKeys(opts)
        cells.certificates.set(certs)
        const cur = cells.selected.get()
        if (cur) cells.selected.set(certs.find((c) => c.serialNumber === cur.serialNumber) ?? null)
        return certs
      }),
    select: (cert) => cells.selected.set(cert ?? null),
    sign: (data, opts) => run(async () => client.sign(selected(), data, opts)),
    signHash: (file, opts) => run(async () => client.signHash(selected(), file, opts)),
    authenticate: (challenge, opts) => run(async () => client.authenticate(challenge, selected(), opts)),
    signWithSerial: (serial, data, opts) => run(() => client.signWithSerial(serial, data, opts)),
  }
}
