// Metrics against scikit-learn/scipy references (test/fixtures/eval/generate_refs.py → refs.json).
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  classificationReport,
  prepareClassification,
  subsetClassification,
} from '../../src/core/evaluation/classification'
import { binaryClfCurve, histogram, mcnemarExact, pearson } from '../../src/core/evaluation/metrics'
import { regressionReport } from '../../src/core/evaluation/regression'
import { SCALAR_METRICS } from '../helpers/metrics'

interface ClassCase {
  name: string
  kind: 'classification'
  classes: string[]
  positive: string | null
  yTrue: string[]
  yPred: string[]
  proba: number[][]
  cost?: { tp: number; fp: number; tn: number; fn: number }
  slice?: { values: string[]; expected: Record<string, Record<string, unknown>> }
  expected: Record<string, unknown>
}
interface RegCase {
  name: string
  kind: 'regression'
  yTrue: number[]
  yPred: number[]
  expected: Record<string, unknown>
}
const refs = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../fixtures/eval/refs.json'), 'utf8'),
) as {
  synthetic: (ClassCase | RegCase)[]
  mcnemar: { b: number; c: number; statistic: number; pValue: number }[]
  helpers: {
    histogram: { values: number[]; bins: number; counts: number[]; edges: number[] }
    quantile: { values: number[]; q: number; expected: number }[]
  }
}

const close = (actual: number | null | undefined, expected: unknown, rel = 1e-12): void => {
  if (expected === null) {
    expect(actual ?? null).toBeNull()
    return
  }
  const e = expected as number
  expect(actual).not.toBeNull()
  expect(Math.abs(actual! - e)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(e)))
}
const closeArray = (actual: ArrayLike<number | null>, expected: unknown[], rel = 1e-12): void => {
  expect(actual.length).toBe(expected.length)
  for (let i = 0; i < expected.length; i++) close(actual[i], expected[i], rel)
}

export function codes(values: string[]): { codes: Int32Array; names: string[] } {
  const names: string[] = []
  const index = new Map<string, number>()
  const out = Int32Array.from(values, (v) => {
    let i = index.get(v)
    if (i === undefined) {
      i = names.length
      names.push(v)
      index.set(v, i)
    }
    return i
  })
  return { codes: out, names }
}

const prepare = (c: ClassCase) =>
  prepareClassification({
    truth: codes(c.yTrue),
    predicted: codes(c.yPred),
    proba: Float64Array.from(c.proba.flat()),
    probaClasses: c.classes,
    positiveLabel: c.positive,
    nanRows: 0,
  })

describe('classification metrics equal scikit-learn', () => {
  const cases = refs.synthetic.filter((c): c is ClassCase => c.kind === 'classification')
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const report = classificationReport(prepare(c), {
      costMatrix: c.cost ?? null,
      maxCurvePoints: 1e9,
    })
    const m = report.metrics as unknown as Record<string, number | null>
    for (const key of SCALAR_METRICS) {
      if (key in c.expected) close(m[key], c.expected[key])
      else expect(m[key], key).toBeNull()
    }
    expect(report.metrics.labels).toEqual(c.expected.labels)
    expect(report.metrics.confusionMatrix).toEqual(c.expected.confusionMatrix)
    if (c.positive !== null) {
      const roc = c.expected.rocCurve as { fpr: number[]; tpr: number[]; thresholds: number[] }
      closeArray(report.charts.roc[0]!.x, roc.fpr)
      closeArray(report.charts.roc[0]!.y, roc.tpr)
      closeArray(report.charts.roc[0]!.thresholds, roc.thresholds)
      const pr = c.expected.prCurve as {
        precision: number[]
        recall: number[]
        thresholds: number[]
      }
      closeArray(report.charts.pr[0]!.x, pr.recall)
      closeArray(report.charts.pr[0]!.y, pr.precision)
      closeArray(report.charts.pr[0]!.thresholds.slice(0, pr.thresholds.length), pr.thresholds)
      const cal = c.expected.calibration as { fractionPositive: number[]; meanPredicted: number[] }
      closeArray(report.charts.calibration!.fractionPositive, cal.fractionPositive)
      closeArray(report.charts.calibration!.meanPredicted, cal.meanPredicted)
      const bv = c.expected.businessValue as {
        atDefault: number
        bestThreshold: number
        bestValue: number
      }
      close(report.businessValue!.atDefault, bv.atDefault)
      close(report.businessValue!.bestValue, bv.bestValue)
      close(report.businessValue!.bestThreshold, bv.bestThreshold)
      expect(report.businessValue!.curve).toHaveLength(101)
    } else {
      expect(report.reasons.precision).toMatch(/binary only/)
      expect(report.charts.roc.length).toBe(c.classes.length)
    }
  })

  it('slices give the per-value metrics of sklearn', () => {
    const c = cases.find((x) => x.slice)!
    const data = prepare(c)
    for (const [value, expected] of Object.entries(c.slice!.expected)) {
      const rows = Uint32Array.from(c.slice!.values.flatMap((v, i) => (v === value ? [i] : [])))
      const m = classificationReport(subsetClassification(data, rows), { withCharts: false })
        .metrics as unknown as Record<string, number | null>
      expect(rows.length).toBe(expected.rows)
      for (const key of SCALAR_METRICS) if (key in expected) close(m[key], expected[key])
    }
  })

  it('reports NaN probabilities with a reason instead of a number', () => {
    const c = cases[0]!
    const data = prepareClassification({
      truth: codes(c.yTrue),
      predicted: codes(c.yPred),
      proba: Float64Array.from(c.proba.flat(), (v, i) => (i === 3 ? NaN : v)),
      probaClasses: c.classes,
      positiveLabel: c.positive,
      nanRows: 1,
    })
    const report = classificationReport(data)
    expect(report.metrics.rocAuc).toBeNull()
    expect(report.metrics.logLoss).toBeNull()
    expect(report.reasons.rocAuc).toBe('1 row(s) have NaN probabilities')
    close(report.metrics.accuracy, c.expected.accuracy)
  })

  it('labels only (no probabilities): label metrics, and reasons for the rest', () => {
    const c = cases[0]!
    const data = prepareClassification({
      truth: codes(c.yTrue),
      predicted: codes(c.yPred),
      proba: null,
      probaClasses: [],
      positiveLabel: null,
      nanRows: 0,
    })
    const report = classificationReport(data)
    close(report.metrics.f1, c.expected.f1)
    expect(report.metrics.brier).toBeNull()
    expect(report.reasons.brier).toMatch(/no class probabilities/)
  })

  it('predicted labels come from the argmax when the model outputs only probabilities', () => {
    const c = cases.find((x) => x.name === 'multiclass')!
    const data = prepareClassification({
      truth: codes(c.yTrue),
      predicted: null,
      proba: Float64Array.from(c.proba.flat()),
      probaClasses: c.classes,
      positiveLabel: null,
      nanRows: 0,
    })
    close(classificationReport(data).metrics.accuracy, c.expected.accuracy)
  })
})

describe('regression metrics equal scikit-learn', () => {
  const cases = refs.synthetic.filter((c): c is RegCase => c.kind === 'regression')
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const report = regressionReport(Float64Array.from(c.yTrue), Float64Array.from(c.yPred), {
      nanRows: 0,
    })
    for (const key of ['mae', 'rmse', 'r2', 'mape'] as const)
      close(report.metrics[key], c.expected[key])
    const hist = c.expected.residualHistogram as { counts: number[]; edges: number[] } | undefined
    if (hist) {
      expect(report.charts.residualHistogram!.counts).toEqual(hist.counts)
      closeArray(report.charts.residualHistogram!.edges, hist.edges)
    }
  })

  it('a NaN prediction makes every metric null with the reason', () => {
    const report = regressionReport(Float64Array.from([1, 2, 3]), Float64Array.from([1, NaN, 3]), {
      nanRows: 1,
    })
    expect(report.metrics.mae).toBeNull()
    expect(report.reasons.rmse).toBe('1 row(s) have a NaN prediction')
  })
})

describe('McNemar exact test equals scipy binom', () => {
  it.each(refs.mcnemar.map((c) => [c.b, c.c, c] as const))('b=%i c=%i', (_b, _c, c) => {
    const result = mcnemarExact(c.b, c.c)
    expect(result.statistic).toBe(c.statistic)
    close(result.pValue, c.pValue, c.b + c.c > 10_000 ? 1e-9 : 1e-12)
  })
})

describe('helpers', () => {
  it('histogram puts the maximum in the last bin and uses numpy edges', () => {
    const ref = refs.helpers.histogram
    const h = histogram(ref.values, ref.bins)
    expect(h.counts).toEqual(ref.counts)
    // every edge as numpy computes it, 0.30000000000000004 included
    expect(Array.from(h.edges)).toEqual(ref.edges)
  })
  it('pearson r', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 14)
    expect(Number.isNaN(pearson([1, 1, 1], [1, 2, 3]))).toBe(true)
  })
})

describe('curve construction', () => {
  it('float32 scores (radix path) and other scores (native sort) count tp and fp at every distinct score', () => {
    let seed = 7
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    const n = 5000
    // float32 values with many ties, negatives, zeros of both signs and extremes
    const pool = [
      -0,
      0,
      -1.5,
      1e-30,
      3.4e38,
      -3.4e38,
      ...Array.from({ length: 300 }, () => Math.fround(rnd() * 2 - 0.5)),
    ]
    const scores32 = Float64Array.from({ length: n }, () => pool[Math.floor(rnd() * pool.length)]!)
    const isPos = Uint8Array.from({ length: n }, () => (rnd() < 0.4 ? 1 : 0))
    const radix = binaryClfCurve(isPos, scores32)
    // the same order, but one value that is not a float32 forces the native sort
    const nudged = Float64Array.from(scores32)
    nudged[0] = 0.1
    const nativeOnNudged = binaryClfCurve(isPos, nudged)
    expect(nativeOnNudged.thresholds.includes(0.1)).toBe(true)
    const at = Array.from(nativeOnNudged.thresholds).indexOf(0.1)
    let tp01 = 0
    let fp01 = 0
    for (let r = 0; r < n; r++) {
      if (nudged[r]! < 0.1) continue
      if (isPos[r]) tp01++
      else fp01++
    }
    expect([nativeOnNudged.tps[at], nativeOnNudged.fps[at]]).toEqual([tp01, fp01])
    const reference = binaryClfCurve(
      isPos,
      Float64Array.from(scores32, (v) => v),
    ) // float32 path again
    expect(radix).toEqual(reference)
    // compare with a direct count: tp/fp at each distinct threshold
    const distinct = [...new Set(Array.from(scores32, (v) => (v === 0 ? 0 : v)))].sort(
      (a, b) => b - a,
    )
    expect(Array.from(radix.thresholds)).toEqual(distinct)
    distinct.forEach((t, i) => {
      let tp = 0
      let fp = 0
      for (let r = 0; r < n; r++) {
        if (scores32[r]! < t) continue
        if (isPos[r]) tp++
        else fp++
      }
      expect([radix.tps[i], radix.fps[i]]).toEqual([tp, fp])
    })
  })
  it('non-negative float32 scores (one packed sort) give the same curve as the general paths', () => {
    let seed = 11
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    const n = 4000
    // probabilities with many ties, zeros of both signs, 1 and the smallest subnormal
    const pool = [
      -0,
      0,
      1,
      1.401298464324817e-45,
      ...Array.from({ length: 200 }, () => Math.fround(rnd())),
    ]
    const probs = Float32Array.from({ length: n }, () => pool[Math.floor(rnd() * pool.length)]!)
    const isPos = Uint8Array.from({ length: n }, () => (rnd() < 0.3 ? 1 : 0))
    const packed = binaryClfCurve(isPos, probs)
    // one negative score sends the same rows down the two-sort path; drop its row to compare
    const withNegative = Float32Array.from([-1, ...probs])
    const split = binaryClfCurve(Uint8Array.from([0, ...isPos]), withNegative)
    const last = split.thresholds.length - 1
    expect(split.thresholds[last]).toBe(-1)
    expect(Array.from(packed.thresholds)).toEqual(Array.from(split.thresholds.subarray(0, last)))
    expect(Array.from(packed.tps)).toEqual(Array.from(split.tps.subarray(0, last)))
    expect(Array.from(packed.fps)).toEqual(Array.from(split.fps.subarray(0, last)))
    const distinct = [...new Set(Array.from(probs, (v) => (v === 0 ? 0 : v)))].sort((a, b) => b - a)
    expect(Array.from(packed.thresholds)).toEqual(distinct)
    distinct.forEach((t, i) => {
      let tp = 0
      let fp = 0
      for (let r = 0; r < n; r++) {
        if (probs[r]! < t) continue
        if (isPos[r]) tp++
        else fp++
      }
      expect([packed.tps[i], packed.fps[i]]).toEqual([tp, fp])
    })
  })
})
