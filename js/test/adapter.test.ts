// The adapter rules shared by the Vue, React and Angular wrappers
// (src/adapter/state.ts), over plain cells and a fake client.
import { describe, expect, it } from 'vitest'
import { EimzoError, EimzoNoCertificateSelectedError, EimzoWrongPasswordError, type ErrorCode } from '../src/index.js'
import { bindState, type Cell, type EimzoActions, type StateCells } from '../src/adapter/state.js'
import { cancelled, cert, FakeClient, notInstalled, v647 } from './fake.js'

function plain<T>(v: T): Cell<T> & { log: T[] } {
  const c = { log: [] as T[], get: () => v, set: (x: T) => { v = x; c.log.push(x) } }
  return c
}

function setup(lang?: 'uz' | 'ru' | 'en') {
  const client = new FakeClient()
  const cells = { certificates: plain<any[]>([]), selected: plain<any>(null), loading: plain(false), error: plain<EimzoError | null>(null), version: plain<any>(undefined) }
  const actions = bindState(client.asClient, cells as StateCells, lang)
  return { client, cells, actions }
}

type Row = {
  name: string
  selected: boolean
  call: (a: EimzoActions) => Promise<unknown>
  fail?: [keyof FakeClient['fail'], () => EimzoError]
  want?: unknown
  code?: ErrorCode
  cls?: new (...args: any[]) => EimzoError
}

const rows: Row[] = [
  { name: 'sign with selected', selected: true, call: (a) => a.sign('matn'), want: { pkcs7: 'cms:AA01:matn' } },
  { name: 'sign without selected', selected: false, call: (a) => a.sign('matn'), code: 'NO_CERTIFICATE_SELECTED', cls: EimzoNoCertificateSelectedError },
  { name: 'signHash with selected', selected: true, call: (a) => a.signHash('file'), want: { pkcs7: 'hash:AA01' } },
  { name: 'signHash without selected', selected: false, call: (a) => a.signHash('file'), code: 'NO_CERTIFICATE_SELECTED', cls: EimzoNoCertificateSelectedError },
  { name: 'authenticate with selected', selected: true, call: (a) => a.authenticate('ch'), want: 'auth:AA01:ch' },
  { name: 'authenticate without selected', selected: false, call: (a) => a.authenticate('ch'), code: 'NO_CERTIFICATE_SELECTED', cls: EimzoNoCertificateSelectedError },
  { name: 'signWithSerial needs no selected', selected: false, call: (a) => a.signWithSerial('BB02', 'x'), want: { pkcs7: 'serial:BB02:x' } },
  { name: 'cancelled password', selected: true, call: (a) => a.sign('x'), fail: ['sign', cancelled], code: 'PASSWORD_CANCELLED', cls: EimzoWrongPasswordError },
  { name: 'daemon not running', selected: false, call: (a) => a.install(), fail: ['install', notInstalled], code: 'NOT_INSTALLED' },
  { name: 'install', selected: false, call: (a) => a.install(), want: v647 },
]

describe('adapter rules', () => {
  for (const row of rows) {
    it(row.name, async () => {
      const { client, cells, actions } = setup()
      if (row.selected) actions.select(client.keys[0]!)
      if (row.fail) client.fail[row.fail[0]] = row.fail[1]()
      const p = row.call(actions)
      expect(cells.loading.get()).toBe(true)
      if (row.code) {
        const err = await p.then(() => null, (e) => e)
        expect(err).toBeInstanceOf(row.cls ?? EimzoError)
        expect(err.code).toBe(row.code)
        expect(cells.error.get()).toBe(err)
      } else {
        expect(await p).toMatchObject(row.want as object)
        expect(cells.error.get()).toBeNull()
      }
      expect(cells.loading.get()).toBe(false)
    })
  }

  it('says "Sertifikat tanlanmagan" by default, and in the language asked for, with a hint', async () => {
    for (const [lang, msg, hint] of [[undefined, 'Sertifikat tanlanmagan', 'select(cert) ni chaqiring'], ['ru', 'Сертификат не выбран', 'вызовите select(cert)'], ['en', 'No certificate is selected', 'call select(cert)']] as const) {
      const { actions, client } = setup(lang)
      const err = await actions.sign('x').catch((e) => e)
      expect(err).toMatchObject({ message: msg, name: 'EimzoNoCertificateSelectedError', group: 'developer' })
      expect(err.hint).toContain(hint)
      expect(client.calls.filter(([m]) => m === 'sign')).toHaveLength(0) // nothing reached the client
    }
  })

  it('loadCertificates installs first, once, then lists', async () => {
    const { client, cells, actions } = setup()
    const certs = await actions.loadCertificates()
    expect(certs.map((c) => c.serialNumber)).toEqual(['AA01', 'BB02'])
    expect(cells.certificates.get()).toBe(certs)
    expect(cells.version.get()).toEqual(v647)
    await actions.loadCertificates()
    expect(client.calls.map(([m]) => m)).toEqual(['install', 'listKeys', 'listKeys'])
  })

  it('loadCertificates keeps the selection when the key is still listed, as the new object', async () => {
    const { client, cells, actions } = setup()
    await actions.loadCertificates()
    actions.select(cells.certificates.get()[1])
    await actions.loadCertificates()
    expect(cells.selected.get()).toBe(cells.certificates.get()[1])
    client.keys = [cert('CC03')]
    await actions.loadCertificates()
    expect(cells.selected.get()).toBeNull()
  })

  it('a new call clears the last error; a failed list keeps the old certificates', async () => {
    const { client, cells, actions } = setup()
    await actions.loadCertificates()
    const before = cells.certificates.get()
    client.fail.listKeys = notInstalled()
    await expect(actions.loadCertificates()).rejects.toMatchObject({ code: 'NOT_INSTALLED' })
    expect(cells.error.get()?.code).toBe('NOT_INSTALLED')
    expect(cells.certificates.get()).toBe(before)
    await actions.loadCertificates()
    expect(cells.error.get()).toBeNull()
  })

  it('loading stays true until the last of overlapping calls ends', async () => {
    const { client, cells, actions } = setup()
    actions.select(client.keys[0]!)
    client.holdNext('sign')
    const slow = actions.sign('slow')
    const fast = actions.signWithSerial('BB02', 'fast')
    await fast
    expect(cells.loading.get()).toBe(true)
    client.hold!.release()
    await slow
    expect(cells.loading.get()).toBe(false)
    expect(cells.loading.log).toEqual([true, true, false]) // set on each start, cleared once
  })

  it('a non-Eimzo failure becomes an EimzoError with a code', async () => {
    const { client, cells, actions } = setup()
    ;(client as any).listKeys = async () => {
      throw new TypeError('boom')
    }
    client.version = v647
    const err = await actions.loadCertificates().catch((e) => e)
    expect(err).toBeInstanceOf(EimzoError)
    expect(err.code).toBe('INTERNAL')
    expect(cells.error.get()).toBe(err)
  })

  it('select(null) clears the selection', () => {
    const { client, cells, actions } = setup()
    actions.select(client.keys[0]!)
    actions.select(null)
    expect(cells.selected.get()).toBeNull()
  })
})
