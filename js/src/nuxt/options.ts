// The options the Nuxt module keeps in runtimeConfig.public.eimzo, and how
// they become the client's. Shared by the module (build time, Node) and its
// runtime (the browser).
import type { EimzoOptions } from 'eimzokit'

/** The `eimzo` key of nuxt.config, and runtimeConfig.public.eimzo: the client options that survive JSON. */
export interface ModuleOptions extends Omit<EimzoOptions, 'wasmUrl'> {
  /** Where eimzo.wasm is. Default: next to the module, as the bundler copied it. */
  wasmUrl?: string
}

/**
 * Merges option layers, later ones winning; apiKeys merge by domain.
 * `url` and `wasmUrl` are always present (empty when unset) so that
 * NUXT_PUBLIC_EIMZO_URL and NUXT_PUBLIC_EIMZO_WASM_URL can set them at run
 * time, and apiKeys is always an object for NUXT_PUBLIC_EIMZO_API_KEYS.
 */
export function mergeOptions(...layers: (Partial<ModuleOptions> | undefined)[]): ModuleOptions {
  const out: ModuleOptions = { url: '', wasmUrl: '', apiKeys: {} }
  for (const layer of layers) {
    if (!layer) continue
    for (const [k, v] of Object.entries(layer) as [keyof ModuleOptions, unknown][]) {
      if (v === undefined) continue
      if (k === 'apiKeys') out.apiKeys = { ...out.apiKeys, ...(v as Record<string, string>) }
      else (out as Record<string, unknown>)[k] = v
    }
  }
  return out
}

/** The client options from runtimeConfig.public.eimzo: empty strings mean "unset". */
export function clientOptions(config: Partial<ModuleOptions> | undefined): EimzoOptions {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(config ?? {})) {
    if (v !== '' && v !== undefined && v !== null) out[k] = v
  }
  return out as EimzoOptions
}
