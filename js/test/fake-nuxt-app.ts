// A fake of the two '#app' functions the Nuxt runtime calls, for unit
// tests; the real Nuxt runs in e2e/apps/nuxt.
export let runtimeConfig: { public: Record<string, unknown> } = { public: {} }
export function setRuntimeConfig(c: { public: Record<string, unknown> }) {
  runtimeConfig = c
}
export function useRuntimeConfig() {
  return runtimeConfig
}
export function defineNuxtPlugin<T>(p: T): T {
  return p
}
