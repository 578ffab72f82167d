// A fake EimzoClient for the wrapper tests: in-memory keys, a scripted
// failure per method, and a log of the calls. The real client runs in the
// e2e suites (e2e/npm_*_test.go) against daemon-sim.
import { EimzoError, EimzoNotInstalledError, EimzoWrongPasswordError } from '../src/index.js'
import type { BinaryInput, Certificate, EimzoClient, SignHashResult, SignResult, VersionInfo } from '../src/types.js'

export function cert(serialNumber: string, CN = 'TEST ' + serialNumber): Certificate {
  return {
    disk: 'C:\\', path: 'DSKEYS', name: 'key-' + serialNumber, alias: 'cn=' + CN.toLowerCase(), type: 'pfx',
    serialNumber, validFrom: new Date('2025-01-01T00:00:00Z'), validTo: new Date('2027-01-01T00:00:00Z'),
    CN, O: '', T: '', UID: '', TIN: '', PINFL: '12345678901234', isLegalEntity: false, isPhysicalPerson: true, isYATT: false,
  }
}

export const v647: VersionInfo = { major: 6, minor: 4, patch: '7', edition: 'Standard', version: '6.4.7' }

type Method = 'install' | 'listKeys' | 'sign' | 'signHash' | 'authenticate' | 'signWithSerial'

export class FakeClient implements Pick<EimzoClient, 'version' | Method> {
  version: VersionInfo | undefined
  keys: Certificate[] = [cert('AA01'), cert('BB02')]
  calls: [Method, ...unknown[]][] = []
  /** A method that fails with this error once. */
  fail: Partial<Record<Method, EimzoError>> = {}
  /** Resolves the next call of a method only when released. */
  hold?: { method: Method; release: () => void; wait: Promise<void> }

  async #enter(m: Method, ...args: unknown[]) {
    this.calls.push([m, ...args])
    if (this.hold?.method === m) await this.hold.wait
    const e = this.fail[m]
    if (e) {
      delete this.fail[m]
      throw e
    }
  }
  holdNext(method: Method) {
    let release!: () => void
    const wait = new Promise<void>((r) => (release = r))
    this.hold = { method, release, wait }
  }
  async install() {
    await this.#enter('install')
    this.version = v647
    return v647
  }
  async listKeys() {
    await this.#enter('listKeys')
    return this.keys.slice()
  }
  async sign(c: Certificate, data: BinaryInput): Promise<SignResult> {
    await this.#enter('sign', c, data)
    return { pkcs7: 'cms:' + c.serialNumber + ':' + String(data), signerSerialNumber: c.serialNumber.toLowerCase(), signatureHex: '00' }
  }
  async signHash(c: Certificate, file: BinaryInput): Promise<SignHashResult> {
    await this.#enter('signHash', c, file)
    return { pkcs7: 'hash:' + c.serialNumber, hash: new Uint8Array(32) }
  }
  async authenticate(challenge: string, c: Certificate): Promise<string> {
    await this.#enter('authenticate', challenge, c)
    return 'auth:' + c.serialNumber + ':' + challenge
  }
  async signWithSerial(serial: string, data: BinaryInput): Promise<SignResult> {
    await this.#enter('signWithSerial', serial, data)
    return { pkcs7: 'serial:' + serial + ':' + String(data), signerSerialNumber: serial.toLowerCase(), signatureHex: '00' }
  }
  /** The fake as the wrappers' parameter type: the methods they do not call are absent. */
  get asClient(): EimzoClient {
    return this as unknown as EimzoClient
  }
}

export const notInstalled = () => new EimzoNotInstalledError('NOT_INSTALLED', 'E-IMZO is not installed or not running')
export const cancelled = () => new EimzoWrongPasswordError('PASSWORD_CANCELLED', 'password entry was cancelled')

/** What fn throws (undefined when it returns). */
export function thrown(fn: () => unknown): EimzoError | undefined {
  try {
    fn()
  } catch (e) {
    return e as EimzoError
  }
  return undefined
}
