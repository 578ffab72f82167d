// Type tests of every entry point, as an ESM app sees them (the built .d.ts
// through the exports map). Checked by `npm run typecheck`; nothing runs.
import { createApp, type Ref } from 'vue'
import { createElement } from 'react'
import type { EnvironmentProviders, Signal } from '@angular/core'
import type { NuxtModule } from '@nuxt/schema'
import { expectTypeOf } from 'vitest'
import { createEimzo, createEimzoError, EimzoError, EimzoNoCertificateSelectedError, type Certificate, type ErrorCode, type EimzoClient, type EimzoOptions, type SignHashResult, type SignResult, type VersionInfo } from 'eimzokit'
import * as vue from 'eimzokit/vue'
import * as react from 'eimzokit/react'
import * as angular from 'eimzokit/angular'
import nuxtModule, { type ModuleOptions } from 'eimzokit/nuxt'

declare const cert: Certificate
declare const client: EimzoClient

// The core.
expectTypeOf(createEimzo).parameter(0).toEqualTypeOf<EimzoOptions | undefined>()
expectTypeOf(createEimzo().install).returns.resolves.toEqualTypeOf<VersionInfo>()

// One error class identity: the wrappers re-export the core's class.
expectTypeOf<vue.EimzoNoCertificateSelectedError>().toMatchTypeOf<EimzoError>()
expectTypeOf(vue.EimzoNoCertificateSelectedError).toEqualTypeOf(EimzoNoCertificateSelectedError)
expectTypeOf(react.EimzoNoCertificateSelectedError).toEqualTypeOf(EimzoNoCertificateSelectedError)
expectTypeOf(angular.EimzoNoCertificateSelectedError).toEqualTypeOf(EimzoNoCertificateSelectedError)
expectTypeOf<'NO_CERTIFICATE_SELECTED' | 'BROWSER_ONLY'>().toMatchTypeOf<ErrorCode>()
expectTypeOf(createEimzoError('NO_CERTIFICATE_SELECTED', 'ru')).toEqualTypeOf<EimzoError>()
// @ts-expect-error only the codes whose messages ship in the JavaScript
createEimzoError('NOT_INSTALLED')

// Vue.
createApp({}).use(vue.EimzoVuePlugin, { apiKeys: { localhost: 'KEY' }, lang: 'ru' })
createApp({}).use(vue.EimzoVuePlugin)
createApp({}).use(vue.EimzoVuePlugin, { client })
// @ts-expect-error timeoutMs is a number
createApp({}).use(vue.EimzoVuePlugin, { timeoutMs: '30s' })
{
  const e = vue.useEimzo()
  expectTypeOf(e.selected).toEqualTypeOf<Ref<Certificate | null>>()
  e.selected.value = cert // writable: v-model and direct writes
  e.selected.value = null
  expectTypeOf(e.certificates.value).toEqualTypeOf<Certificate[]>()
  // @ts-expect-error the list is read-only from outside
  e.certificates.value = []
  // @ts-expect-error loading is read-only
  e.loading.value = true
  expectTypeOf(e.error.value).toEqualTypeOf<EimzoError | null>()
  expectTypeOf(e.version.value).toEqualTypeOf<VersionInfo | undefined>()
  expectTypeOf(e.sign).parameters.toEqualTypeOf<[data: string | ArrayBuffer | ArrayBufferView | Blob, opts?: import('eimzokit').SignOptions]>()
  expectTypeOf(e.sign('x')).resolves.toEqualTypeOf<SignResult>()
  expectTypeOf(e.signHash(new Blob())).resolves.toEqualTypeOf<SignHashResult>()
  expectTypeOf(e.authenticate('challenge')).resolves.toEqualTypeOf<string>()
  expectTypeOf(e.signWithSerial('AB12', 'x')).resolves.toEqualTypeOf<SignResult>()
  expectTypeOf(e.loadCertificates()).resolves.toEqualTypeOf<Certificate[]>()
  expectTypeOf(e.select).parameter(0).toEqualTypeOf<Certificate | null>()
  expectTypeOf(e.client).toEqualTypeOf<EimzoClient>()
  // @ts-expect-error the adapter takes the certificate from `selected`, not as an argument
  e.sign(cert, 'x')
}

// React.
createElement(react.EimzoProvider, { options: { apiKeys: { localhost: 'KEY' } }, autoInstall: true })
createElement(react.EimzoProvider, { client })
// @ts-expect-error unknown option
createElement(react.EimzoProvider, { options: { apikeys: {} } })
{
  const e = react.useEimzo()
  expectTypeOf(e.certificates).toEqualTypeOf<Certificate[]>()
  expectTypeOf(e.selected).toEqualTypeOf<Certificate | null>()
  expectTypeOf(e.loading).toEqualTypeOf<boolean>()
  expectTypeOf(e.error).toEqualTypeOf<EimzoError | null>()
  expectTypeOf(e.version).toEqualTypeOf<VersionInfo | undefined>()
  expectTypeOf(e.sign('x')).resolves.toEqualTypeOf<SignResult>()
  expectTypeOf(e.select).returns.toEqualTypeOf<void>()
}

// Angular.
expectTypeOf(angular.provideEimzo({ apiKeys: {} })).toEqualTypeOf<EnvironmentProviders>()
expectTypeOf(angular.provideEimzoClient(client)).toEqualTypeOf<EnvironmentProviders>()
// @ts-expect-error provideEimzoClient needs a client
angular.provideEimzoClient({})
{
  const s = new angular.EimzoService(client)
  expectTypeOf(s.certificates).toEqualTypeOf<Signal<Certificate[]>>()
  expectTypeOf(s.selected).toEqualTypeOf<Signal<Certificate | null>>()
  expectTypeOf(s.loading).toEqualTypeOf<Signal<boolean>>()
  expectTypeOf(s.error).toEqualTypeOf<Signal<EimzoError | null>>()
  expectTypeOf(s.version).toEqualTypeOf<Signal<VersionInfo | undefined>>()
  // @ts-expect-error the signals are read-only: select() writes
  s.selected.set(cert)
  expectTypeOf(s.authenticate('challenge')).resolves.toEqualTypeOf<string>()
}

// Nuxt.
expectTypeOf(nuxtModule).toEqualTypeOf<NuxtModule<ModuleOptions, ModuleOptions, false>>()
expectTypeOf<ModuleOptions['wasmUrl']>().toEqualTypeOf<string | undefined>()
expectTypeOf<ModuleOptions['apiKeys']>().toEqualTypeOf<Record<string, string> | undefined>()
