// Signs and verifies JWTs with node's jsonwebtoken (and, for EdDSA, which
// jsonwebtoken does not support, with node's crypto), for web/auth's
// access_interop_test.go. Reads {"jobs": [...]} on stdin, writes
// {"results": [...]} on stdout, one result per job, in order.
//
// Jobs:
//   {"op": "sign", "payload", "key", "options"}         -> {"token"} | {"error"}
//   {"op": "verify", "token", "key", "options"}         -> {"payload"} | {"error": {name, message, expiredAt?, date?}}
//   {"op": "ed-sign", "header", "payload", "key"}       -> {"token"} (crypto.sign, Ed25519)
//   {"op": "ed-verify", "token", "key"}                 -> {"valid": bool}
// A key is a PEM string, {"secret": base64} (bytes), or {"text": s} (the
// string itself as an HMAC secret: the HS/RS confusion trick).
// Audience patterns are {"re": source} in options.audience.
'use strict'

const crypto = require('crypto')
const jwt = require('jsonwebtoken')

function keyOf (k) {
  if (k === null || k === undefined) return k
  if (typeof k === 'string') return k
  if (k.secret !== undefined) return Buffer.from(k.secret, 'base64')
  if (k.text !== undefined) return k.text
  throw new Error('unknown key form')
}

function optionsOf (o) {
  const out = Object.assign({}, o)
  if (Array.isArray(out.audience)) {
    out.audience = out.audience.map((a) => (typeof a === 'object' ? new RegExp(a.re) : a))
  }
  return out
}

function errorOf (e) {
  const out = { name: e.name, message: e.message }
  if (e.expiredAt) out.expiredAt = e.expiredAt.toISOString()
  if (e.date) out.date = e.date.toISOString()
  return out
}

const b64url = (buf) => Buffer.from(buf).toString('base64url')

function run (job) {
  try {
    switch (job.op) {
      case 'sign':
        return { token: jwt.sign(job.payload, keyOf(job.key), job.options || {}) }
      case 'verify':
        return { payload: jwt.verify(job.token, keyOf(job.key), optionsOf(job.options || {})) }
      case 'ed-sign': {
        const input = b64url(JSON.stringify(job.header)) + '.' + b64url(JSON.stringify(job.payload))
        const sig = crypto.sign(null, Buffer.from(input), crypto.createPrivateKey(job.key))
        return { token: input + '.' + b64url(sig) }
      }
      case 'ed-verify': {
        const parts = job.token.split('.')
        const valid = crypto.verify(null, Buffer.from(parts[0] + '.' + parts[1]), crypto.createPublicKey(job.key), Buffer.from(parts[2], 'base64url'))
        return { valid }
      }
    }
    return { error: { name: 'Error', message: 'unknown op ' + job.op } }
  } catch (e) {
    return { error: errorOf(e) }
  }
}

let input = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (d) => { input += d })
process.stdin.on('end', () => {
  const { jobs } = JSON.parse(input)
  process.stdout.write(JSON.stringify({ results: jobs.map(run), version: require('jsonwebtoken/package.json').version }))
})
