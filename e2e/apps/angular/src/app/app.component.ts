import { Component, inject, signal } from '@angular/core'
import { bytesToHex, EimzoError, EimzoNoCertificateSelectedError, EimzoWrongPasswordError } from 'eimzokit'
import { EimzoService } from 'eimzokit/angular'

// What a step returned: the CMS, its signer, the SHA-256 it signs.
type Result = { pkcs7: string; serial?: string; hash?: string }

@Component({
  selector: 'app-root',
  template: `
    <h1>eimzokit + Angular</h1>
    <button id="list" (click)="list()">Kalitlar</button>
    <select id="keys" (change)="pick($any($event.target).value)">
      <option value="" [selected]="!eimzo.selected()">—</option>
      @for (c of eimzo.certificates(); track c.serialNumber) {
        <option [value]="c.serialNumber" [selected]="eimzo.selected()?.serialNumber === c.serialNumber"
          [attr.data-name]="c.name" [attr.data-serial]="c.serialNumber" [attr.data-valid-to]="c.validTo?.toISOString()">
          {{ c.CN }} ({{ c.TIN || c.PINFL }})
        </option>
      }
    </select>
    <input id="text" [value]="text()" (input)="text.set($any($event.target).value)" />
    <button id="sign" (click)="onSign()">Imzolash</button>
    <input id="file" #file type="file" />
    <button id="sign-hash" (click)="onSignHash(file.files?.[0])">Fayl xeshini imzolash</button>
    <input id="challenge" [value]="challenge()" (input)="challenge.set($any($event.target).value)" />
    <button id="authenticate" (click)="onAuthenticate()">Kirish</button>
    <input id="serial" [value]="serial()" (input)="serial.set($any($event.target).value)" />
    <button id="sign-serial" (click)="onSignWithSerial()">Seriya raqami bilan imzolash</button>
    <p id="state" [attr.data-done]="done()" [attr.data-loading]="eimzo.loading()" [attr.data-count]="eimzo.certificates().length"
      [attr.data-selected]="eimzo.selected()?.serialNumber ?? ''" [attr.data-error]="eimzo.error()?.code ?? ''" [attr.data-version]="eimzo.version()?.version ?? ''">
      @if (eimzo.loading()) { Yuklanmoqda... } @else if (eimzo.error(); as err) { {{ err.message }} }
    </p>
    <p id="caught">{{ caught() }}</p>
    <pre id="result" [attr.data-serial]="result().serial ?? ''" [attr.data-hash]="result().hash ?? ''">{{ result().pkcs7 }}</pre>
  `,
})
export class AppComponent {
  readonly eimzo = inject(EimzoService)
  readonly text = signal('Hujjat matni: o‘zbek tili ✓')
  readonly challenge = signal('')
  readonly serial = signal('')
  readonly result = signal<Result>({ pkcs7: '' })
  readonly caught = signal('')
  readonly done = signal(0)

  private async run(fn: () => Promise<Result | void>) {
    this.caught.set('')
    this.result.set({ pkcs7: '' })
    try {
      this.result.set((await fn()) ?? { pkcs7: '' })
    } catch (e) {
      const err = e as EimzoError
      this.caught.set([err.name, err.constructor.name, err.code, e instanceof EimzoError, e instanceof EimzoWrongPasswordError, e instanceof EimzoNoCertificateSelectedError, err.message].join('|'))
    } finally {
      this.done.update((n) => n + 1)
    }
  }

  list() {
    return this.run(async () => {
      await this.eimzo.install()
      await this.eimzo.loadCertificates()
    })
  }

  pick(serial: string) {
    this.eimzo.select(this.eimzo.certificates().find((c) => c.serialNumber === serial) ?? null)
  }

  onSign() {
    return this.run(async () => {
      const r = await this.eimzo.sign(this.text())
      return { pkcs7: r.pkcs7, serial: r.signerSerialNumber }
    })
  }

  onSignHash(file: File | undefined) {
    return this.run(async () => {
      if (!file) return
      const r = await this.eimzo.signHash(file)
      return { pkcs7: r.pkcs7, hash: bytesToHex(r.hash) }
    })
  }

  onAuthenticate() {
    return this.run(async () => ({ pkcs7: await this.eimzo.authenticate(this.challenge()) }))
  }

  onSignWithSerial() {
    return this.run(async () => {
      const r = await this.eimzo.signWithSerial(this.serial(), this.text())
      return { pkcs7: r.pkcs7, serial: r.signerSerialNumber }
    })
  }
}
