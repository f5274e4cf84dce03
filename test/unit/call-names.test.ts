// The preload's plain list of call names is the contract's call map, name for name.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { CALL_NAMES } from '../../src/api/call-names'
import { apiCalls } from '../../src/api/calls'

describe('CALL_NAMES', () => {
  it('equals Object.keys(apiCalls) (add a new call to src/api/call-names.ts)', () => {
    expect([...CALL_NAMES]).toEqual(Object.keys(apiCalls))
  })

  it('is what the preload uses, and neither imports zod', () => {
    const root = path.resolve(__dirname, '..', '..', 'src')
    const list = fs.readFileSync(path.join(root, 'api', 'call-names.ts'), 'utf8')
    const preload = fs.readFileSync(path.join(root, 'preload', 'index.ts'), 'utf8')
    const bridge = fs.readFileSync(path.join(root, 'preload', 'bridge.ts'), 'utf8')
    expect(list).not.toMatch(/^import /m)
    expect(preload).toMatch(/from '\.\.\/api\/call-names'/)
    // Only type imports may name the contract's schema modules: they vanish from the bundle.
    for (const source of [preload, bridge])
      for (const line of source.split('\n').filter((l) => /^import .*\/api\//.test(l)))
        expect(line).toMatch(/^import type |call-names'/)
  })
})
