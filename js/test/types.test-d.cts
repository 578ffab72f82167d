// Type tests as a CommonJS (require) user sees the package: the .d.cts
// declarations next to the .cjs builds.
import eimzokit = require('eimzokit')
import vue = require('eimzokit/vue')
import react = require('eimzokit/react')
import angular = require('eimzokit/angular')
import { expectTypeOf } from 'vitest'

expectTypeOf(eimzokit.createEimzo).toBeFunction()
expectTypeOf<vue.UseEimzo['selected']['value']>().toEqualTypeOf<eimzokit.Certificate | null>()
expectTypeOf<InstanceType<typeof vue.EimzoNoCertificateSelectedError>>().toMatchTypeOf<eimzokit.EimzoError>()
expectTypeOf(react.EimzoProvider).toBeFunction()
expectTypeOf(angular.provideEimzo).toBeFunction()
