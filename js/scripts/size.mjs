// Prints what the JS glue costs a page, gzip -9, without eimzo.wasm: each
// built entry point, and an app bundle of `createEimzo` alone (esbuild,
// minified, tree-shaken). Fails when that app bundle is over the 10 KB goal.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const limit = 10 * 1024
const gz = (b) => gzipSync(b, { level: 9 }).length
const rows = []
for (const f of ['index.js', 'index.cjs', 'vue/index.js', 'react/index.js', 'angular/index.js', 'nuxt/module.js', 'nuxt/runtime/plugin.js', 'nuxt/runtime/composables.js']) {
  const b = readFileSync(join(root, 'dist', f))
  rows.push([`dist/${f}`, b.length, gz(b)])
}
async function app(name, code, external = []) {
  const out = await build({
    stdin: { contents: code, resolveDir: root, loader: 'js' },
    bundle: true, minify: true, format: 'esm', target: 'es2022', write: false, external: [...external, '*.wasm'],
    // The package's own name resolves through its exports map, to dist/;
    // an empty tsconfig keeps js/tsconfig.json's paths (to src/) out.
    absWorkingDir: root, tsconfigRaw: {},
  })
  const b = out.outputFiles[0].contents
  rows.push([name, b.length, gz(b)])
  return gz(b)
}
const core = await app('app: createEimzo only', `import { createEimzo } from 'eimzokit'; createEimzo().install()`)
// Tree-shaking: the error classes alone leave the loader and the Go glue out.
const errorsOnly = await app('app: EimzoError only', `import { EimzoError } from 'eimzokit'; console.log(EimzoError)`)
await app('app: eimzokit/vue (vue external)', `import { EimzoVuePlugin, useEimzo } from 'eimzokit/vue'; console.log(EimzoVuePlugin, useEimzo)`, ['vue'])
await app('app: eimzokit/react (react external)', `import { EimzoProvider, useEimzo } from 'eimzokit/react'; console.log(EimzoProvider, useEimzo)`, ['react'])
await app('app: eimzokit/angular (@angular/core external)', `import { provideEimzo, EimzoService } from 'eimzokit/angular'; console.log(provideEimzo, EimzoService)`, ['@angular/core'])
console.log('size: JS glue (bytes, raw / gzip -9)')
for (const [n, r, g] of rows) console.log(`  ${n.padEnd(46)} ${String(r).padStart(7)} ${String(g).padStart(7)}`)
if (errorsOnly * 2 > core) {
  console.error('size: importing EimzoError alone pulls in most of the core: the package no longer tree-shakes')
  process.exit(1)
}
if (core > limit) {
  console.error(`size: the createEimzo app bundle is ${core} bytes gzip, over the ${limit}-byte goal`)
  process.exit(1)
}
