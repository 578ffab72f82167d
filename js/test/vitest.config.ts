// Unit tests of the wrappers: `npm test` (vitest run). The wrappers import
// the core as 'eimzokit', resolved here to the sources; '#app' is a fake of
// the two Nuxt functions the runtime uses (the Nuxt app in e2e/apps/nuxt
// runs the real one).
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const at = (p: string) => fileURLToPath(new URL(p, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^eimzokit$/, replacement: at('../src/index.ts') },
      { find: /^eimzokit\/vue$/, replacement: at('../src/vue/index.ts') },
      { find: /^#app$/, replacement: at('./fake-nuxt-app.ts') },
      // The full build, which compiles templates at run time, for v-model tests.
      { find: /^vue$/, replacement: 'vue/dist/vue.esm-bundler.js' },
    ],
  },
  define: { __VUE_OPTIONS_API__: 'true', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' },
  test: {
    root: at('..'),
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
})
