// CBPE (isotonic calibration, expected confusion matrix), PCA reconstruction error and the
// reference-chunk bounds, against sklearn's numbers from test/fixtures/monitoring/generate.py.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { calibrate, estimateMetrics, fitCbpe, fitIsotonic } from '../../src/core/drift/cbpe'
import { planChunks } from '../../src/core/drift/engine'
import { multivariateSection } from '../../src/core/drift/monitoring'
import { fitPca, meanOf, reconstructionErrors } from '../../src/core/drift/multivariate'
import {
  isDegraded,
  metricThreshold,
  type ClassifierOutputs,
} from '../../src/core/drift/performance'
import { allRows } from '../../src/core/evaluation/metrics'

const dir = path.join(__dirname, '..', 'fixtures', 'monitoring')
const refs = JSON.parse(fs.readFileSync(path.join(dir, 'refs.json'), 'utf8')) as Refs
interface Metrics {
  accuracy: number
  f1: number
  rocAuc: number
}
interface Band {
  mean: number
  std: number
  lower: number
  upper: number
}
interface Refs {
  concept: { referenceChunks: Metrics[]; bands: Record<string, Band> }
  rotated: {
    components: number
    explainedVariance: number
    referenceError: number
    currentError: number
    referenceChunks: number[]
    threshold: Band
    currentChunks5: number[]
    drifted: boolean
  }
  synthetic: {
    binary: {
      estimate: Metrics
      realised: Metrics
      calibration: { probes: number[]; values: number[] }
    }
    multiclass: { estimate: Metrics; realised: Metrics }
  }
}

function readCsv(name: string): string[][] {
  return fs
    .readFileSync(path.join(dir, name), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','))
}

const close = (actual: number | null, want: number, tol = 1e-9): void => {
  expect(actual).not.toBeNull()
  expect(Math.abs(actual! - want), `${actual} vs ${want}`).toBeLessThanOrEqual(tol)
}

/** Scores of one side as a classifier's outputs: argmax predictions, labels as class codes. */
function side(
  rows: string[][],
  which: string,
  k: number,
): { out: ClassifierOutputs; truth: Int32Array } {
  const mine = rows.filter((r) => r[0] === which)
  const n = mine.length
  const proba = new Float64Array(n * k)
  const predicted = new Int32Array(n)
  const truth = new Int32Array(n)
  mine.forEach((r, i) => {
    const scores = k === 2 ? [1 - Number(r[1]), Number(r[1])] : r.slice(1, 1 + k).map(Number)
    scores.forEach((s, c) => (proba[i * k + c] = s))
    // Binary: positive above 0.5 (the fixture's rule); multiclass: first largest (numpy argmax).
    predicted[i] = k === 2 ? (scores[1]! > 0.5 ? 1 : 0) : scores.indexOf(Math.max(...scores))
    truth[i] = Number(r[r.length - 1])
  })
  const classes = Array.from({ length: k }, (_, c) => String(c))
  return { out: { classes, predicted, proba, positive: k === 2 ? 1 : -1 }, truth }
}

describe('CBPE against sklearn', () => {
  it('isotonic calibration gives sklearn IsotonicRegression(out_of_bounds="clip") values', () => {
    const rows = readCsv('cbpe_binary.csv').filter((r) => r[0] === 'reference')
    const pos = rows.filter((r) => r[2] === '1').map((r) => Number(r[1]))
    const neg = rows.filter((r) => r[2] === '0').map((r) => Number(r[1]))
    const fit = fitIsotonic(Float64Array.from(pos), Float64Array.from(neg))
    const { probes, values } = refs.synthetic.binary.calibration
    probes.forEach((p, i) => close(calibrate(fit, p), values[i]!, 1e-12))
  })

  it('binary: expected accuracy, F1 and ROC AUC equal the reference script', () => {
    const rows = readCsv('cbpe_binary.csv')
    const ref = side(rows, 'reference', 2)
    const cur = side(rows, 'current', 2)
    const model = fitCbpe(ref.out, ref.truth, allRows(ref.truth.length))!
    const est = estimateMetrics(model, cur.out, allRows(cur.truth.length))
    const want = refs.synthetic.binary.estimate
    close(est.accuracy, want.accuracy)
    close(est.f1, want.f1)
    close(est.rocAuc, want.rocAuc)
  })

  it('multiclass: one-vs-rest calibration renormalised, macro F1 and ROC AUC', () => {
    const rows = readCsv('cbpe_multiclass.csv')
    const ref = side(rows, 'reference', 3)
    const cur = side(rows, 'current', 3)
    const model = fitCbpe(ref.out, ref.truth, allRows(ref.truth.length))!
    const est = estimateMetrics(model, cur.out, allRows(cur.truth.length))
    const want = refs.synthetic.multiclass.estimate
    close(est.accuracy, want.accuracy)
    close(est.f1, want.f1)
    close(est.rocAuc, want.rocAuc)
    // And the estimate is near the realised accuracy here: the shift is in the scores only.
    expect(Math.abs(est.accuracy! - refs.synthetic.multiclass.realised.accuracy)).toBeLessThan(0.03)
  })
})

describe('reference-chunk bounds', () => {
  it("are the chunks' population mean ± 3 std, judged only in the bad direction", () => {
    for (const metric of ['accuracy', 'f1', 'rocAuc'] as const) {
      const t = metricThreshold(
        metric,
        null,
        refs.concept.referenceChunks.map((c) => c[metric]),
        null,
      )!
      const want = refs.concept.bands[metric]!
      close(t.mean, want.mean, 1e-12)
      close(t.std, want.std, 1e-12)
      close(t.lower, want.lower, 1e-12)
      expect(isDegraded(want.lower - 1e-9, t)).toBe(true)
      expect(isDegraded(want.upper + 0.5, t)).toBe(false)
    }
    const mae = metricThreshold('mae', 1, [1, 1.1, 0.9], null)!
    expect(isDegraded(mae.upper! + 0.01, mae)).toBe(true)
    expect(isDegraded(0, mae)).toBe(false)
    const drop = metricThreshold('accuracy', 0.9, [], 0.05)!
    expect([drop.rule, drop.lower]).toEqual(['absolute-drop', 0.9 - 0.05])
    expect(isDegraded(0.84, drop)).toBe(true)
    expect(isDegraded(0.86, drop)).toBe(false)
  })
})

describe('PCA reconstruction error against sklearn', () => {
  const load = (name: string): { names: string[]; columns: Float64Array[] } => {
    const text = fs.readFileSync(path.join(dir, name), 'utf8').trim().split('\n')
    const names = text[0]!.split(',')
    const columns = names.map(() => new Float64Array(text.length - 1))
    text
      .slice(1)
      .forEach((line, i) => line.split(',').forEach((v, j) => (columns[j]![i] = Number(v))))
    return { names, columns }
  }
  const ref = load('rotated_reference.csv')
  const cur = load('rotated_current.csv')
  const want = refs.rotated

  it('keeps the components sklearn keeps and gives its errors per chunk', () => {
    const model = fitPca(ref.names, ref.columns, 0.65)
    expect(model.k).toBe(want.components)
    close(model.explained, want.explainedVariance, 1e-10)
    const refErrors = reconstructionErrors(model, ref.columns)
    close(meanOf(refErrors), want.referenceError, 1e-10)
    planChunks(refErrors.length, 10).forEach((w, i) =>
      close(meanOf(refErrors, w.rows), want.referenceChunks[i]!, 1e-10),
    )
    const curErrors = reconstructionErrors(model, cur.columns)
    close(meanOf(curErrors), want.currentError, 1e-10)
  })

  it('catches the rotation of two correlated columns, per window too', () => {
    const chunks = planChunks(ref.columns[0]!.length, 10).map((w) => w.rows)
    const windows = planChunks(cur.columns[0]!.length, 5)
    const result = multivariateSection(ref.names, ref.columns, cur.columns, chunks, windows, 0.65)
    if (typeof result === 'string') throw new Error(result)
    expect(result.drifted).toBe(want.drifted)
    expect(result.drifted).toBe(true)
    close(result.threshold.upper, want.threshold.upper, 1e-10)
    result.windows.forEach((w, i) => {
      close(w.error, want.currentChunks5[i]!, 1e-10)
      expect(w.drifted).toBe(true)
    })
    expect(result.why).toMatch(/outside the reference chunks' mean ± 3 std/)
    // Against itself: no multivariate drift.
    const same = multivariateSection(ref.names, ref.columns, ref.columns, chunks, null, 0.65)
    expect(typeof same !== 'string' && same.drifted).toBe(false)
  })
})
