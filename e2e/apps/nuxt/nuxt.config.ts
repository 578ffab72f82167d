// The module's `eimzo` key and runtimeConfig.public.eimzo are merged; the
// simulator's address comes at run time from NUXT_PUBLIC_EIMZO_URL.
export default defineNuxtConfig({
  modules: ['eimzokit/nuxt'],
  eimzo: {
    lang: 'en',
    apiKeys: { localhost: 'unused-on-v6' },
  },
  runtimeConfig: {
    public: {
      eimzo: { timeoutMs: 60000 },
    },
  },
  app: { head: { title: 'eimzokit + Nuxt', link: [{ rel: 'icon', href: 'data:,' }] } },
  compatibilityDate: '2025-07-01',
  devtools: { enabled: false },
  telemetry: false,
})
