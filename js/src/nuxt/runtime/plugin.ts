// The client-only Nuxt plugin: one client for the app, the Vue plugin over
// it (so useEimzo() works), and useNuxtApp().$eimzo.
import { defineNuxtPlugin, useRuntimeConfig } from '#app'
import { createEimzo, type EimzoClient } from 'eimzokit'
import { EimzoVuePlugin } from 'eimzokit/vue'
import { clientOptions } from '../options.js'

export default defineNuxtPlugin({
  name: 'eimzokit',
  setup(nuxtApp) {
    const options = clientOptions(useRuntimeConfig().public.eimzo as object)
    const client = createEimzo(options) as EimzoClient
    nuxtApp.vueApp.use(EimzoVuePlugin, { client, lang: options.lang })
    return { provide: { eimzo: client } }
  },
})
