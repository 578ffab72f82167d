// eimzokit/angular: provideEimzo / provideEimzoClient in a real Angular
// environment injector, and the service's signals, over a fake client.
import { computed, createEnvironmentInjector, EnvironmentInjector, Injector, inject, runInInjectionContext, type Signal } from '@angular/core'
import { describe, expect, it } from 'vitest'
import { EimzoError, EimzoWrongPasswordError } from '../src/index.js'
import { EIMZO_CLIENT, EimzoNoCertificateSelectedError, EimzoService, provideEimzo, provideEimzoClient } from '../src/angular/index.js'
import { cancelled, FakeClient } from './fake.js'

function injector(providers: Parameters<typeof createEnvironmentInjector>[0]) {
  return createEnvironmentInjector(providers, Injector.NULL as EnvironmentInjector)
}

describe('eimzokit/angular', () => {
  it('provideEimzoClient: one service per injector, over the given client', async () => {
    const client = new FakeClient()
    const inj = injector([provideEimzoClient(client.asClient)])
    const svc = inj.get(EimzoService)
    expect(svc).toBeInstanceOf(EimzoService)
    expect(inj.get(EimzoService)).toBe(svc)
    expect(svc.client).toBe(client)
    const certs = await svc.loadCertificates()
    expect(svc.certificates()).toBe(certs)
    expect(svc.version()?.version).toBe('6.4.7')
    svc.select(certs[1]!)
    expect(svc.selected()?.serialNumber).toBe('BB02')
    expect((await svc.sign('Hujjat')).pkcs7).toBe('cms:BB02:Hujjat')
  })

  it('provideEimzo(options) creates the client; inject() works in components and services', () => {
    const inj = injector([provideEimzo({ lang: 'en', timeoutMs: 1000 })])
    const svc = runInInjectionContext(inj, () => inject(EimzoService))
    expect(svc.client).toBe(inj.get(EIMZO_CLIENT))
    expect(typeof svc.client.install).toBe('function')
    expect(svc.certificates()).toEqual([])
    expect(svc.selected()).toBeNull()
    expect(svc.loading()).toBe(false)
    expect(svc.error()).toBeNull()
    expect(svc.version()).toBeUndefined()
  })

  it('signals are read-only and drive computed()', async () => {
    const client = new FakeClient()
    const inj = injector([provideEimzoClient(client.asClient)])
    const svc = inj.get(EimzoService)
    expect((svc.selected as Signal<unknown> & { set?: unknown }).set).toBeUndefined()
    const label = computed(() => `${svc.certificates().length}:${svc.selected()?.CN ?? '-'}`)
    expect(label()).toBe('0:-')
    await svc.loadCertificates()
    svc.select(svc.certificates()[0]!)
    expect(label()).toBe('2:TEST AA01')
  })

  it('sign with nothing selected: a typed error in error()', async () => {
    const svc = injector([provideEimzoClient(new FakeClient().asClient, 'ru')]).get(EimzoService)
    const err = await svc.sign('x').catch((e) => e)
    expect(err).toBeInstanceOf(EimzoNoCertificateSelectedError)
    expect(err.code).toBe('NO_CERTIFICATE_SELECTED')
    expect(err.message).toBe('Сертификат не выбран')
    expect(svc.error()).toBe(err)
  })

  it('provideEimzo passes lang to the service errors', async () => {
    const svc = injector([provideEimzo({ lang: 'en' })]).get(EimzoService)
    await expect(svc.authenticate('challenge')).rejects.toThrow('No certificate is selected')
  })

  it('a cancelled password: EimzoWrongPasswordError in error(), loading() back to false', async () => {
    const client = new FakeClient()
    const svc = injector([provideEimzoClient(client.asClient)]).get(EimzoService)
    await svc.loadCertificates()
    svc.select(svc.certificates()[0]!)
    client.fail.sign = cancelled()
    const p = svc.sign('x')
    expect(svc.loading()).toBe(true)
    await expect(p).rejects.toBeInstanceOf(EimzoWrongPasswordError)
    expect(svc.error()?.code).toBe('PASSWORD_CANCELLED')
    expect(svc.loading()).toBe(false)
  })

  it('without a provider, inject(EimzoService) fails and names the service', () => {
    const inj = injector([])
    expect(() => inj.get(EimzoService)).toThrow(/EimzoService/)
  })

  it('error() holds EimzoErrors only', async () => {
    const client = new FakeClient()
    ;(client as any).install = async () => {
      throw 'not an error'
    }
    const svc = injector([provideEimzoClient(client.asClient)]).get(EimzoService)
    await expect(svc.install()).rejects.toBeInstanceOf(EimzoError)
    expect(svc.error()?.code).toBe('INTERNAL')
  })
})
