// Types of the wrapped Go glue that scripts/build.mjs generates.
export interface GoInstance {
  env: Record<string, string>
  argv: string[]
  importObject: WebAssembly.Imports
  run(instance: WebAssembly.Instance): Promise<void>
}
export function createGo(realGlobal: typeof globalThis): new () => GoInstance
