// For type-checking js/ only (it does not install nuxt): the slice of
// Nuxt's '#app' alias that the runtime files use, as Nuxt 3 declares it.
// In an app, Nuxt's own types replace this.
declare module '#app' {
  import type { App } from 'vue'
  export interface NuxtApp {
    vueApp: App
    provide: (name: string, value: unknown) => void
  }
  export interface ObjectPlugin<Injections extends Record<string, unknown> = Record<string, unknown>> {
    name?: string
    enforce?: 'pre' | 'default' | 'post'
    setup?: (this: void, nuxt: NuxtApp) => void | Promise<void> | { provide?: Injections } | Promise<{ provide?: Injections }>
  }
  export interface Plugin<Injections extends Record<string, unknown> = Record<string, unknown>> {
    (nuxt: NuxtApp): void | Promise<void> | { provide?: Injections } | Promise<{ provide?: Injections }>
  }
  export function defineNuxtPlugin<T extends Record<string, unknown>>(plugin: Plugin<T> | ObjectPlugin<T>): Plugin<T> & ObjectPlugin<T>
  export function useRuntimeConfig(): { public: Record<string, unknown> }
}
