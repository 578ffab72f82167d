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
    for (const m of ${JSON.stringify(entries)}) exported[m] = Object.keys(${kind === 'esm' ? 'await import(m)' : 'require(m)'}).sort()
    const added = Object.getOwnPropertyNames(globalThis).filter((k) => !before.has(k))
    const atImport = touched.splice(0)
    const core = ${load('eimzokit')}
    let error = null
    try { await core.createEimzo().listKeys() } catch (e) { error = { isEimzoError: e instanceof core.EimzoError, code: e.code, message: e.message } }
    console.log(JSON.stringify({ touched: atImport, added, exported, error }))
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
    it(`${kind}: a call on the server is a typed "browser only" error`, () => {
      const got = node(kind, ['eimzokit'], [])
      expect(got.error).toMatchObject({ isEimzoError: true })
      expect(got.error.code).toMatch(/^[A-Z_]+$/)
      expect(got.error.message).toMatch(/browser only/)
    })
  }
})

it.skipIf(existsSync(root + 'dist/index.js'))('needs dist/: run `npm run build` (make build at the root)', () => {
  throw new Error('js/dist is missing')
})
