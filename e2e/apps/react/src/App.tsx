import { useState } from 'react'
import { EimzoError, EimzoWrongPasswordError, type SignResult } from 'eimzokit'
import { useEimzo } from 'eimzokit/react'

export function App() {
  const { certificates, selected, loading, error, version, loadCertificates, select, sign } = useEimzo()
  const [text, setText] = useState('Hujjat matni: o‘zbek tili ✓')
  const [result, setResult] = useState<SignResult | null>(null)
  const [caught, setCaught] = useState('')
  const [done, setDone] = useState(0)

  async function run(fn: () => Promise<unknown>) {
    setCaught('')
    try {
      await fn()
    } catch (e) {
      const err = e as EimzoError
      setCaught([err.name, err.code, e instanceof EimzoError, e instanceof EimzoWrongPasswordError, err.message].join('|'))
    } finally {
      setDone((n) => n + 1)
    }
  }

  return (
    <>
      <h1>eimzokit + React</h1>
      {/* The provider installed on mount (autoInstall): listing is enough. */}
      <button id="list" onClick={() => run(loadCertificates)}>Kalitlar</button>
      <select
        id="keys"
        value={selected?.serialNumber ?? ''}
        onChange={(e) => select(certificates.find((c) => c.serialNumber === e.target.value) ?? null)}
      >
        <option value="">—</option>
        {certificates.map((c) => (
          <option key={c.serialNumber} value={c.serialNumber} data-name={c.name} data-serial={c.serialNumber} data-valid-to={c.validTo?.toISOString()}>
            {c.CN} ({c.TIN || c.PINFL})
          </option>
        ))}
      </select>
      <input id="text" value={text} onChange={(e) => setText(e.target.value)} />
      <button
        id="sign"
        onClick={() =>
          run(async () => {
            setResult(null)
            setResult(await sign(text))
          })
        }
      >
        Imzolash
      </button>
      <p id="state" data-done={done} data-loading={String(loading)} data-count={certificates.length} data-selected={selected?.serialNumber ?? ''} data-error={error?.code ?? ''} data-version={version?.version ?? ''}>
        {loading ? 'Yuklanmoqda...' : error ? error.message : null}
      </p>
      <p id="caught">{caught}</p>
      <pre id="result" data-serial={result?.signerSerialNumber ?? ''}>{result?.pkcs7 ?? ''}</pre>
    </>
  )
}
