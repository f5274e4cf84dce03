// The drift engine's choices and verdicts: default tests (Evidently's rules), overrides, reasons,
// constant and all-missing columns, and the time windows.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DriftSettings } from '../../src/api/drift'
import type { CodedColumn } from '../../src/core/data/table'
import {
  categoricalSample,
  compareColumn,
  numericSample,
  planChunks,
  planTimeWindows,
  summarize,
  windowBounds,
} from '../../src/core/drift/engine'

const settings = (extra: Record<string, unknown> = {}): DriftSettings => DriftSettings.parse(extra)
const refs = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'drift', 'refs.json'), 'utf8'),
) as {
  numeric: {
    name: string
    reference: (number | null)[]
    current: (number | null)[]
    expected: Record<string, unknown>
  }[]
}
const caseOf = (name: string): { ref: Float64Array; cur: Float64Array } => {
  const c = refs.numeric.find((x) => x.name === name)!
  return {
    ref: Float64Array.from(c.reference.map((v) => v ?? NaN)),
    cur: Float64Array.from(c.current.map((v) => v ?? NaN)),
  }
}
const coded = (values: (string | null)[]): CodedColumn => {
  const categories: string[] = []
  const codes = Int32Array.from(
    values.map((v) => {
      if (v === null) return -1
      let i = categories.indexOf(v)
      if (i < 0) i = categories.push(v) - 1
      return i
    }),
  )
  return {
    name: 'c',
    kind: 'categorical',
    codes,
    categories,
    missingCount: values.filter((v) => v === null).length,
  }
}

describe('test choice and verdict', () => {
  it('uses KS for a small reference with a continuous column, and says why', () => {
    const { ref, cur } = caseOf('location shift')
    const r = compareColumn('x', numericSample(ref), numericSample(cur), {
      settings: settings(),
      referenceCount: ref.length,
    })
    expect(r.test).toBe('ks')
    expect(r.pValue).toBe(r.stats.ks!.pValue)
    expect(r.drifted).toBe(true)
    expect(r.why).toMatch(
      /^Kolmogorov–Smirnov test decided drift \(p = .* ≤ 0\.05\), chosen because the reference has 800 rows \(≤ 1,000\)/,
    )
  })

  it('uses normed Wasserstein above 1,000 reference rows and JS for few distinct values', () => {
    const { ref, cur } = caseOf('exact at 10000 vs 9000')
    const r = compareColumn('x', numericSample(ref), numericSample(cur), {
      settings: settings(),
      referenceCount: ref.length,
    })
    expect(r.test).toBe('wasserstein')
    expect(r.statistic).toBe(r.stats.wassersteinNormed)
    expect(r.drifted).toBe(r.statistic! >= 0.1)
    expect(r.pValue).toBeNull()
    const few = caseOf('few distinct values')
    const big = compareColumn('y', numericSample(few.ref), numericSample(few.cur), {
      settings: settings(),
      referenceCount: 5000,
    })
    expect(big.test).toBe('jensenshannon')
    const small = compareColumn('y', numericSample(few.ref), numericSample(few.cur), {
      settings: settings(),
      referenceCount: few.ref.length,
    })
    expect(small.test).toBe('chisquare')
    expect(small.why).toContain('numeric with only 3 distinct values')
  })

  it('uses the Z-test for a binary categorical column and chi-square beyond two', () => {
    const ref = coded(['a', 'b', 'a', 'a', 'b', 'a'])
    const cur = coded(['b', 'b', 'a', 'b'])
    const r = compareColumn('c', categoricalSample(ref), categoricalSample(cur), {
      settings: settings(),
      referenceCount: 6,
    })
    expect(r.test).toBe('z')
    expect(r.stats.chi2!.dof).toBe(1)
    const r3 = compareColumn(
      'c',
      categoricalSample(coded(['a', 'b', 'c'])),
      categoricalSample(coded(['a', 'd'])),
      { settings: settings(), referenceCount: 3 },
    )
    expect(r3.test).toBe('chisquare')
    expect(r3.stats.unseenCategories).toEqual(['d'])
    expect(r3.stats.vanishedCategories).toEqual(['b', 'c'])
    expect(r3.notes.join(' ')).toContain('"d"')
  })

  it('applies column and global overrides of method and threshold', () => {
    const { ref, cur } = caseOf('location shift')
    const s = settings({
      method: 'psi',
      threshold: 5,
      columns: { x: { method: 'jensenshannon', threshold: 0.01 } },
    })
    const col = compareColumn('x', numericSample(ref), numericSample(cur), {
      settings: s,
      referenceCount: ref.length,
    })
    expect(col.test).toBe('jensenshannon')
    expect(col.threshold).toBe(0.01)
    expect(col.why).toContain('chosen for this column in the settings')
    const other = compareColumn('y', numericSample(ref), numericSample(cur), {
      settings: s,
      referenceCount: ref.length,
    })
    expect(other.test).toBe('psi')
    expect(other.threshold).toBe(5)
    expect(other.drifted).toBe(false)
    expect(() =>
      compareColumn('c', categoricalSample(coded(['a'])), categoricalSample(coded(['b'])), {
        settings: settings({ method: 'ks' }),
        referenceCount: 1,
      }),
    ).toThrow(/Column "c" is categorical; the ks test needs a numeric column/)
  })
})

describe('degenerate columns are defined and explained', () => {
  it('all missing on one side: not tested, missing share reported, never NaN', () => {
    const ref = Float64Array.from([1, 2, 3, NaN])
    const cur = Float64Array.from([NaN, NaN])
    const r = compareColumn('x', numericSample(ref), numericSample(cur), {
      settings: settings(),
      referenceCount: 3,
    })
    expect(r.test).toBeNull()
    expect(r.drifted).toBe(false)
    expect(r.current.missingShare).toBe(1)
    expect(r.reference.missingShare).toBe(0.25)
    expect(r.why).toMatch(/Not tested: the current data has no values/)
    expect(JSON.stringify(r)).not.toMatch(/NaN/)
    expect(summarize([r], 0.5)).toEqual({
      datasetDrift: false,
      driftShare: 0,
      driftedColumns: 0,
      testedColumns: 0,
    })
  })

  it('constant columns: KS, Wasserstein (over 0.001) and chi-square are defined', () => {
    const same = compareColumn(
      'k',
      numericSample(new Float64Array(50).fill(2)),
      numericSample(new Float64Array(40).fill(2)),
      { settings: settings(), referenceCount: 50 },
    )
    expect(same.test).toBe('z')
    expect(same.drifted).toBe(false)
    expect(same.stats.ks).toEqual({ statistic: 0, pValue: 1, method: 'exact' })
    expect(same.notes.join(' ')).toContain('Constant in both datasets, with the same value')
    const moved = compareColumn(
      'k',
      numericSample(new Float64Array(50).fill(2)),
      numericSample(new Float64Array(40).fill(3)),
      { settings: settings(), referenceCount: 50 },
    )
    expect(moved.stats.wassersteinNormed).toBeCloseTo(1 / 0.001, 6)
    expect(moved.drifted).toBe(true)
    expect(moved.notes.join(' ')).toMatch(/value changed from 2 to 3/)
  })
})

describe('windows', () => {
  it('splits by UTC day, ISO week and month, in time order', () => {
    const t = (s: string): number => Date.parse(s)
    const ts = Float64Array.from([
      t('2026-03-02T23:59:59Z'),
      t('2026-03-01T10:00:00Z'),
      NaN,
      t('2026-03-02T00:00:00Z'),
      t('2026-04-01T00:00:00Z'),
    ])
    const days = planTimeWindows(ts, 'day', 'ts')
    expect(days.withoutTimestamp).toBe(1)
    expect(days.windows.map((w) => [w.label, [...w.rows]])).toEqual([
      ['2026-03-01', [1]],
      ['2026-03-02', [0, 3]],
      ['2026-04-01', [4]],
    ])
    const weeks = planTimeWindows(ts, 'week', 'ts')
    // 2026-03-01 is a Sunday: it closes the week that began on Monday 2026-02-23.
    expect(weeks.windows.map((w) => w.label)).toEqual([
      'week of 2026-02-23',
      'week of 2026-03-02',
      'week of 2026-03-30',
    ])
    expect(
      planTimeWindows(ts, 'month', 'ts').windows.map((w) => [w.label, w.start, w.end]),
    ).toEqual([
      ['2026-03', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
      ['2026-04', '2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z'],
    ])
    expect(windowBounds(Math.floor(t('2026-03-01T10:30:00Z') / 3_600_000), 'hour').label).toBe(
      '2026-03-01 10:00',
    )
  })

  it('refuses more than 1,000 windows and cuts equal chunks', () => {
    const ts = Float64Array.from({ length: 1500 }, (_, i) => i * 3_600_000)
    expect(() => planTimeWindows(ts, 'hour', 'when')).toThrow(
      /Column "when" spans 1500 hour windows/,
    )
    expect(planChunks(10, 3).map((c) => c.rows.length)).toEqual([3, 3, 4])
  })
})
