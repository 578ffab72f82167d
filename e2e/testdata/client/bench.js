// Cold page → first signature with eimzokit: the time from navigation
// start until the first CMS is in the page, in window.result.
import { createEimzo } from '/eimzokit/index.js'

const url = new URLSearchParams(location.search).get('daemon')
const c = createEimzo({ url })
await c.install()
const [cert] = await c.listKeys()
const { pkcs7 } = await c.sign(cert, 'Birinchi imzo')
window.result = { ms: performance.now(), bytes: pkcs7.length }
