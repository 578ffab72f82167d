// The demo page: list keys, sign a text, post the CMS to /api/verify.
import { createEimzo, EimzoError } from '/eimzokit/index.js'

const $ = (id) => document.getElementById(id)
const config = await fetch('/config.json').then((r) => r.json())
const eimzo = createEimzo({ url: config.daemonUrl || undefined })
let certs = []

function show(state, text, detail) {
  $('status').className = state
  $('status').textContent = text
  $('result').textContent = detail === undefined ? '' : typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2)
}

function describe(e) {
  if (e instanceof EimzoError) return `${e.code}: ${e.message}${e.hint ? ' (' + e.hint + ')' : ''}`
  return String(e && e.message ? e.message : e)
}

$('list').addEventListener('click', async () => {
  show('', 'Listing keys…')
  try {
    const v = await eimzo.install()
    $('version').textContent = `E-IMZO ${v.version}`
    certs = await eimzo.listKeys()
    const list = $('keys')
    list.replaceChildren(...certs.map((c, i) => {
      const o = document.createElement('option')
      const expired = c.validTo && c.validTo < new Date()
      o.value = String(i)
      o.textContent = `${c.CN} — ${c.isLegalEntity ? 'TIN ' + c.TIN : 'PINFL ' + c.PINFL}${c.O ? ' — ' + c.O : ''}${expired ? ' (expired)' : ''}`
      if (expired) o.className = 'expired'
      return o
    }))
    const first = certs.findIndex((c) => !c.validTo || c.validTo > new Date())
    if (first >= 0) list.value = String(first)
    $('sign').disabled = certs.length === 0
    show('ok', `${certs.length} keys`)
  } catch (e) {
    show('error', describe(e))
  }
})

$('sign').addEventListener('click', async () => {
  const cert = certs[Number($('keys').value)]
  if (!cert) return show('error', 'Choose a key first')
  const text = $('text').value
  const detached = $('detached').checked
  show('', 'Signing…')
  try {
    const signed = await eimzo.sign(cert, text, { detached })
    $('result').dataset.pkcs7 = signed.pkcs7
    show('', 'Verifying…')
    const body = { pkcs7: signed.pkcs7 }
    if (detached) body.data = btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    const r = await fetch('/api/verify', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    const report = await r.json()
    if (r.ok && report.valid) {
      show('ok', `Verified: signed by ${report.signers[0].identity.commonName}`, report)
    } else {
      show('error', `Not verified: ${report.code}`, report)
    }
  } catch (e) {
    show('error', describe(e))
  }
})
