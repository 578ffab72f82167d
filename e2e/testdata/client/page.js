// The page of the client's end-to-end tests: the npm package as a user
// imports it, plus two helpers the tests call through chromedp.
import * as eimzokit from '/eimzokit/index.js'

window.eimzokit = eimzokit

// The exported error classes, subclasses first.
const errorClasses = Object.entries(eimzokit)
  .filter(([k, v]) => typeof v === 'function' && /^Eimzo\w*Error$/.test(k))
  .sort(([a], [b]) => (a === 'EimzoError') - (b === 'EimzoError'))

// outcome settles a promise into something JSON can carry: the value, or
// the error's code, class (the exported class it is an instance of) and
// message.
window.outcome = async (p) => {
  try {
    return { ok: true, value: await p }
  } catch (e) {
    return {
      ok: false,
      code: typeof e?.code === 'string' ? e.code : undefined,
      name: e?.name,
      message: e?.message,
      hint: e?.hint,
      status: e?.status,
      closeCode: e?.closeCode,
      isEimzoError: e instanceof eimzokit.EimzoError,
      className: errorClasses.find(([, cls]) => e instanceof cls)?.[0],
    }
  }
}

// A Blob of n bytes of a repeating pattern, built without an n-byte array.
window.patternBlob = (n) => {
  const piece = new Uint8Array(Math.min(n, 1 << 20))
  for (let i = 0; i < piece.length; i++) piece[i] = (i * 31 + 7) & 255
  const parts = []
  for (let left = n; left > 0; left -= piece.length) parts.push(left >= piece.length ? piece : piece.subarray(0, left))
  return new Blob(parts)
}

document.getElementById('state').textContent = 'ready'
