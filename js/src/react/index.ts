// eimzokit/react: <EimzoProvider> creates one client and its state for the
// tree under it; useEimzo() reads them with useSyncExternalStore. All logic
// is in the core (eimzokit) and in ../adapter/state.ts.
import { createContext, createElement, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react'
import { createEimzo, EimzoError } from 'eimzokit'
import type { Certificate, EimzoClient, EimzoOptions, VersionInfo } from 'eimzokit'
import { bindState, type Cell, type EimzoActions } from '../adapter/state.js'

// The core's class, re-exported: `instanceof` works with either import.
export { EimzoNoCertificateSelectedError } from 'eimzokit'
export type { EimzoActions } from '../adapter/state.js'

/** A snapshot of the state; a new object after every change. */
export interface EimzoState {
  certificates: Certificate[]
  selected: Certificate | null
  loading: boolean
  error: EimzoError | null
  version: VersionInfo | undefined
}

/** What useEimzo() returns. The methods keep their identity across renders. */
export interface UseEimzo extends EimzoState, EimzoActions {
  /** The core client, for calls that take the certificate as an argument. */
  client: EimzoClient
}

export interface EimzoProviderProps {
  /** Options of the client the provider creates, read once on mount. */
  options?: EimzoOptions
  /** Use this client instead of creating one. */
  client?: EimzoClient
  /** Call install() on mount; a failure lands in `error`. */
  autoInstall?: boolean
  children?: ReactNode
}

interface Store {
  client: EimzoClient
  actions: EimzoActions
  subscribe(listener: () => void): () => void
  get(): EimzoState
}

function createStore(client: EimzoClient, lang: EimzoOptions['lang']): Store {
  let state: EimzoState = { certificates: [], selected: null, loading: false, error: null, version: client.version }
  const listeners = new Set<() => void>()
  function cell<K extends keyof EimzoState>(key: K): Cell<EimzoState[K]> {
    return {
      get: () => state[key],
      set: (v) => {
        if (state[key] === v) return
        state = { ...state, [key]: v }
        listeners.forEach((l) => l())
      },
    }
  }
  const actions = bindState(client, { certificates: cell('certificates'), selected: cell('selected'), loading: cell('loading'), error: cell('error'), version: cell('version') }, lang)
  return {
    client,
    actions,
    subscribe(l) {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    get: () => state,
  }
}

const Context = createContext<Store | null>(null)

/** Provides an E-IMZO client and its state to the components under it. */
export function EimzoProvider({ options, client, autoInstall, children }: EimzoProviderProps): ReactNode {
  const [store] = useState(() => createStore(client ?? (createEimzo(options) as EimzoClient), options?.lang))
  useEffect(() => {
    if (autoInstall) store.actions.install().catch(() => {}) // the error is in state.error
  }, [store, autoInstall])
  return createElement(Context.Provider, { value: store }, children)
}

/** The E-IMZO state and methods of the nearest <EimzoProvider>. */
export function useEimzo(): UseEimzo {
  const store = useContext(Context)
  if (!store) {
    throw new EimzoError('BAD_ARGUMENT', 'useEimzo() must be used inside <EimzoProvider>', {
      hint: 'wrap the app: <EimzoProvider options={…}><App /></EimzoProvider>',
    })
  }
  const state = useSyncExternalStore(store.subscribe, store.get, store.get)
  return useMemo(() => ({ ...state, ...store.actions, client: store.client }), [state, store])
}
