import { useRef, useState } from 'react'
import { bytesToHex, EimzoError, EimzoNoCertificateSelectedError, EimzoWrongPasswordError } from 'eimzokit'
import { useEimzo } from 'eimzokit/react'

// What a step returned: the CMS, its signer, the SHA-256 it signs.
type Result = { pkcs7: string; serial?: string; hash?: string }

export function App() {
  const { certificates, selected, loading, error, version, loadCertificates, select, sign, signHash, authenticate, signWithSerial } = useEimzo()
  const [text, setText] = useState('Hujjat matni: o‘zbek tili ✓')
  const [challenge, setChallenge] = useState('')
  const [serial, setSerial] = useState('')
  const fileInput = useRef<HTMLInputElement>(null)
  const [result, setResult] = useState<Result>({ pkcs7: '' })
  const [caught, setCaught] = useState('')
  const [done, setDone] = useState(0)

  async function run(fn: () => Promise<Result | void>) {
    setCaught('')
    setResult({ pkcs7: '' })
    try {
      setResult((await fn()) ?? { pkcs7: '' })
    } catch (e) {
      const err = e as EimzoError
      setCaught([err.name, err.constructor.name, err.code, e instanceof EimzoError, e instanceof EimzoWrongPasswordError, e instanceof EimzoNoCertificateSelectedError, err.message].join('|'))
    } finally {
      setDone((n) => n + 1)
    }
  }

  const onSign = () =>
    run(async () => {
      const r = await sign(text)
      return { pkcs7: r.pkcs7, serial: r.signerSerialNumber }
    })
  const onSignHash = () =>
    run(async () => {
      const file = fileInput.current?.files?.[0]
      if (!file) return
      const r = await signHash(file)
      return { pkcs7: r.pkcs7, hash: bytesToHex(r.hash) }
    })
  const onAuthenticate = () => run(async () => ({ pkcs7: await authenticate(challenge) }))
  const onSignWithSerial = () =>
    run(async () => {
      const r = await signWithSerial(serial, text)
      return { pkcs7: r.pkcs7, serial: r.signerSerialNumber }
    })

  return (
    <>
      <h1>eimzokit + React</h1>
      {/* The provider installed on mount (autoInstall): listing is enough. */}
      <button id="list" onClick={() => run(async () => void (await loadCertificates()))}>Kalitlar</button>
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
      <button id="sign" onClick={onSign}>Imzolash</button>
      <input id="file" ref={fileInput} type="file" />
      <button id="sign-hash" onClick={onSignHash}>Fayl xeshini imzolash</button>
      <input id="challenge" value={challenge} onChange={(e) => setChallenge(e.target.value)} />
      <button id="authenticate" onClick={onAuthenticate}>Kirish</button>
      <input id="serial" value={serial} onChange={(e) => setSerial(e.target.value)} />
      <button id="sign-serial" onClick={onSignWithSerial}>Seriya raqami bilan imzolash</button>
      <p id="state" data-done={done} data-loading={String(loading)} data-count={certificates.length} data-selected={selected?.serialNumber ?? ''} data-error={error?.code ?? ''} data-version={version?.version ?? ''}>
        {loading ? 'Yuklanmoqda...' : error ? error.message : null}
      </p>
      <p id="caught">{caught}</p>
      <pre id="result" data-serial={result.serial ?? ''} data-hash={result.hash ?? ''}>{result.pkcs7}</pre>
    </>
  )
}
