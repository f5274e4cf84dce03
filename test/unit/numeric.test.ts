// The numeric kernels (src/core/numeric) against numpy: quantiles, sums and the radix sorts.
// References: test/fixtures/numeric/refs.json, written by generate_refs.py with Debian's numpy.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  compensatedSum,
  decimalSummary,
  KeyScratch,
  pairwiseSum,
  quantile,
  quantileSorted,
  quantiles,
  sortedCopy,
  sortFloat64,
  sortUint32,
} from '../../src/core/numeric'

interface Refs {
  numpy: string
  quantiles: { name: string; values: number[]; q: number[]; expected: number[] }[]
  sums: { name: string; values: number[]; numpySum: number; exactSum: number }[]
}
const refs = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'numeric', 'refs.json'), 'utf8'),
) as Refs

describe('quantiles as np.quantile (method linear)', () => {
  it('sorted and by selection, bit for bit, every sample and q', () => {
    expect(refs.quantiles.length).toBeGreaterThanOrEqual(10)
    for (const { name, values, q, expected } of refs.quantiles) {
      const sorted = sortedCopy(Float64Array.from(values))
      const bySelection = quantiles(values, q)
      q.forEach((p, i) => {
        expect(quantileSorted(sorted, p), `${name} q=${p} (sorted)`).toBe(expected[i])
        expect(bySelection[i], `${name} q=${p} (selection)`).toBe(expected[i])
        expect(quantile(values, p), `${name} q=${p} (one)`).toBe(expected[i])
      })
    }
  })

  it('selection leaves the input alone and answers NaN for an empty sample', () => {
    const values = Float64Array.from([3, 1, 2])
    expect(quantiles(values, [0.5])).toEqual([2])
    expect(Array.from(values)).toEqual([3, 1, 2])
    expect(quantiles([], [0.5, 0.9]).every(Number.isNaN)).toBe(true)
    expect(Number.isNaN(quantileSorted(new Float64Array(0), 0.5))).toBe(true)
  })
})

describe('sums', () => {
  it("pairwiseSum is numpy's np.sum bit for bit; compensatedSum is the exact sum", () => {
    for (const { name, values, numpySum, exactSum } of refs.sums) {
      expect(pairwiseSum(Float64Array.from(values)), name).toBe(numpySum)
      expect(compensatedSum(Float64Array.from(values)), name).toBe(exactSum)
    }
    // The cancelling case is one where a plain loop is wrong: the check can fail.
    const cancelling = refs.sums.find((s) => s.name === 'cancelling')
    let plain = 0
    for (const v of cancelling?.values ?? []) plain += v
    expect(plain).not.toBe(cancelling?.exactSum)
  })
})

describe('radix sorts', () => {
  it('sortFloat64 orders like TypedArray#sort: negatives, -0 before +0, subnormals, ties', () => {
    let seed = 7
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    const specials = [-0, 0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE]
    const more = [Infinity, -Infinity, 1, -1]
    const values = Float64Array.from({ length: 50_000 }, (_, i) =>
      i % 7 === 0
        ? ([...specials, ...more][i % 10] ?? 0)
        : i % 3 === 0
          ? Math.floor(rand() * 10) - 5
          : (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20),
    )
    const expected = values.slice().sort()
    const copy = sortedCopy(values)
    expect(copy).not.toBe(values)
    expect(copy.every((v, i) => Object.is(v, expected[i]))).toBe(true)
    const inPlace = values.slice()
    expect(sortFloat64(inPlace)).toBe(inPlace)
    expect(inPlace.every((v, i) => Object.is(v, expected[i]))).toBe(true)
    // One value everywhere: every pass is skipped.
    expect(sortFloat64(new Float64Array(10000).fill(3)).every((v) => v === 3)).toBe(true)
    // Values apart only in their low 32 bits: one long run of equal high words.
    const close = Float64Array.from({ length: 9000 }, (_, i) => 1 + ((i * 7919) % 9000) * 2 ** -52)
    const closeSorted = sortedCopy(close)
    expect(Array.from(closeSorted)).toEqual(Array.from(close.slice().sort()))
    expect(new Set(closeSorted).size).toBe(9000)
    // One sign, narrow range: the top passes are skipped.
    const narrow = Float64Array.from({ length: 9000 }, () => 1 + rand())
    expect(Array.from(sortedCopy(narrow))).toEqual(Array.from(narrow.slice().sort()))
  })

  it('sortFloat64 sorts decimal data as scaled integers, and falls back whenever that is not exact', () => {
    let seed = 11
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    const decimals = (n: number, d: number, scale: number): Float64Array =>
      Float64Array.from({ length: n }, () => Number(((rand() - 0.5) * scale).toFixed(d)))
    const cases: [string, Float64Array][] = [
      ['6 decimals, with ties', decimals(20_000, 6, 10)],
      ['integers', decimals(20_000, 0, 1000)],
      ['9 decimals', decimals(20_000, 9, 4)],
      // The decimals grow after the first values: 1, then 3, then 7.
      [
        'mixed decimals',
        Float64Array.from({ length: 20_000 }, (_, i) =>
          Number(((rand() - 0.5) * 100).toFixed(i < 5000 ? 1 : i < 15_000 ? 3 : 7)),
        ),
      ],
      ['10 decimals (not scaled)', decimals(20_000, 10, 1)],
      ['keys spanning 2^32 (not scaled)', decimals(20_000, 6, 1e5)],
      // Integers next to 2^53, where m / p = v can hold at fewer decimals and not at more.
      [
        'near 2^53',
        Float64Array.from({ length: 20_000 }, (_, i) =>
          i % 2 ? 2 ** 53 - Math.floor(rand() * 1000) : Number((rand() * 10).toFixed(4)),
        ),
      ],
      [
        'some -0 among the zeros (they sort before +0)',
        Float64Array.from({ length: 20_000 }, (_, i) =>
          i % 777 === 5 ? -0 : i % 3 ? 0 : (i % 5) - 2.5,
        ),
      ],
      ['thirds (not decimals)', Float64Array.from({ length: 20_000 }, (_, i) => (i % 301) / 3)],
    ]
    for (const [name, values] of cases) {
      const expected = values.slice().sort()
      const sorted = sortedCopy(values)
      expect(
        sorted.every((v, i) => Object.is(v, expected[i])),
        name,
      ).toBe(true)
    }
  })

  it('sortUint32 sorts like a numeric sort, also when a digit is the same in every key', () => {
    let seed = 5
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    const cases = [
      Uint32Array.from({ length: 5000 }, () => Math.floor(rnd() * 2 ** 32)),
      // top 10 bits shared (a skipped pass), extremes included
      Uint32Array.from({ length: 5000 }, (_, i) =>
        i < 2 ? ([0x3fc00000, 0x3fffffff][i] ?? 0) : 0x3fc00000 + Math.floor(rnd() * 2 ** 22),
      ),
      Uint32Array.from([0xffffffff, 0, 7, 7, 0x80000000, 1]),
      new Uint32Array(0),
    ]
    for (const keys of cases) {
      const expected = Array.from(keys).sort((a, b) => a - b)
      expect(Array.from(sortUint32(Uint32Array.from(keys)))).toEqual(expected)
    }
  })

  it('sortUint32 with a key bound takes two digits (11 or 14 bits), lent buffer or not', () => {
    let seed = 11
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    for (const [bits, maxKey] of [
      [22, 2 ** 22 - 1],
      [28, 2 ** 28 - 1],
      [27, 2 ** 27 + 5],
    ] as const) {
      const keys = Uint32Array.from({ length: 20_000 }, (_, i) =>
        i === 0 ? maxKey : i === 1 ? 0 : Math.floor(rnd() * 2 ** bits) % (maxKey + 1),
      )
      const expected = Array.from(keys).sort((a, b) => a - b)
      expect(Array.from(sortUint32(keys.slice(), undefined, maxKey)), `${bits} bits`).toEqual(
        expected,
      )
      const lent = new Uint32Array(30_000)
      expect(Array.from(sortUint32(keys.slice(), lent, maxKey)), `${bits} bits, lent`).toEqual(
        expected,
      )
    }
  })
})

describe('decimalSummary: order statistics without a sort', () => {
  /** What a sort gives: min, max, np.quantile, distinct count, top counts (ties by value). */
  function bySort(values: Float64Array, qs: number[], topK: number) {
    const sorted = values.slice().sort()
    // Runs of equal values (-0 === 0: one run, named by its first value, as a sort meets it).
    const runs: { value: number; count: number }[] = []
    for (const v of sorted) {
      const last = runs[runs.length - 1]
      if (last && last.value === v) last.count++
      else runs.push({ value: v, count: 1 })
    }
    const top = [...runs].sort((a, b) => b.count - a.count || a.value - b.value).slice(0, topK)
    return {
      min: sorted[0],
      max: sorted[sorted.length - 1],
      distinct: runs.length,
      quantiles: qs.map((q) => quantileSorted(sorted, q)),
      top,
    }
  }
  let seed = 29
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const normal = (): number => rand() + rand() + rand() - 1.5
  const qs = [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1]

  it('equals the sort on columns whose keys span a narrow range, -0 and repeats included', () => {
    const cases: [string, Float64Array][] = [
      ['small integers', Float64Array.from({ length: 30_000 }, () => Math.floor(rand() * 40) - 20)],
      ['0/1 labels', Float64Array.from({ length: 30_000 }, () => (rand() < 0.3 ? 1 : 0))],
      [
        '2 decimals',
        Float64Array.from({ length: 30_000 }, () => Number((normal() * 20).toFixed(2))),
      ],
      // Values that all differ: the top is the ten smallest, each seen once.
      ['all distinct', Float64Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000)],
      ['one value', new Float64Array(10_000).fill(4.25)],
      ['a single value', Float64Array.from([3])],
      // -0 and +0 share a key: the -0s come first among the zeros, as in the sort.
      [
        '-0 among the zeros',
        Float64Array.from({ length: 20_000 }, (_, i) => (i % 97 === 7 ? -0 : (i % 5) - 2)),
      ],
      [
        'only -0 at the top',
        Float64Array.from({ length: 20_000 }, (_, i) => (i % 3 ? -0 : -(i % 11))),
      ],
      ['-0 is the min', Float64Array.from({ length: 20_000 }, (_, i) => (i % 3 ? -0 : i % 11))],
      ['two values', Float64Array.from({ length: 10_000 }, (_, i) => (i % 7 ? 1.5 : -2))],
      // The widest span a count table takes: 2^18 keys.
      [
        'a span of 2^18 keys',
        Float64Array.from({ length: 70_000 }, (_, i) =>
          i === 0 ? 0 : i === 1 ? 2 ** 18 - 1 : Math.floor(rand() * 2 ** 18),
        ),
      ],
      // Wider spans: the keys are radix sorted (32 bits) and read off in order.
      [
        'a span of 2^18 + 1 keys',
        Float64Array.from({ length: 70_000 }, (_, i) =>
          i === 0 ? 0 : i === 1 ? 2 ** 18 : Math.floor(rand() * 2 ** 18),
        ),
      ],
      [
        '6 decimals over a wide span, with repeats',
        Float64Array.from({ length: 50_000 }, (_, i) =>
          i % 10 === 3 ? 1.25 : i % 17 === 0 ? -4.5 : Number((normal() * 9).toFixed(6)),
        ),
      ],
      [
        'more than 4 keys per value',
        Float64Array.from({ length: 100 }, (_, i) => (i === 0 ? 0 : i === 1 ? 401 : i)),
      ],
      [
        '-0 among wide decimals',
        Float64Array.from({ length: 20_000 }, (_, i) =>
          i % 13 === 0 ? -0 : i % 7 === 0 ? 0 : Number((normal() * 50).toFixed(4)),
        ),
      ],
      // The scale grows late: the keys pass restarts at 3 decimals.
      [
        'integers, then one value with 3 decimals at the end',
        Float64Array.from({ length: 30_000 }, (_, i) =>
          i === 29_999 ? 2.125 : Math.floor(rand() * 1e6) - 5e5,
        ),
      ],
      [
        'keys spanning 2^32 - 1, the widest 32-bit keys',
        Float64Array.from({ length: 5000 }, (_, i) =>
          i === 0 ? -(2 ** 31) : i === 1 ? 2 ** 31 - 1 : Math.floor((rand() - 0.5) * 2 ** 32),
        ),
      ],
    ]
    const scratch = new KeyScratch()
    for (const [name, values] of cases) {
      const before = values.slice()
      // Lent buffers (reused from one column to the next, longer or shorter) change nothing.
      const summary = decimalSummary(values, qs, 10, name.length % 2 ? scratch : undefined)
      expect(summary, name).not.toBeNull()
      const expected = bySort(values, qs, 10)
      expect(Object.is(summary?.min, expected.min), `${name}: min`).toBe(true)
      expect(Object.is(summary?.max, expected.max), `${name}: max`).toBe(true)
      expect(summary?.distinct, name).toBe(expected.distinct)
      expect(summary?.quantiles, name).toEqual(expected.quantiles)
      expect(summary?.top, name).toEqual(expected.top)
      expect(values, `${name}: left as it was`).toEqual(before)
    }
  })

  it('answers null, for the caller to sort the doubles, when the keys cannot be 32-bit', () => {
    const cases: [string, Float64Array][] = [
      ['thirds (not decimals)', Float64Array.from({ length: 20_000 }, (_, i) => i / 3)],
      ['10 decimals', Float64Array.from({ length: 20_000 }, () => Number(rand().toFixed(10)))],
      [
        'keys spanning 2^32',
        Float64Array.from({ length: 1000 }, (_, i) => (i === 0 ? 0 : i === 1 ? 2 ** 32 : i)),
      ],
      [
        'keys spanning more than 2^32',
        Float64Array.from({ length: 1000 }, (_, i) => (i === 0 ? -1 : i === 1 ? 2 ** 33 : i / 8)),
      ],
      ['empty', new Float64Array(0)],
    ]
    for (const [name, values] of cases) expect(decimalSummary(values, qs, 10), name).toBeNull()
  })
})
