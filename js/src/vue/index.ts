// eimzokit/vue: a Vue 3 plugin that creates one client per app, and the
// useEimzo() composable over it. All logic is in the core (eimzokit) and in
// ../adapter/state.ts; this file only binds Vue refs and provide/inject.
import { inject, shallowRef, type App, type InjectionKey, type Plugin, type Ref, type ShallowRef } from 'vue'
import { createEimzo, EimzoError } from 'eimzokit'
import type { Certificate, EimzoClient, EimzoOptions, VersionInfo } from 'eimzokit'
import { bindState, type Cell, type EimzoActions } from '../adapter/state.js'

// The core's class, re-exported: `instanceof` works with either import.
export { EimzoNoCertificateSelectedError } from 'eimzokit'
export type { EimzoActions } from '../adapter/state.js'

/** What useEimzo() returns: the same object in every component of an app. */
export interface UseEimzo extends EimzoActions {
  /** The core client, for calls that take the certificate as an argument. */
  readonly client: EimzoClient
  readonly certificates: Readonly<Ref<Certificate[]>>
  /** Writable: `selected.value = cert`, `select(cert)` and `v-model="selected"` are the same. */
  readonly selected: Ref<Certificate | null>
  readonly loading: Readonly<Ref<boolean>>
  readonly error: Readonly<Ref<EimzoError | null>>
  readonly version: Readonly<Ref<VersionInfo | undefined>>
}

/** The plugin's options: the client's, or a ready client. */
export type EimzoVueOptions = EimzoOptions & {
  /** Use this client instead of creating one from the options. */
  client?: EimzoClient
}

/** The key the plugin provides under; `inject(EimzoKey)` returns undefined without the plugin. */
export const EimzoKey: InjectionKey<UseEimzo> = Symbol('eimzokit')

function cell<T>(r: ShallowRef<T>): Cell<T> {
  return { get: () => r.value, set: (v) => (r.value = v) }
}

/**
 * Builds the reactive state over a client. The plugin calls it once per app;
 * Nuxt calls it on the server, where every method rejects with the core's
 * browser-only error.
 */
export function createEimzoVue(client: EimzoClient, lang?: EimzoOptions['lang']): UseEimzo {
  // Shallow refs: certificates stay the plain objects listKeys returned, so
  // they go back to the core unchanged and v-model compares them by identity.
  const certificates = shallowRef<Certificate[]>([])
  const selected = shallowRef<Certificate | null>(null)
  const loading = shallowRef(false)
  const error = shallowRef<EimzoError | null>(null)
  const version = shallowRef<VersionInfo | undefined>(client.version)
  const actions = bindState(client, { certificates: cell(certificates), selected: cell(selected), loading: cell(loading), error: cell(error), version: cell(version) }, lang)
  return { client, certificates, selected, loading, error, version, ...actions }
}

/** `app.use(EimzoVuePlugin, options)`: one client and one state for the app. */
export const EimzoVuePlugin: Plugin<[EimzoVueOptions?]> = {
  install(app: App, options: EimzoVueOptions = {}) {
    const { client, ...opts } = options
    app.provide(EimzoKey, createEimzoVue(client ?? (createEimzo(opts) as EimzoClient), opts.lang))
  },
}

/**
 * The app's E-IMZO state and methods. Call it in setup() (or
 * app.runWithContext) of an app that used EimzoVuePlugin.
 */
export function useEimzo(): UseEimzo {
  const ctx = inject(EimzoKey, undefined)
  if (!ctx) {
    throw new EimzoError('BAD_ARGUMENT', 'useEimzo() needs app.use(EimzoVuePlugin) and must run inside setup()', {
      hint: "install the plugin: createApp(App).use(EimzoVuePlugin, options); in Nuxt add 'eimzokit/nuxt' to modules",
    })
  }
  return ctx
}
