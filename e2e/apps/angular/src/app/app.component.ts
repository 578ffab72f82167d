import { Component, inject, signal } from '@angular/core'
import { EimzoError, EimzoWrongPasswordError, type SignResult } from 'eimzokit'
import { EimzoService } from 'eimzokit/angular'

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
    <p id="state" [attr.data-done]="done()" [attr.data-loading]="eimzo.loading()" [attr.data-count]="eimzo.certificates().length"
      [attr.data-selected]="eimzo.selected()?.serialNumber ?? ''" [attr.data-error]="eimzo.error()?.code ?? ''" [attr.data-version]="eimzo.version()?.version ?? ''">
      @if (eimzo.loading()) { Yuklanmoqda... } @else if (eimzo.error(); as err) { {{ err.message }} }
    </p>
    <p id="caught">{{ caught() }}</p>
    <pre id="result" [attr.data-serial]="result()?.signerSerialNumber ?? ''">{{ result()?.pkcs7 ?? '' }}</pre>
  `,
})
export class AppComponent {
  readonly eimzo = inject(EimzoService)
  readonly text = signal('Hujjat matni: o‘zbek tili ✓')
  readonly result = signal<SignResult | null>(null)
  readonly caught = signal('')
  readonly done = signal(0)

  private async run(fn: () => Promise<unknown>) {
    this.caught.set('')
    try {
      await fn()
    } catch (e) {
      const err = e as EimzoError
      this.caught.set([err.name, err.code, e instanceof EimzoError, e instanceof EimzoWrongPasswordError, err.message].join('|'))
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
      this.result.set(null)
      this.result.set(await this.eimzo.sign(this.text()))
    })
  }
}
