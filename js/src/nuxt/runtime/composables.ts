// useEimzo(), auto-imported by the Nuxt module.
import { inject } from 'vue'
import { useRuntimeConfig } from '#app'
import { createEimzo, type EimzoClient } from 'eimzokit'
import { createEimzoVue, EimzoKey, useEimzo as useVueEimzo, type UseEimzo } from 'eimzokit/vue'
import { clientOptions } from '../options.js'

export type { UseEimzo } from 'eimzokit/vue'

/**
 * The app's E-IMZO state and methods. Safe to call during server rendering:
 * there the client-only plugin has not run, so it returns an empty state
 * whose methods reject with the core's browser-only error; call them from
 * onMounted or event handlers.
 */
export function useEimzo(): UseEimzo {
  const ctx = inject(EimzoKey, undefined)
  if (ctx) return ctx
  if (typeof window !== 'undefined') return useVueEimzo() // throws: the plugin is missing
  const options = clientOptions(useRuntimeConfig().public.eimzo as object)
  return createEimzoVue(createEimzo(options) as EimzoClient, options.lang)
}
