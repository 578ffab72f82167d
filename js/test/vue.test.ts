// @vitest-environment happy-dom
// eimzokit/vue: the plugin, useEimzo() and v-model on `selected`, in a real
// Vue app mounted in happy-dom, over a fake client.
import { describe, expect, it } from 'vitest'
import { createApp, defineComponent, nextTick, type App } from 'vue'
import * as core from '../src/index.js'
import { EimzoError, EimzoWrongPasswordError } from '../src/index.js'
import { EimzoKey, EimzoNoCertificateSelectedError, EimzoVuePlugin, useEimzo, type UseEimzo } from '../src/vue/index.js'
import { cancelled, FakeClient, thrown } from './fake.js'

function mount(template: string, client = new FakeClient()) {
  const el = document.createElement('div')
  document.body.append(el)
  let eimzo!: UseEimzo
  const app: App = createApp(defineComponent({
    template,
    setup() {
      eimzo = useEimzo()
      return eimzo
    },
  }))
  app.use(EimzoVuePlugin, { client: client.asClient, lang: 'uz' })
  app.mount(el)
  return { el, app, eimzo: () => eimzo, client }
}

const picker = `
  <select id="keys" v-model="selected">
    <option v-for="c in certificates" :key="c.serialNumber" :value="c">{{ c.CN }}</option>
  </select>
  <p id="sel">{{ selected?.serialNumber ?? '-' }}</p>
  <p id="err">{{ error?.code ?? '' }}</p>
  <p id="loading">{{ loading }}</p>`

describe('eimzokit/vue', () => {
  it('lists keys and v-model on a <select> writes selected, both ways', async () => {
    const { el, eimzo } = mount(picker)
    await eimzo().loadCertificates()
    await nextTick()
    const select = el.querySelector('select')!
    expect([...select.options].map((o) => o.textContent)).toEqual(['TEST AA01', 'TEST BB02'])
    // The user picks the second option: v-model writes the certificate object.
    select.selectedIndex = 1
    select.dispatchEvent(new Event('change'))
    await nextTick()
    expect(eimzo().selected.value).toBe(eimzo().certificates.value[1])
    expect(el.querySelector('#sel')!.textContent).toBe('BB02')
    // Code writes the ref: the <select> follows.
    eimzo().selected.value = eimzo().certificates.value[0]!
    await nextTick()
    expect(select.selectedIndex).toBe(0)
    // select() is the same thing.
    eimzo().select(eimzo().certificates.value[1]!)
    await nextTick()
    expect(select.selectedIndex).toBe(1)
    const res = await eimzo().sign('Hujjat')
    expect(res.pkcs7).toBe('cms:BB02:Hujjat')
  })

  it('the certificate handed to the core is the plain object listKeys returned', async () => {
    const { eimzo, client } = mount(picker)
    const certs = await eimzo().loadCertificates()
    eimzo().selected.value = eimzo().certificates.value[0]!
    await eimzo().sign('x')
    const [, passed] = client.calls.find(([m]) => m === 'sign')!
    expect(passed).toBe(certs[0]) // not a reactive proxy
  })

  it('sign with nothing selected: a typed error, shown through `error`', async () => {
    const { el, eimzo } = mount(picker)
    const err = await eimzo().sign('x').catch((e) => e)
    expect(err).toBeInstanceOf(EimzoNoCertificateSelectedError)
    expect(err).toBeInstanceOf(EimzoError)
    expect(err.message).toBe('Sertifikat tanlanmagan')
    // One class: the wrapper re-exports the core's, so either import matches.
    expect(EimzoNoCertificateSelectedError).toBe(core.EimzoNoCertificateSelectedError)
    await nextTick()
    expect(el.querySelector('#err')!.textContent).toBe('NO_CERTIFICATE_SELECTED')
  })

  it('a cancelled password lands in `error` as EimzoWrongPasswordError', async () => {
    const { eimzo, client } = mount(picker)
    await eimzo().loadCertificates()
    eimzo().select(eimzo().certificates.value[0]!)
    client.fail.sign = cancelled()
    await expect(eimzo().sign('x')).rejects.toBeInstanceOf(EimzoWrongPasswordError)
    expect(eimzo().error.value?.code).toBe('PASSWORD_CANCELLED')
    expect(eimzo().loading.value).toBe(false)
  })

  it('loading is reactive while a call runs', async () => {
    const { el, eimzo, client } = mount(picker)
    client.holdNext('install')
    const p = eimzo().install()
    await nextTick()
    expect(el.querySelector('#loading')!.textContent).toBe('true')
    client.hold!.release()
    await p
    await nextTick()
    expect(el.querySelector('#loading')!.textContent).toBe('false')
    expect(eimzo().version.value?.version).toBe('6.4.7')
  })

  it('every component of an app shares one state', () => {
    const { app, eimzo } = mount('<p></p>')
    expect(app.runWithContext(() => useEimzo())).toBe(eimzo())
    expect(app.runWithContext(() => useEimzo().client)).toBe(eimzo().client)
    expect(app.runWithContext(() => useEimzo())).toBe(app._context.provides[EimzoKey as symbol])
  })

  it('useEimzo() without the plugin throws a clear EimzoError', () => {
    const app = createApp({ render: () => null })
    const err = thrown(() => app.runWithContext(() => useEimzo()))
    expect(err).toBeInstanceOf(EimzoError)
    expect(err?.code).toBe('BAD_ARGUMENT')
    expect(err?.message).toContain('EimzoVuePlugin')
  })

  it('the plugin creates its own client from options when given none', () => {
    const app = createApp({ render: () => null })
    app.use(EimzoVuePlugin, { timeoutMs: 1000 })
    const ctx = app.runWithContext(() => useEimzo())
    expect(typeof ctx.client.install).toBe('function')
    expect(ctx.certificates.value).toEqual([])
    expect(ctx.selected.value).toBeNull()
  })
})
