// The demo page: list keys, sign a text (optionally time-stamped), post the
// CMS to /api/verify; sign in with a key (challenge → CMS → session cookie).
import { createEimzo, EimzoError } from '/eimzokit/index.js'

const $ = (id) => document.getElementById(id)
const config = await fetch('/config.json').then((r) => r.json())
const eimzo = createEimzo({ url: config.daemonUrl || undefined })
let certs = []

function show(state, text, detail, prefix = '') {
  $(prefix + 'status').className = state
  $(prefix + 'status').textContent = text
  $(prefix + 'result').textContent = detail === undefined ? '' : typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2)
}

function describe(e) {
  if (e instanceof EimzoError) return `${e.code}: ${e.message}${e.hint ? ' (' + e.hint + ')' : ''}`
  return String(e && e.message ? e.message : e)
}

function selected() {
  return certs[Number($('keys').value)]
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
    $('sign').disabled = $('login').disabled = certs.length === 0
    show('ok', `${certs.length} keys`)
  } catch (e) {
    show('error', describe(e))
  }
})

// stamp asks the backend to add an RFC 3161 token to each signer
// (E-IMZO-SERVER's /frontend/timestamp/pkcs7).
async function stamp(pkcs7) {
  const r = await fetch('/frontend/timestamp/pkcs7', { method: 'POST', body: pkcs7 })
  const reply = await r.json()
  if (!r.ok || reply.status !== 1) throw new Error(`time-stamp: ${reply.code || reply.status}: ${reply.message}`)
  return reply.pkcs7b64
}

$('sign').addEventListener('click', async () => {
  const cert = selected()
  if (!cert) return show('error', 'Choose a key first')
  const text = $('text').value
  const detached = $('detached').checked
  show('', 'Signing…')
  try {
    const signed = await eimzo.sign(cert, text, { detached })
    let pkcs7 = signed.pkcs7
    if ($('timestamp').checked) {
      show('', 'Time-stamping…')
      pkcs7 = await stamp(pkcs7)
    }
    $('result').dataset.pkcs7 = pkcs7
    show('', 'Verifying…')
    const body = { pkcs7 }
    if (detached) body.data = btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    const r = await fetch('/api/verify', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    const report = await r.json()
    if (r.ok && report.valid) {
      show('ok', `Verified (level ${report.level}): signed by ${report.signers[0].identity.commonName}`, report)
    } else {
      show('error', `Not verified: ${report.code}`, report)
    }
  } catch (e) {
    show('error', describe(e))
  }
})

async function whoami() {
  const r = await fetch('/api/auth/session')
  const reply = await r.json()
  if (r.ok) show('ok', `Signed in as ${reply.name} (${reply.subject})`, reply, 'auth-')
  else show('error', `Not signed in: ${reply.code}`, reply, 'auth-')
  return r.ok
}

$('login').addEventListener('click', async () => {
  const cert = selected()
  if (!cert) return show('error', 'Choose a key first', undefined, 'auth-')
  show('', 'Signing in…', undefined, 'auth-')
  try {
    const challenge = await fetch('/api/auth/challenge').then((r) => r.text())
    // authenticate(challenge, cert) where the client has it, else sign.
    const signed = typeof eimzo.authenticate === 'function' ? await eimzo.authenticate(challenge, cert) : await eimzo.sign(cert, challenge)
    const pkcs7 = typeof signed === 'string' ? signed : signed.pkcs7
    $('auth-result').dataset.pkcs7 = pkcs7
    const r = await fetch('/api/auth/login', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: pkcs7 })
    const reply = await r.json()
    if (!r.ok) return show('error', `Sign-in refused: ${reply.code}`, reply, 'auth-')
    await whoami()
  } catch (e) {
    show('error', describe(e), undefined, 'auth-')
  }
})

$('whoami').addEventListener('click', whoami)

$('logout').addEventListener('click', async () => {
  const r = await fetch('/api/auth/logout', { method: 'POST' })
  const reply = await r.json()
  show(reply.loggedOut ? 'ok' : 'error', reply.loggedOut ? 'Signed out' : 'No session to end', reply, 'auth-')
})
