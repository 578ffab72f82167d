import { eimzoError } from './error.js'
import { EimzoError } from './errors.generated.js'
import type { Lang } from './types.js'
import { createGo } from './wasm_exec.js'

/** @internal The object the Go module hands over (wasm/jsapi). */
export interface NativeApi {
  newClient(options: object): NativeClient
  /** The E-IMZO mobile QR code (PROTOCOL.md §7). */
  mobileQrCode?(siteId: string, documentId: string, data: unknown, opts?: object): Promise<any>
  /** Rejects when the Go program stops, so no call waits forever. */
  exited: Promise<never>
}

/** @internal The methods of a client made by the Go module. */
export interface NativeClient {
  install(opts?: object): Promise<any>
  listKeys(opts?: object): Promise<any>
  loadKey(cert: object, opts?: object): Promise<any>
  sign(cert: object, data: unknown, opts?: object): Promise<any>
  signWithSerial(serial: string, data: unknown, opts?: object): Promise<any>
  authenticate(challenge: string, cert: object, opts?: object): Promise<any>
  getCertificateChain(handle: object, opts?: object): Promise<any>
  deviceConnected(device: string, opts?: object): Promise<any>
  signWithDevice(device: string, data: unknown, opts?: object): Promise<any>
  authenticateWithDevice(device: string, challenge: string, opts?: object): Promise<any>
}

let loading: Promise<NativeApi> | undefined

function defaultWasmUrl(): URL {
  // In the CJS build, import.meta.url is the URL of the script that loaded
  // the bundle, or undefined (scripts/build.mjs).
  if (!import.meta.url) {
    throw new EimzoError('BAD_ARGUMENT', 'cannot locate eimzo.wasm: pass the wasmUrl option')
  }
  // Exactly this shape, a literal and import.meta.url: Vite, webpack and
  // Rollup recognise it, copy eimzo.wasm into the app's build and rewrite
  // the URL.
  return new URL('./eimzo.wasm', import.meta.url)
}

/**
 * Fetches, compiles and starts the Go module once, on the first call that
 * needs it. A failed load is not remembered, so a later call retries.
 * Outside a browser it rejects with BROWSER_ONLY, in lang.
 */
export function loadNative(wasmUrl?: string | URL, lang?: Lang): Promise<NativeApi> {
  // Server rendering (Node, Deno, a worker without a window): the daemon is
  // on the user's computer, reachable from the page only.
  if (typeof WebAssembly === 'undefined' || typeof WebSocket === 'undefined' || typeof window === 'undefined') {
    return Promise.reject(eimzoError('BROWSER_ONLY', lang))
  }
  loading ??= start(wasmUrl).catch((e) => {
    loading = undefined
    throw e instanceof EimzoError ? e : new EimzoError('INTERNAL', 'loading eimzo.wasm failed: ' + String((e as Error)?.message ?? e), { cause: e })
  })
  return loading
}

async function start(wasmUrl?: string | URL): Promise<NativeApi> {
  const Go = createGo(globalThis)
  const go = new Go()
  // The module hands its API to a global function whose name only it and
  // this loader know; the function removes itself at once.
  const name = '__eimzokit_' + Math.random().toString(36).slice(2)
  const ready = new Promise<NativeApi>((resolve) => {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      value: (api: NativeApi) => {
        delete (globalThis as any)[name]
        resolve(api)
      },
    })
  })
  go.env = { EIMZOKIT_HANDSHAKE: name }
  const url = wasmUrl ?? defaultWasmUrl()
  let instance: WebAssembly.Instance
  try {
    const response = fetch(url)
    if (typeof WebAssembly.instantiateStreaming === 'function') {
      try {
        instance = (await WebAssembly.instantiateStreaming(response, go.importObject)).instance
      } catch (e) {
        // A server that does not send application/wasm: compile from bytes.
        const bytes = await (await fetch(url)).arrayBuffer()
        instance = (await WebAssembly.instantiate(bytes, go.importObject)).instance
      }
    } else {
      const bytes = await (await response).arrayBuffer()
      instance = (await WebAssembly.instantiate(bytes, go.importObject)).instance
    }
  } catch (e) {
    delete (globalThis as any)[name]
    throw e
  }
  const exited = go.run(instance).then(() => {
    loading = undefined
    throw new EimzoError('INTERNAL', 'the eimzokit WebAssembly module stopped; the browser console has its last words')
  })
  exited.catch(() => {})
  return ready.then((api) => Object.assign(api, { exited }))
}
