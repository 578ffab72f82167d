// @vitest-environment happy-dom
// eimzokit/react: <EimzoProvider> and useEimzo() rendered with react-dom in
// happy-dom, over a fake client.
import { act, createElement, useEffect, type ReactNode } from 'react'
import { createRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { afterEach, describe, expect, it } from 'vitest'
import { EimzoError, EimzoWrongPasswordError } from '../src/index.js'
import { EimzoNoCertificateSelectedError, EimzoProvider, useEimzo, type UseEimzo } from '../src/react/index.js'
import { cancelled, FakeClient, thrown } from './fake.js'

;(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true

let unmount: (() => void) | undefined
afterEach(() => {
  act(() => unmount?.())
  unmount = undefined
})

function render(props: { autoInstall?: boolean; client?: FakeClient } = {}) {
  const client = props.client ?? new FakeClient()
  const seen: UseEimzo[] = []
  function Probe(): ReactNode {
    const e = useEimzo()
    seen.push(e)
    return createElement('p', { id: 'p' }, `${e.certificates.length}|${e.selected?.serialNumber ?? '-'}|${e.loading}|${e.error?.code ?? ''}`)
  }
  const el = document.createElement('div')
  document.body.append(el)
  const root = createRoot(el)
  act(() => root.render(createElement(EimzoProvider, { client: client.asClient, autoInstall: props.autoInstall }, createElement(Probe))))
  unmount = () => root.unmount()
  return { el, client, last: () => seen[seen.length - 1]!, seen, text: () => el.textContent }
}

describe('eimzokit/react', () => {
  it('lists, selects and signs; renders each change', async () => {
    const { last, text } = render()
    await act(() => last().loadCertificates())
    expect(text()).toBe('2|-|false|')
    act(() => last().select(last().certificates[1]!))
    expect(text()).toBe('2|BB02|false|')
    const res = await act(() => last().sign('Hujjat'))
    expect(res.pkcs7).toBe('cms:BB02:Hujjat')
  })

  it('autoInstall calls install() on mount', async () => {
    const { client, last } = render({ autoInstall: true })
    await act(async () => {})
    expect(client.calls.map(([m]) => m)).toContain('install')
    expect(last().version?.version).toBe('6.4.7')
  })

  it('methods keep their identity across renders (safe in effect deps)', async () => {
    const { seen, last } = render()
    await act(() => last().loadCertificates())
    expect(seen.length).toBeGreaterThan(1)
    expect(new Set(seen.map((s) => s.loadCertificates)).size).toBe(1)
    expect(new Set(seen.map((s) => s.sign)).size).toBe(1)
  })

  it('sign with nothing selected: a typed error in `error`', async () => {
    const { last, text } = render()
    const err = await act(() => last().sign('x').catch((e) => e))
    expect(err).toBeInstanceOf(EimzoNoCertificateSelectedError)
    expect(err.message).toBe('Sertifikat tanlanmagan')
    expect(text()).toBe('0|-|false|NO_CERTIFICATE_SELECTED')
  })

  it('a cancelled password: EimzoWrongPasswordError in `error`', async () => {
    const { last, client, text } = render()
    await act(() => last().loadCertificates())
    act(() => last().select(last().certificates[0]!))
    client.fail.sign = cancelled()
    const err = await act(() => last().sign('x').catch((e) => e))
    expect(err).toBeInstanceOf(EimzoWrongPasswordError)
    expect(text()).toBe('2|AA01|false|PASSWORD_CANCELLED')
  })

  it('an effect that loads on mount runs once', async () => {
    const client = new FakeClient()
    function Loader(): ReactNode {
      const { loadCertificates } = useEimzo()
      useEffect(() => {
        loadCertificates().catch(() => {})
      }, [loadCertificates])
      return null
    }
    const root = createRoot(document.createElement('div'))
    await act(async () => root.render(createElement(EimzoProvider, { client: client.asClient }, createElement(Loader))))
    expect(client.calls.filter(([m]) => m === 'listKeys')).toHaveLength(1)
    act(() => root.unmount())
  })

  it('useEimzo() outside the provider throws a clear EimzoError', () => {
    function Bare(): ReactNode {
      useEimzo()
      return null
    }
    const err = thrown(() => renderToString(createElement(Bare)))
    expect(err).toBeInstanceOf(EimzoError)
    expect(err?.code).toBe('BAD_ARGUMENT')
    expect(err?.message).toContain('<EimzoProvider>')
  })

  it('renders on the server with the empty state', () => {
    function Probe(): ReactNode {
      const e = useEimzo()
      return createElement('p', null, `${e.certificates.length}|${e.loading}`)
    }
    const html = renderToString(createElement(EimzoProvider, { options: { lang: 'en' } }, createElement(Probe)))
    expect(html).toBe('<p>0|false</p>')
  })
})
