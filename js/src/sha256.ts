import { sha256Blocks } from './sha256.generated.js'

/**
 * @internal Streaming SHA-256 (FIPS 180-4) in JavaScript, for inputs that
 * crypto.subtle.digest cannot take at once (it does not stream): a 1 GiB
 * File is hashed piece by piece with flat memory. The block function is
 * generated unrolled (wasm/eimzo/internal/shagen), which V8 runs at about
 * 350–400 MiB/s.
 */
let warm = false

export class Sha256 {
  readonly #h = new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ])
  readonly #block = new Uint8Array(64)
  #fill = 0
  #length = 0

  constructor() {
    // V8 optimizes the block function after enough work: do 2 MiB of it
    // once (a few milliseconds) so that a large file is not hashed in a
    // slower tier for its first few hundred megabytes.
    if (!warm) {
      warm = true
      const scratch = new Uint8Array(1 << 16)
      const h = new Int32Array(8)
      for (let i = 0; i < 32; i++) sha256Blocks(h, scratch, 0, scratch.length)
    }
  }

  update(data: Uint8Array): this {
    let off = 0
    const n = data.length
    this.#length += n
    if (this.#fill > 0) {
      const take = Math.min(64 - this.#fill, n)
      this.#block.set(data.subarray(0, take), this.#fill)
      this.#fill += take
      off = take
      if (this.#fill < 64) return this
      sha256Blocks(this.#h, this.#block, 0, 64)
      this.#fill = 0
    }
    const whole = off + ((n - off) & ~63)
    // Many calls of 64 KiB rather than one long one: V8 optimizes a
    // function by how often it is called, and a single call over 8 MiB
    // would run for hundreds of megabytes in slower tiers first.
    for (let at = off; at < whole; at += 1 << 16) sha256Blocks(this.#h, data, at, Math.min(at + (1 << 16), whole))
    if (whole < n) {
      this.#block.set(data.subarray(whole), 0)
      this.#fill = n - whole
    }
    return this
  }

  /** The digest; the hash must not be updated afterwards. */
  digest(): Uint8Array {
    // Padding (FIPS 180-4 §5.1.1): 0x80, zeros, the length in bits.
    const bits = this.#length * 8
    const pad = new Uint8Array(((this.#fill < 56 ? 56 : 120) - this.#fill) + 8)
    pad[0] = 0x80
    const view = new DataView(pad.buffer)
    view.setUint32(pad.length - 8, Math.floor(bits / 0x100000000))
    view.setUint32(pad.length - 4, bits >>> 0)
    this.#length -= pad.length // update() counts it; the length is already written
    this.update(pad)
    const out = new Uint8Array(32)
    const dv = new DataView(out.buffer)
    for (let i = 0; i < 8; i++) dv.setInt32(4 * i, this.#h[i]!)
    return out
  }
}
