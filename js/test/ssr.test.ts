// SSR safety of the built package (dist/, so run `npm run build` first):
// importing every entry point in plain Node, as Nuxt, Next and Angular SSR
// do, touches no browser global and adds no global; the client then rejects
// with a typed error that says it runs in the browser only.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))

// Run in a child Node from js/, so 'eimzokit' resolves to the package itself
// through its exports map, as it does in an app.
function node(kind: 'esm' | 'cjs', entries: string[], frameworks: string[]) {
  const load = kind === 'esm' ? (m: string) => `await import(${JSON.stringify(m)})` : (m: string) => `require(${JSON.stringify(m)})`
  const script = `
    ${frameworks.map((m) => `await import(${JSON.stringify(m)})`).join('\n')}
    const touched = []
    for (const name of ['window', 'document', 'navigator', 'location', 'self', 'localStorage', 'WebSocket', 'Go', 'fs']) {
      if (name in globalThis) continue
      Object.defineProperty(globalThis, name, { configurable: true, get() { touched.push(name); return undefined } })
    }
    const before = new Set(Object.getOwnPropertyNames(globalThis))
    const exported = {}
    const mods = {}
    for (const m of ${JSON.stringify(entries)}) {
      mods[m] = ${kind === 'esm' ? 'await import(m)' : 'require(m)'}
      exported[m] = Object.keys(mods[m]).sort()
    }
    const added = Object.getOwnPropertyNames(globalThis).filter((k) => !before.has(k))
    const atImport = touched.splice(0)
    const core = ${load('eimzokit')}
    const errors = []
    const calls = [() => core.createEimzo().listKeys(), () => core.createEimzo({ lang: 'en' }).install(), () => core.buildEimzoMobileQrCode({ siteId: '0001', documentId: '00000001', data: 'x', lang: 'ru' })]
    for (const call of calls) {
      try { await call(); errors.push(null) } catch (e) { errors.push({ isEimzoError: e instanceof core.EimzoError, code: e.code, name: e.name, className: e.constructor.name, message: e.message, hint: e.hint }) }
    }
    // The names the minified bundles keep: the core's error classes (static
    // names) and the wrappers' exports (keepNames).
    const names = {}
    for (const m of ${JSON.stringify(entries)}) {
      const mod = ${kind === 'esm' ? 'await import(m)' : 'require(m)'}
      for (const [k, v] of Object.entries(mod)) if (typeof v === 'function') names[m + ' ' + k] = v.name
    }
    const same = ${JSON.stringify(entries)}.filter((m) => m !== 'eimzokit' && m !== 'eimzokit/nuxt')
      .every((m) => ${kind === 'esm' ? 'mods[m]' : 'require(m)'}.EimzoNoCertificateSelectedError === core.EimzoNoCertificateSelectedError)
    console.log(JSON.stringify({ touched: atImport, added, exported, errors, names, same }))
  `
  const args = kind === 'esm' ? ['--input-type=module', '-e', script] : ['-e', `(async () => { ${script} })()`]
  return JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }))
}

describe.runIf(existsSync(root + 'dist/index.js'))('the built package in Node', () => {
  const frameworks = ['vue', 'react', '@angular/core', '@nuxt/kit']
  for (const kind of ['esm', 'cjs'] as const) {
    it(`${kind}: imports touch no browser global and add none`, () => {
      const entries = ['eimzokit', 'eimzokit/vue', 'eimzokit/react', 'eimzokit/angular', ...(kind === 'esm' ? ['eimzokit/nuxt'] : [])]
      const got = node(kind, entries, frameworks)
      // The CJS core looks once for the script that loads it (see scripts/build.mjs).
      expect(got.touched).toEqual(kind === 'cjs' ? ['document'] : [])
      expect(got.added).toEqual([])
      expect(got.exported['eimzokit']).toContain('createEimzo')
      expect(got.exported['eimzokit/vue']).toEqual(['EimzoKey', 'EimzoNoCertificateSelectedError', 'EimzoVuePlugin', 'createEimzoVue', 'useEimzo'])
      expect(got.exported['eimzokit/react']).toEqual(['EimzoNoCertificateSelectedError', 'EimzoProvider', 'useEimzo'])
      expect(got.exported['eimzokit/angular']).toEqual(['EIMZO_CLIENT', 'EIMZO_LANG', 'EimzoNoCertificateSelectedError', 'EimzoService', 'provideEimzo', 'provideEimzoClient'])
      if (kind === 'esm') expect(got.exported['eimzokit/nuxt']).toEqual(['default'])
    })
    it(`${kind}: a call on the server is BROWSER_ONLY, in the client's language`, () => {
      const got = node(kind, ['eimzokit'], [])
      const common = { isEimzoError: true, code: 'BROWSER_ONLY', name: 'EimzoError', className: 'EimzoError' }
      expect(got.errors).toMatchObject([
        { ...common, message: 'eimzokit faqat brauzerda ishlaydi' },
        { ...common, message: 'eimzokit runs in the browser only', hint: expect.stringContaining('onMounted, useEffect, afterNextRender') },
        { ...common, message: 'eimzokit работает только в браузере' },
      ])
    })
    it(`${kind}: minified, the classes and the wrappers' functions keep their names`, () => {
      const entries = ['eimzokit', 'eimzokit/vue', 'eimzokit/react', 'eimzokit/angular']
      const got = node(kind, entries, ['vue', 'react', '@angular/core'])
      // Every exported class and function of the core named Eimzo…Error
      // is named so; the others (createEimzo, sha256, …) may be renamed.
      const errorNames = Object.entries(got.names as Record<string, string>).filter(([k]) => /^eimzokit Eimzo\w*Error$/.test(k))
      expect(errorNames.length).toBe(15)
      for (const [k, v] of errorNames) expect(v).toBe(k.slice('eimzokit '.length))
      for (const [entry, fns] of Object.entries({ 'eimzokit/vue': ['useEimzo', 'createEimzoVue'], 'eimzokit/react': ['EimzoProvider', 'useEimzo'], 'eimzokit/angular': ['EimzoService', 'provideEimzo', 'provideEimzoClient'] })) {
        for (const f of fns) expect(got.names[`${entry} ${f}`]).toBe(f)
        expect(got.names[`${entry} EimzoNoCertificateSelectedError`]).toBe('EimzoNoCertificateSelectedError')
      }
      expect(got.same).toBe(true) // the wrappers re-export the core's class, not a copy
    })
  }
})

it.skipIf(existsSync(root + 'dist/index.js'))('needs dist/: run `npm run build` (make build at the root)', () => {
  throw new Error('js/dist is missing')
})
