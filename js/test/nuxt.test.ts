// eimzokit/nuxt: option merging, the module's metadata, and the runtime
// plugin and composable over a fake '#app' (test/fake-nuxt-app.ts). The real
// Nuxt builds and serves e2e/apps/nuxt in the e2e suite.
// @vitest-environment node
import { createApp } from 'vue'
import { describe, expect, it } from 'vitest'
import { EimzoError } from '../src/index.js'
import { EimzoKey } from '../src/vue/index.js'
import { clientOptions, mergeOptions } from '../src/nuxt/options.js'
import { setRuntimeConfig } from './fake-nuxt-app.js'

describe('nuxt options', () => {
  const rows: { name: string; layers: Parameters<typeof mergeOptions>; want: object }[] = [
    { name: 'nothing set: the env-overridable keys exist, empty', layers: [], want: { url: '', wasmUrl: '', apiKeys: {} } },
    { name: 'eimzo key only', layers: [{ timeoutMs: 5000, lang: 'ru' }, undefined], want: { url: '', wasmUrl: '', apiKeys: {}, timeoutMs: 5000, lang: 'ru' } },
    { name: 'runtimeConfig wins', layers: [{ url: 'ws://a', lang: 'ru' }, { url: 'ws://b' }], want: { url: 'ws://b', lang: 'ru' } },
    { name: 'apiKeys merge by domain', layers: [{ apiKeys: { 'a.uz': '1', 'b.uz': '2' } }, { apiKeys: { 'b.uz': '3' } }], want: { apiKeys: { 'a.uz': '1', 'b.uz': '3' } } },
    { name: 'undefined does not erase', layers: [{ timeoutMs: 5000 }, { timeoutMs: undefined }], want: { timeoutMs: 5000 } },
  ]
  for (const r of rows) {
    it(r.name, () => expect(mergeOptions(...r.layers)).toMatchObject(r.want))
  }

  it('empty strings become unset client options', () => {
    expect(clientOptions({ url: '', wasmUrl: '', apiKeys: {}, lang: 'en' })).toEqual({ apiKeys: {}, lang: 'en' })
    expect(clientOptions(undefined)).toEqual({})
  })

  it('the module is configured under `eimzo`', async () => {
    const mod = (await import('../src/nuxt/module.js')).default
    const meta = await mod.getMeta!()
    expect(meta.configKey).toBe('eimzo')
    expect(meta.name).toBe('eimzokit')
  })
})

describe('nuxt runtime', () => {
  it('the plugin installs the Vue plugin and provides $eimzo', async () => {
    setRuntimeConfig({ public: { eimzo: { url: 'ws://127.0.0.1:1/service/cryptapi', wasmUrl: '', apiKeys: {}, lang: 'en' } } })
    const plugin = (await import('../src/nuxt/runtime/plugin.js')).default as unknown as {
      name: string
      setup(app: { vueApp: ReturnType<typeof createApp> }): { provide: { eimzo: unknown } }
    }
    expect(plugin.name).toBe('eimzokit')
    const vueApp = createApp({ render: () => null })
    const { provide } = plugin.setup({ vueApp })
    const ctx = vueApp.runWithContext(() => vueApp._context.provides[EimzoKey as symbol])
    expect(ctx.client).toBe(provide.eimzo)
    await expect(ctx.sign('x')).rejects.toThrow('No certificate is selected') // lang from runtimeConfig
  })

  it('useEimzo() on the server: an empty state whose methods say "browser only"', async () => {
    setRuntimeConfig({ public: { eimzo: { url: '', wasmUrl: '', apiKeys: {}, lang: 'en' } } })
    const { useEimzo } = await import('../src/nuxt/runtime/composables.js')
    const app = createApp({ render: () => null })
    const e = app.runWithContext(() => useEimzo())
    expect(e.certificates.value).toEqual([])
    const err = await e.install().catch((x) => x)
    expect(err).toBeInstanceOf(EimzoError)
    expect(err.code).toBe('BROWSER_ONLY')
    expect(err.message).toMatch(/browser only/)
    expect(e.error.value).toBe(err)
  })

  it('useEimzo() on the server returns the plugin state when there is one', async () => {
    const { useEimzo } = await import('../src/nuxt/runtime/composables.js')
    const app = createApp({ render: () => null })
    const marker = { marker: true }
    app.provide(EimzoKey, marker as never)
    expect(app.runWithContext(() => useEimzo())).toBe(marker)
  })
})
