import { provideZonelessChangeDetection } from '@angular/core'
import { bootstrapApplication } from '@angular/platform-browser'
import { provideEimzo } from 'eimzokit/angular'
import { AppComponent } from './app/app.component'

// The e2e suite passes the simulator's address as ?daemon=ws://127.0.0.1:PORT/…
const daemon = new URLSearchParams(location.search).get('daemon') ?? undefined

bootstrapApplication(AppComponent, {
  providers: [provideZonelessChangeDetection(), provideEimzo({ url: daemon, apiKeys: { localhost: 'unused-on-v6' } })],
}).catch((e) => console.error(e))
