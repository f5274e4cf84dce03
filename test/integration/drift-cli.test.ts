// `slipway drift` as a pipeline runs it: the built CLI (out/node/cli.cjs) on the generator's CSVs,
// its JSON keys and numbers against scipy, and its exit codes (4 on dataset drift, 1 on error).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = path.resolve(__dirname, '..', '..')
const cli = path.join(root, 'out', 'node', 'cli.cjs')
const drift = (name: string): string => path.join(root, 'test', 'fixtures', 'drift', name)
const expected = JSON.parse(fs.readFileSync(drift('datasets.json'), 'utf8')) as {
  current: {
    referenceRows: number
    currentRows: number
    driftShare: number
    datasetDrift: boolean
    columns: Record<
      string,
      {
        test: string
        drifted: boolean
        ks?: { statistic: number; pValue: number }
        chi2?: { dof: number }
        unseenCategories?: string[]
      }
    >
  }
}
let home: string

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, '--home', home, ...args], {
    encoding: 'utf8',
    cwd: root,
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-drift-cli-'))
})
afterAll(() => fs.rmSync(home, { recursive: true, force: true }))

describe('slipway drift', () => {
  it('prints the JSON a pipeline reads and exits 4 on dataset drift with --fail-on-drift', () => {
    const r = run(
      'drift',
      '--reference',
      drift('reference.csv'),
      '--current',
      drift('current.csv'),
      '--json',
      '--fail-on-drift',
    )
    expect(r.stderr).toBe('')
    expect(r.status).toBe(4)
    const out = JSON.parse(r.stdout) as Record<string, unknown> & {
      columns: Record<string, unknown>[]
    }
    for (const key of ['datasetDrift', 'driftShare', 'referenceRows', 'currentRows', 'columns'])
      expect(out).toHaveProperty(key)
    expect(out.datasetDrift).toBe(expected.current.datasetDrift)
    expect(out.driftShare).toBe(expected.current.driftShare)
    expect(out.referenceRows).toBe(expected.current.referenceRows)
    expect(out.currentRows).toBe(expected.current.currentRows)
    // every compared column has its scipy reference
    expect(out.columns.map((c) => c.name).sort()).toEqual(
      Object.keys(expected.current.columns).sort(),
    )
    for (const c of out.columns) {
      for (const key of [
        'name',
        'kind',
        'test',
        'statistic',
        'pValue',
        'threshold',
        'drifted',
        'why',
        'stats',
      ])
        expect(c).toHaveProperty(key)
      const stats = c.stats as Record<string, unknown>
      for (const key of [
        'ks',
        'wasserstein',
        'wassersteinNormed',
        'psi',
        'jensenShannon',
        'chi2',
        'unseenCategories',
      ])
        expect(stats).toHaveProperty(key)
      const e = expected.current.columns[c.name as string]
      if (!e) continue
      expect(c.test).toBe(e.test)
      expect(c.drifted).toBe(e.drifted)
      if (e.ks) {
        const ks = stats.ks as { statistic: number; pValue: number }
        expect(Math.abs(ks.pValue - e.ks.pValue)).toBeLessThanOrEqual(1e-10 * e.ks.pValue + 1e-15)
      }
    }
    const plan = out.columns.find((c) => c.name === 'plan')!
    const planRef = expected.current.columns.plan!
    expect((plan.stats as { unseenCategories: string[] }).unseenCategories).toEqual(
      planRef.unseenCategories,
    )
    expect((plan.stats as { chi2: { dof: number } }).chi2.dof).toBe(planRef.chi2!.dof)
  })

  it('exits 0 without drift, applies --method/--threshold/--bins, and splits by --timestamp/--window', () => {
    const r = run(
      'drift',
      '--reference',
      drift('reference.csv'),
      '--current',
      drift('current.csv'),
      '--method',
      'age=psi',
      '--threshold',
      'age=100',
      '--bins',
      '5',
      '--timestamp',
      'ts',
      '--window',
      'day',
      '--json',
      '--fail-on-drift',
      '--drift-share',
      '0.9',
    )
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout) as {
      columns: { name: string; test: string; threshold: number; drifted: boolean }[]
      windows: { items: { label: string }[] }
    }
    const age = out.columns.find((c) => c.name === 'age')!
    expect([age.test, age.threshold, age.drifted]).toEqual(['psi', 100, false])
    expect(out.windows.items.map((w) => w.label)).toEqual([
      '2026-03-01',
      '2026-03-02',
      '2026-03-03',
      '2026-03-04',
    ])
  })

  it('prints a table and the reasons for people', () => {
    const r = run('drift', '--reference', drift('reference.csv'), '--current', drift('current.csv'))
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/COLUMN\s+KIND\s+TEST\s+STATISTIC\s+P-VALUE/)
    expect(r.stdout).toMatch(/age: Kolmogorov–Smirnov test decided drift/)
    expect(r.stdout).toMatch(/DATASET DRIFT: 3 of 6 feature columns drifted/)
  })

  it('takes MODEL@REF as the reference (its training data) and --model for prediction drift', () => {
    const data = (name: string): string => path.join(root, 'test', 'fixtures', 'data', name)
    const reg = run(
      'register',
      path.join(root, 'test', 'fixtures', 'models', 'linear_binary.onnx'),
      '--model',
      'churn',
      '--training-data',
      data('linear_binary-train.csv'),
    )
    expect(reg.stderr).toBe('')
    expect(reg.status).toBe(0)
    const r = run(
      'drift',
      '--reference',
      'churn@1',
      '--current',
      data('linear_binary-drifted.csv'),
      '--model',
      'churn@latest',
      '--chunks',
      '2',
      '--json',
    )
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout) as {
      referenceRows: number
      model: { name: string; version: number }
      prediction: { columns: { name: string; test: string; stats: { jensenShannon: number } }[] }
      windows: { by: string; items: { metrics: { accuracy: number } }[] }
    }
    expect(out.referenceRows).toBe(1200)
    expect(out.model).toEqual({ name: 'churn', version: 1 })
    expect(out.prediction.columns.map((c) => c.name)).toEqual([
      'predicted label',
      'probability of 1',
    ])
    expect(out.windows.by).toBe('chunks')
    expect(out.windows.items).toHaveLength(2)
    expect(out.windows.items[0]!.metrics.accuracy).toBeGreaterThan(0.5)
  })

  it('exits 1 with a message naming the problem', () => {
    const missing = run(
      'drift',
      '--reference',
      drift('nope.csv'),
      '--current',
      drift('current.csv'),
    )
    expect(missing.status).toBe(1)
    expect(missing.stderr).toMatch(/nope\.csv: no such file/)
    const badTest = run(
      'drift',
      '--reference',
      drift('reference.csv'),
      '--current',
      drift('current.csv'),
      '--method',
      'age=magic',
      '--json',
    )
    expect(badTest.status).toBe(1)
    expect(JSON.parse(badTest.stdout).error.message).toMatch(/Unknown test "magic"/)
    const badColumn = run(
      'drift',
      '--reference',
      drift('reference.csv'),
      '--current',
      drift('current.csv'),
      '--method',
      'plan=ks',
    )
    expect(badColumn.status).toBe(1)
    expect(badColumn.stderr).toMatch(
      /Column "plan" is categorical; the ks test needs a numeric column/,
    )
    const noModel = run('drift', '--reference', 'fraud@3', '--current', drift('current.csv'))
    expect(noModel.status).toBe(1)
    expect(noModel.stderr).toMatch(/No model named "fraud"/)
  })
})
