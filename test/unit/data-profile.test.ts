// Column profiles against pandas: describe() (sample std, numpy linear quantiles), nunique and
// value_counts, from test/fixtures/csv/profile_refs.json (written by generate_refs.py).
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadTable } from '../../src/core/data/load'
import { profileTable, type ColumnProfile } from '../../src/core/data/profile'

interface NumericRef {
  kind: 'numeric'
  count: number
  missing: number
  nanCount: number
  infinityCount: number
  mean: number
  std: number
  min: number
  max: number
  p5: number
  p25: number
  p50: number
  p75: number
  p95: number
  distinct: number
  valueCounts: Record<string, number>
}
interface CategoricalRef {
  kind: 'categorical' | 'boolean'
  count: number
  missing: number
  distinct: number
  valueCounts: Record<string, number>
}
const fixtures = path.join(__dirname, '..', 'fixtures', 'csv')
const refs = JSON.parse(fs.readFileSync(path.join(fixtures, 'profile_refs.json'), 'utf8')) as {
  rows: number
  columns: Record<string, NumericRef | CategoricalRef>
  quantiles: { values: number[]; q: number; expected: number }[]
}

/** Equal to the reference within a few units in the last place. */
const close = (actual: number | null | undefined, expected: number): void => {
  expect(actual).not.toBeNull()
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-13 + 1e-300)
}

async function profiles(): Promise<Map<string, ColumnProfile>> {
  const table = await loadTable(path.join(fixtures, 'profile.csv'))
  expect(table.rowCount).toBe(refs.rows)
  return new Map(profileTable(table).map((p) => [p.name, p]))
}

/** Top values: most frequent first, and each count equal to pandas' count of that value. */
function checkTopValues(
  profile: ColumnProfile,
  counts: Record<string, number>,
  numericKeys: boolean,
): void {
  const lookup = new Map(
    Object.entries(counts).map(([k, v]) => [
      numericKeys ? String(Number(k === 'nan' ? NaN : k)) : k,
      v,
    ]),
  )
  const expected = [...lookup.values()].sort((a, b) => b - a).slice(0, 10)
  expect(profile.topValues.map((t) => t.count)).toEqual(expected)
  for (const top of profile.topValues) {
    if (top.value === 'NaN') continue // value_counts drops NaN; the NaN count is checked apart
    expect(lookup.get(top.value)).toBe(top.count)
  }
}

describe('column profile matches pandas', () => {
  it('numeric columns: count, missing, mean, sample std, min, max, quantiles, distinct, top values', async () => {
    const all = await profiles()
    for (const [name, ref] of Object.entries(refs.columns)) {
      if (ref.kind !== 'numeric') continue
      const p = all.get(name)!
      expect(p.kind, name).toBe('numeric')
      expect(p.count, name).toBe(ref.count)
      expect(p.missing, name).toBe(ref.missing)
      expect(p.nanCount, name).toBe(ref.nanCount)
      expect(p.infinityCount, name).toBe(ref.infinityCount)
      close(p.mean, ref.mean)
      close(p.std, ref.std)
      expect(p.min).toBe(ref.min)
      expect(p.max).toBe(ref.max)
      close(p.quantiles!.p5, ref.p5)
      close(p.quantiles!.p25, ref.p25)
      close(p.quantiles!.p50, ref.p50)
      close(p.quantiles!.p75, ref.p75)
      close(p.quantiles!.p95, ref.p95)
      expect(p.distinct, name).toBe(ref.distinct)
      if (name === 'x_int') checkTopValues(p, ref.valueCounts, true)
    }
  })

  it('keeps explicit NaN and infinities out of the statistics but counts them', async () => {
    const p = (await profiles()).get('x_special')!
    const ref = refs.columns.x_special as NumericRef
    expect(p.nanCount).toBe(ref.nanCount)
    expect(p.infinityCount).toBe(ref.infinityCount)
    expect(ref.nanCount * ref.infinityCount).toBeGreaterThan(0)
    expect(Number.isFinite(p.mean!)).toBe(true)
    expect(
      p.topValues.some(
        (t) => t.value === 'NaN' || t.value === 'Infinity' || t.value === '-Infinity',
      ),
    ).toBe(true)
  })

  it('categorical and boolean columns: count, missing, distinct, top values', async () => {
    const all = await profiles()
    for (const [name, ref] of Object.entries(refs.columns)) {
      if (ref.kind === 'numeric') continue
      const p = all.get(name)!
      expect(p.kind, name).toBe(ref.kind)
      expect(p.count).toBe(ref.count)
      expect(p.missing).toBe(ref.missing)
      expect(p.distinct).toBe(ref.distinct)
      checkTopValues(p, ref.valueCounts, false)
      expect(p.mean).toBeNull()
    }
  })

  it('columns of decimals (from a count table or a sort) as pandas, with ties by value', async () => {
    const decimals = JSON.parse(
      fs.readFileSync(path.join(fixtures, 'profile_decimals_refs.json'), 'utf8'),
    ) as { rows: number; columns: Record<string, NumericRef & { top: [string, number][] }> }
    const table = await loadTable(path.join(fixtures, 'profile_decimals.csv'))
    expect(table.rowCount).toBe(decimals.rows)
    const all = new Map(profileTable(table).map((p) => [p.name, p]))
    expect(all.size).toBe(Object.keys(decimals.columns).length)
    for (const [name, ref] of Object.entries(decimals.columns)) {
      const p = all.get(name)
      if (!p) throw new Error(`no profile of ${name}`)
      expect(p.kind, name).toBe('numeric')
      expect([p.count, p.missing, p.nanCount, p.infinityCount], name).toEqual([
        ref.count,
        ref.missing,
        ref.nanCount,
        ref.infinityCount,
      ])
      close(p.mean, ref.mean)
      close(p.std, ref.std)
      expect([p.min, p.max], name).toEqual([ref.min, ref.max])
      // Quantiles of decimals are exact order statistics or numpy's lerp of two: equal to the bit.
      expect(p.quantiles, name).toEqual({
        p5: ref.p5,
        p25: ref.p25,
        p50: ref.p50,
        p75: ref.p75,
        p95: ref.p95,
      })
      expect(p.distinct, name).toBe(ref.distinct)
      expect(
        p.topValues.map((t) => [t.value, t.count]),
        name,
      ).toEqual(ref.top.map(([v, c]) => [String(Number(v)), c]))
    }
  })

  it('reports null statistics for an all-missing column and a single value', async () => {
    const table = {
      rowCount: 2,
      columns: [
        {
          name: 'empty',
          kind: 'numeric' as const,
          values: Float64Array.from([NaN, NaN]),
          missing: Uint8Array.from([1, 1]),
          missingCount: 2,
        },
        {
          name: 'one',
          kind: 'numeric' as const,
          values: Float64Array.from([5, NaN]),
          missing: Uint8Array.from([0, 1]),
          missingCount: 1,
        },
      ],
    }
    const [empty, one] = profileTable(table)
    expect(empty).toMatchObject({
      count: 0,
      missing: 2,
      distinct: 0,
      min: null,
      mean: null,
      std: null,
      quantiles: null,
      topValues: [],
    })
    expect(one).toMatchObject({ count: 1, min: 5, max: 5, mean: 5, std: null, distinct: 1 })
  })
})
