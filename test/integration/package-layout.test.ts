// The desktop package's layout, checked with electron-builder against a stand-in Electron
// distribution (scripts/check-package.mjs): asar content, natives unpacked, no dev dependencies,
// no source maps, fuses flipped, .onnx association configured.
import { describe, expect, it } from 'vitest'
// @ts-expect-error -- a plain ES module script without types
import { checkPackage } from '../../scripts/check-package.mjs'

interface Report {
  ok: boolean
  checks: { name: string; ok: boolean; detail: string }[]
}

describe('the desktop package', () => {
  it('has the layout and fuses the packaging config promises', async () => {
    const report = (await checkPackage()) as Report
    expect(report.checks.filter((c) => !c.ok)).toEqual([])
    expect(report.checks.length).toBeGreaterThan(20)
    expect(report.ok).toBe(true)
  }, 300_000)
})
