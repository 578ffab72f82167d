import { createApp } from 'vue'
import { EimzoVuePlugin } from 'eimzokit/vue'
import App from './App.vue'

// The e2e suite passes the simulator's address as ?daemon=ws://127.0.0.1:PORT/…
const daemon = new URLSearchParams(location.search).get('daemon') ?? undefined

createApp(App).use(EimzoVuePlugin, { url: daemon, apiKeys: { localhost: 'unused-on-v6' } }).mount('#app')
