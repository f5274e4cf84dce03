// Drift statistics against numpy/scipy references (test/fixtures/drift/generate_refs.py).
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ks2Sorted } from '../../src/core/drift/ks'
import { kstwoSf } from '../../src/core/drift/special'
import {
  binCounts,
  chi2Contingency,
  countDistinctUnion,
  jensenShannon,
  meanAndStd,
  psi,
  quantileEdges,
  wassersteinSorted,
  zTestProportions,
} from '../../src/core/drift/stats'

const dir = path.join(__dirname, '..', 'fixtures', 'drift')
interface NumericCase {
  name: string
  bins: number
  reference: (number | null)[]
  current: (number | null)[]
  expected: {
    empty?: boolean
    ks: { statistic: number; pValue: number }
    ksMethod: 'exact' | 'asymp'
    wasserstein: number
    referenceStd: number
    wassersteinNormed: number
    edges: number[]
    referenceCounts: number[]
    currentCounts: number[]
    psi: number
    jensenShannon: number
    distinct: number
  }
}
interface CategoricalCase {
  name: string
  reference: (string | null)[]
  current: (string | null)[]
  expected: {
    empty?: boolean
    categories: string[]
    referenceCounts: number[]
    currentCounts: number[]
    chi2: { statistic: number; pValue: number; dof: number }
    z?: { statistic: number; pValue: number }
    psi: number
    jensenShannon: number
  }
}
const refs = JSON.parse(fs.readFileSync(path.join(dir, 'refs.json'), 'utf8')) as {
  numeric: NumericCase[]
  categorical: CategoricalCase[]
}
const kstwo = JSON.parse(fs.readFileSync(path.join(dir, 'kstwo.json'), 'utf8')) as {
  n: number
  x: number
  sf: number
}[]

/** |a - b| <= abs + rel·|b| */
function close(actual: number, expected: number, rel = 1e-10, abs = 1e-14): void {
  const ok = Math.abs(actual - expected) <= abs + rel * Math.abs(expected)
  if (!ok)
    expect(actual, `expected ${expected}, got ${actual} (rel ${rel}, abs ${abs})`).toBe(expected)
}

const sortedPresent = (values: (number | null)[]): Float64Array =>
  Float64Array.from(values.filter((v): v is number => v !== null)).sort()

describe('kstwo.sf (two-sided one-sample KS distribution)', () => {
  it.each(kstwo.map((p) => [p.n, p.x, p.sf] as const))('n=%d x=%f', (n, x, sf) => {
    // The Smirnov tail is summed in logs with compensation instead of scipy's double-double;
    // every branch still agrees to 1e-10 relative.
    close(kstwoSf(x, n), sf, 1e-10, 1e-14)
  })
})

describe('numeric column statistics', () => {
  it.each(refs.numeric.filter((c) => !c.expected.empty).map((c) => [c.name, c] as const))(
    '%s',
    (_name, c) => {
      const ref = sortedPresent(c.reference)
      const cur = sortedPresent(c.current)
      const e = c.expected
      const ks = ks2Sorted(ref, cur)
      expect(ks.method).toBe(e.ksMethod)
      close(ks.statistic, e.ks.statistic, 1e-12)
      close(ks.pValue, e.ks.pValue, 1e-10, 1e-15)
      close(wassersteinSorted(ref, cur), e.wasserstein, 1e-12)
      const { std } = meanAndStd(ref)
      close(std, e.referenceStd, 1e-10)
      close(wassersteinSorted(ref, cur) / Math.max(std, 0.001), e.wassersteinNormed, 1e-10)
      const edges = quantileEdges(ref, c.bins)
      expect(edges.length).toBe(e.edges.length)
      edges.forEach((edge, i) => close(edge, e.edges[i]!, 1e-14))
      const rc = binCounts(ref, edges)
      const cc = binCounts(cur, edges)
      expect(rc).toEqual(e.referenceCounts)
      expect(cc).toEqual(e.currentCounts)
      close(psi(rc, cc), e.psi, 1e-10)
      close(
        jensenShannon(
          rc.map((v) => v / ref.length),
          cc.map((v) => v / cur.length),
        ),
        e.jensenShannon,
        1e-10,
      )
      expect(countDistinctUnion(ref, cur)).toBe(e.distinct)
    },
  )
})

describe('categorical column statistics', () => {
  it.each(refs.categorical.filter((c) => !c.expected.empty).map((c) => [c.name, c] as const))(
    '%s',
    (_name, c) => {
      const e = c.expected
      const rc = e.categories.map((k) => c.reference.filter((v) => v === k).length)
      const cc = e.categories.map((k) => c.current.filter((v) => v === k).length)
      expect(rc).toEqual(e.referenceCounts)
      const chi2 = chi2Contingency(rc, cc)!
      expect(chi2.dof).toBe(e.chi2.dof)
      close(chi2.statistic, e.chi2.statistic, 1e-12, 1e-14)
      close(chi2.pValue, e.chi2.pValue, 1e-10, 1e-15)
      const nr = rc.reduce((s, v) => s + v, 0)
      const nc = cc.reduce((s, v) => s + v, 0)
      close(psi(rc, cc), e.psi, 1e-10)
      close(
        jensenShannon(
          rc.map((v) => v / nr),
          cc.map((v) => v / nc),
        ),
        e.jensenShannon,
        1e-10,
      )
      if (e.z) {
        const z = zTestProportions(rc[0]!, nr, cc[0]!, nc)!
        close(z.statistic, e.z.statistic, 1e-12)
        close(z.pValue, e.z.pValue, 1e-10, 1e-15)
      }
    },
  )
})
