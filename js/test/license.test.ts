// The package ships the repository's LICENSE, and it is the license
// package.json names: js/LICENSE is a copy of ../LICENSE (npm takes LICENSE
// from the package's own folder), checked here so the two cannot drift.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const read = (p: string) => readFileSync(new URL(p, new URL('..', import.meta.url)), 'utf8')

describe('license', () => {
  it('matches package.json and the repository', () => {
    const pkg = JSON.parse(read('package.json'))
    expect(pkg.license).toBe('MIT')
    expect(read('LICENSE').split('\n')[0]).toBe('MIT License')
    expect(read('LICENSE')).toBe(read('../LICENSE'))
  })

  it('is in the packed tarball', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' })
    const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path)
    expect(files).toContain('LICENSE')
  })
})
