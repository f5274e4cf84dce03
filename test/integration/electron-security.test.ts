// Electron hardening checked by a tool: @doyensec/electronegativity over src/ finds no high or
// medium issue that is not explained in scripts/check-electron.mjs (offline, see the script).
import { describe, expect, it } from 'vitest'
// @ts-expect-error -- a plain ES module script without types
import { checkElectron, EXPLAINED } from '../../scripts/check-electron.mjs'

interface Finding {
  id: string
  severity: string
  file: string
}

describe('electronegativity', () => {
  it('finds no unexplained high or medium issue', async () => {
    const report = (await checkElectron()) as {
      ok: boolean
      findings: Finding[]
      unexplained: Finding[]
      errors: { tolerable: boolean }[]
    }
    expect(report.unexplained).toEqual([])
    expect(report.errors.filter((e) => !e.tolerable)).toEqual([])
    // It really scanned the shell: the window and the preload are looked at.
    expect(report.findings.some((f) => f.file === 'main/index.ts')).toBe(true)
    expect(report.findings.every((f) => f.severity !== 'HIGH')).toBe(true)
    expect(report.ok).toBe(true)
    // Every explanation is still needed (a fixed finding takes its explanation with it).
    for (const e of EXPLAINED as { id: string; file: string }[])
      expect(report.findings.some((f) => f.id === e.id && f.file === e.file)).toBe(true)
  }, 120_000)
})
