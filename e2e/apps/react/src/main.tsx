import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { EimzoProvider } from 'eimzokit/react'
import { App } from './App'

// The e2e suite passes the simulator's address as ?daemon=ws://127.0.0.1:PORT/…
const daemon = new URLSearchParams(location.search).get('daemon') ?? undefined

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <EimzoProvider options={{ url: daemon, apiKeys: { localhost: 'unused-on-v6' } }} autoInstall>
      <App />
    </EimzoProvider>
  </StrictMode>,
)
