// eimzokit/angular (Angular ≥ 16): provideEimzo(options) or
// provideEimzoClient(client) in the app's providers, then
// inject(EimzoService). The service is a plain class made by a factory
// provider, so this entry point needs no Angular compiler (no decorators, no
// partial Ivy) and builds with esbuild like the rest of the package. All
// logic is in the core (eimzokit) and in ../adapter/state.ts.
import { InjectionToken, inject, makeEnvironmentProviders, signal, type EnvironmentProviders, type Signal, type WritableSignal } from '@angular/core'
import { createEimzo } from 'eimzokit'
import type { BinaryInput, CallOptions, Certificate, EimzoClient, EimzoError, EimzoOptions, Lang, SignHashOptions, SignHashResult, SignOptions, SignResult, VersionInfo } from 'eimzokit'
import { bindState, type Cell, type EimzoActions } from '../adapter/state.js'

// The core's class, re-exported: `instanceof` works with either import.
export { EimzoNoCertificateSelectedError } from 'eimzokit'
export type { EimzoActions } from '../adapter/state.js'

/** The client the service uses; provided by provideEimzo / provideEimzoClient. */
export const EIMZO_CLIENT = new InjectionToken<EimzoClient>('eimzokit client')
/** The language of the service's own errors (default uz). */
export const EIMZO_LANG = new InjectionToken<Lang>('eimzokit lang')

function cell<T>(s: WritableSignal<T>): Cell<T> {
  return { get: () => s(), set: (v) => s.set(v) }
}

/**
 * The E-IMZO state as read-only signals, and the methods of the adapter API.
 * Select with select(cert); the signals cannot be written from outside.
 */
export class EimzoService implements EimzoActions {
  readonly certificates: Signal<Certificate[]>
  readonly selected: Signal<Certificate | null>
  readonly loading: Signal<boolean>
  readonly error: Signal<EimzoError | null>
  readonly version: Signal<VersionInfo | undefined>
  readonly #actions: EimzoActions

  constructor(
    /** The core client, for calls that take the certificate as an argument. */
    readonly client: EimzoClient,
    lang?: Lang,
  ) {
    const certificates = signal<Certificate[]>([])
    const selected = signal<Certificate | null>(null)
    const loading = signal(false)
    const error = signal<EimzoError | null>(null)
    const version = signal<VersionInfo | undefined>(client.version)
    this.certificates = certificates.asReadonly()
    this.selected = selected.asReadonly()
    this.loading = loading.asReadonly()
    this.error = error.asReadonly()
    this.version = version.asReadonly()
    this.#actions = bindState(client, { certificates: cell(certificates), selected: cell(selected), loading: cell(loading), error: cell(error), version: cell(version) }, lang)
  }

  install(opts?: CallOptions): Promise<VersionInfo> {
    return this.#actions.install(opts)
  }
  loadCertificates(opts?: CallOptions): Promise<Certificate[]> {
    return this.#actions.loadCertificates(opts)
  }
  select(cert: Certificate | null): void {
    this.#actions.select(cert)
  }
  sign(data: BinaryInput, opts?: SignOptions): Promise<SignResult> {
    return this.#actions.sign(data, opts)
  }
  signHash(file: BinaryInput, opts?: SignHashOptions): Promise<SignHashResult> {
    return this.#actions.signHash(file, opts)
  }
  authenticate(challenge: string, opts?: CallOptions): Promise<string> {
    return this.#actions.authenticate(challenge, opts)
  }
  signWithSerial(serial: string, data: BinaryInput, opts?: SignOptions): Promise<SignResult> {
    return this.#actions.signWithSerial(serial, data, opts)
  }
}

const serviceProvider = {
  provide: EimzoService,
  useFactory: () => new EimzoService(inject(EIMZO_CLIENT), inject(EIMZO_LANG, { optional: true }) ?? undefined),
}

/** Provides EimzoService over a client created from options. */
export function provideEimzo(options: EimzoOptions = {}): EnvironmentProviders {
  return makeEnvironmentProviders([
    { provide: EIMZO_CLIENT, useFactory: () => createEimzo(options) as EimzoClient },
    { provide: EIMZO_LANG, useValue: options.lang ?? 'uz' },
    serviceProvider,
  ])
}

/** Provides EimzoService over a ready client (a shared one, or a test double). */
export function provideEimzoClient(client: EimzoClient, lang?: Lang): EnvironmentProviders {
  return makeEnvironmentProviders([{ provide: EIMZO_CLIENT, useValue: client }, ...(lang ? [{ provide: EIMZO_LANG, useValue: lang }] : []), serviceProvider])
}
