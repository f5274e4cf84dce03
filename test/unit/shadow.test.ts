// Shadow comparison on hand-made runs: agreement, flips, probability deltas, McNemar's b and c,
// the ordering of the top disagreements, per-slice deltas, and the regression statistics.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Latency } from '../../src/api/evaluation'
import type { Table } from '../../src/core/data/table'
import type { ModelRun } from '../../src/core/evaluation/run'
import { mcnemarExact, pearson } from '../../src/core/evaluation/metrics'
import { compareRuns, topRows } from '../../src/core/shadow/compare'

const refs = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../fixtures/eval/refs.json'), 'utf8'),
) as {
  pearson: { x: number[]; y: number[]; r: number }[]
}

const latency: Latency = {
  p50Ms: 1,
  p95Ms: 2,
  p99Ms: 3,
  meanMs: 1,
  sampleRows: 1,
  rowsPerSecond: 1,
  batch: { size: 1, count: 1, p50Ms: 1, p95Ms: 1, p99Ms: 1 },
  perRowInBatch: { p50Ms: 1, p95Ms: 1, p99Ms: 1 },
  histogram: { counts: [], edges: [] },
}
const operational = {
  modelLoadMs: 1,
  inferenceMs: 1,
  feedMs: 1,
  latencySampleMs: 1,
  peakRssBytes: 1,
  peakHeapBytes: 1,
}

function binaryRun(p1: number[]): ModelRun {
  const proba = new Float32Array(p1.flatMap((p) => [1 - p, p]))
  return {
    task: 'classification',
    predicted: { codes: Int32Array.from(p1, (p) => (p >= 0.5 ? 1 : 0)), names: ['0', '1'] },
    proba,
    probaClasses: ['0', '1'],
    prediction: null,
    nanRows: 0,
    latency,
    operational,
    warnings: [],
  }
}

function table(label: number[], segment: string[], feature: number[]): Table {
  const n = label.length
  const cats = [...new Set(segment)]
  return {
    rowCount: n,
    columns: [
      {
        name: 'x',
        kind: 'numeric',
        values: Float64Array.from(feature),
        missing: new Uint8Array(n),
        missingCount: 0,
      },
      {
        name: 'segment',
        kind: 'categorical',
        codes: Int32Array.from(segment, (s) => cats.indexOf(s)),
        categories: cats,
        missingCount: 0,
      },
      {
        name: 'label',
        kind: 'numeric',
        values: Float64Array.from(label),
        missing: new Uint8Array(n),
        missingCount: 0,
      },
    ],
  }
}

describe('binary shadow comparison', () => {
  // Positive-class probabilities exactly representable in float32.
  const champ = [0.75, 0.25, 0.625, 0.5, 0.125, 0.875, 0.25, 0.375]
  const chall = [0.75, 0.625, 0.25, 0.5, 0.5, 0.875, 0.125, 0.625]
  const label = [1, 0, 1, 1, 0, 1, 1, 0]
  const segment = ['a', 'a', 'b', 'b', 'a', 'b', 'a', 'b']
  const t = table(label, segment, [10, 11, 12, 13, 14, 15, 16, 17])
  const result = compareRuns(t, binaryRun(champ), binaryRun(chall), {
    label: 'label',
    slice: 'segment',
    positiveLabel: '1',
    featureColumns: ['x'],
  })

  it('agreement, flips and probability differences', () => {
    const a = champ.map((p) => (p >= 0.5 ? 1 : 0))
    const b = chall.map((p) => (p >= 0.5 ? 1 : 0))
    const disagreements = a.filter((v, i) => v !== b[i]).length
    expect(result.disagreements).toBe(disagreements)
    expect(result.agreementRate).toBe(1 - disagreements / 8)
    const flips = [
      [0, 0],
      [0, 0],
    ]
    a.forEach((v, i) => flips[v]![b[i]!]!++)
    expect(result.flipMatrix).toEqual(flips)
    const diffs = champ.map((p, i) => Math.abs(chall[i]! - p))
    expect(result.meanAbsDiffPositive).toBe(diffs.reduce((x, y) => x + y, 0) / 8)
    expect(result.maxAbsDiffPositive).toBe(Math.max(...diffs))
    expect(result.deltaHistogram!.counts.reduce((x, y) => x + y, 0)).toBe(8)
  })

  it("McNemar's b (champion right, challenger wrong) and c", () => {
    let b = 0
    let c = 0
    champ.forEach((p, i) => {
      const rightA = (p >= 0.5 ? 1 : 0) === label[i]
      const rightB = (chall[i]! >= 0.5 ? 1 : 0) === label[i]
      if (rightA && !rightB) b++
      if (!rightA && rightB) c++
    })
    expect(result.mcnemar).toEqual(mcnemarExact(b, c))
    // and independently: the exact two-sided binomial test, 2·P(X ≤ min(b, c)), X ~ Bin(b + c, ½)
    const n = b + c
    let tail = 0
    let choose = 1
    for (let k = 0; k <= Math.min(b, c); k++) {
      tail += choose / 2 ** n
      choose = (choose * (n - k)) / (k + 1)
    }
    expect({ b, c }).toEqual({ b: 4, c: 0 })
    expect(result.mcnemar).toEqual({
      b,
      c,
      statistic: Math.min(b, c),
      pValue: Math.min(1, 2 * tail),
    })
  })

  it('top disagreements: label flips first, by probability distance, with features and truth', () => {
    const rows = result.topDisagreements.map((d) => d.row)
    // rows (1-based) whose labels differ: 2 (0→1), 3 (1→0), 5 (0→1), 7 (0→0? no) …
    const flipped = champ.flatMap((p, i) => (p >= 0.5 !== chall[i]! >= 0.5 ? [i + 1] : []))
    expect(rows.slice(0, flipped.length).sort()).toEqual(flipped.sort())
    expect(result.topDisagreements[0]!.features).toEqual({ x: String(10 + rows[0]! - 1) })
    expect(result.topDisagreements[0]!.actual).toBe(String(label[rows[0]! - 1]))
    // rows with no difference at all are not listed
    expect(rows).not.toContain(1)
    expect(rows).not.toContain(4)
  })

  it('per-slice metric deltas and agreement', () => {
    const slices = result.slices!.rows
    expect(slices.map((s) => s.value)).toEqual(['a', 'b'])
    for (const s of slices) {
      const idx = segment.flatMap((v, i) => (v === s.value ? [i] : []))
      const acc = (p: number[]): number =>
        idx.filter((i) => (p[i]! >= 0.5 ? 1 : 0) === label[i]).length / idx.length
      expect(s.champion.accuracy).toBe(acc(champ))
      expect(s.challenger.accuracy).toBe(acc(chall))
      expect(s.delta.accuracy).toBeCloseTo(acc(chall) - acc(champ), 15)
    }
  })
})

describe('regression shadow comparison', () => {
  it('mean |Δ|, RMSE of Δ and Pearson r equal scipy', () => {
    const { x, y, r } = refs.pearson[0]!
    const run = (values: number[]): ModelRun => ({
      ...binaryRun([]),
      task: 'regression',
      predicted: null,
      proba: null,
      probaClasses: [],
      prediction: Float64Array.from(values),
    })
    const t = table(
      x.map(() => 0),
      x.map(() => 's'),
      x,
    )
    const result = compareRuns(t, run(x), run(y), {
      label: null,
      positiveLabel: null,
      featureColumns: ['x'],
    })
    const d = x.map((v, i) => y[i]! - v)
    expect(result.meanAbsDiff).toBeCloseTo(d.reduce((a, v) => a + Math.abs(v), 0) / d.length, 14)
    expect(result.rmseDiff).toBeCloseTo(Math.sqrt(d.reduce((a, v) => a + v * v, 0) / d.length), 14)
    expect(Math.abs(result.pearsonR! - r)).toBeLessThan(1e-12)
    expect(Math.abs(pearson(x, y) - r)).toBeLessThan(1e-12)
    expect(result.agreementRate).toBeNull()
    expect(result.mcnemar).toBeNull()
    expect(result.topDisagreements[0]!.difference).toBe(
      d.reduce((m, v) => (Math.abs(v) > Math.abs(m) ? v : m), 0),
    )
  })
})

describe('topRows', () => {
  it('keeps the k largest positive scores, largest first', () => {
    expect(topRows(Float64Array.from([0, 3, 1, 5, 0, 2]), 3)).toEqual([3, 1, 5])
    expect(topRows(Float64Array.from([0, 0]), 3)).toEqual([])
  })
})

describe('mismatched models', () => {
  it('a classifier and a regressor cannot be compared', () => {
    const reg: ModelRun = {
      ...binaryRun([0.5]),
      task: 'regression',
      prediction: Float64Array.from([1]),
    }
    expect(() =>
      compareRuns(table([1], ['a'], [1]), binaryRun([0.5]), reg, {
        label: null,
        positiveLabel: null,
        featureColumns: [],
      }),
    ).toThrow(/classification model and the challenger a regression model/)
  })
})
