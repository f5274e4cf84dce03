// CBPE (NannyML's confidence-based performance estimation): a classifier's scores calibrated on
// the reference labels by isotonic regression (as scikit-learn's IsotonicRegression), then the
// expected confusion matrix on current scores gives expected accuracy, F1 and ROC AUC without
// labels. It assumes P(label | score) did not change: it sees covariate shift, never concept drift.
import { sortFloat64 } from '../numeric'
import { SlipwayError } from '../../api/errors'
import type { ClassifierOutputs } from './performance'

/** The fitted calibration: increasing knots, interpolated linearly, clipped at both ends. */
export interface IsotonicFit {
  x: Float64Array
  y: Float64Array
}

/**
 * sklearn `IsotonicRegression(increasing=True, out_of_bounds='clip')` fitted on scores with 0/1
 * targets: equal scores pooled into their mean target, weighted pool-adjacent-violators, then only
 * the knots where the fitted value changes are kept (they define the same interpolation).
 */
export function fitIsotonic(positives: Float64Array, negatives: Float64Array): IsotonicFit {
  const pos = sortFloat64(positives)
  const neg = sortFloat64(negatives)
  // Unique scores with their weight (rows) and mean target, by merging the two sorted lists.
  const total = pos.length + neg.length
  const xs = new Float64Array(total)
  const ys = new Float64Array(total)
  const ws = new Float64Array(total)
  let u = 0
  let i = 0
  let j = 0
  while (i < pos.length || j < neg.length) {
    const x =
      j >= neg.length || (i < pos.length && (pos[i] ?? 0) <= (neg[j] ?? 0))
        ? (pos[i] ?? 0)
        : (neg[j] ?? 0)
    let p = 0
    let t = 0
    while (i < pos.length && pos[i] === x) {
      i++
      p++
    }
    while (j < neg.length && neg[j] === x) {
      j++
      t++
    }
    xs[u] = x
    ys[u] = p / (p + t)
    ws[u++] = p + t
  }
  // Pool adjacent violators on blocks (value, weight, first index), a stack of `blocks`.
  const value = new Float64Array(u)
  const weight = new Float64Array(u)
  const start = new Int32Array(u)
  let blocks = 0
  for (let k = 0; k < u; k++) {
    value[blocks] = ys[k] ?? 0
    weight[blocks] = ws[k] ?? 0
    start[blocks++] = k
    while (blocks > 1 && (value[blocks - 2] ?? 0) >= (value[blocks - 1] ?? 0)) {
      const w1 = weight[blocks - 2] ?? 0
      const w2 = weight[blocks - 1] ?? 0
      value[blocks - 2] =
        ((value[blocks - 2] ?? 0) * w1 + (value[blocks - 1] ?? 0) * w2) / (w1 + w2)
      weight[blocks - 2] = w1 + w2
      blocks--
    }
  }
  // Knots: each block's first and last score (one knot for a block of one score).
  const kx: number[] = []
  const ky: number[] = []
  for (let b = 0; b < blocks; b++) {
    const first = start[b] ?? 0
    const last = b + 1 < blocks ? (start[b + 1] ?? 0) - 1 : u - 1
    kx.push(xs[first] ?? 0)
    ky.push(value[b] ?? 0)
    if (last !== first) {
      kx.push(xs[last] ?? 0)
      ky.push(value[b] ?? 0)
    }
  }
  return { x: Float64Array.from(kx), y: Float64Array.from(ky) }
}

/** The calibrated probability of a score (linear between knots, clipped outside them). */
export function calibrate(fit: IsotonicFit, score: number): number {
  const { x, y } = fit
  const n = x.length
  if (n === 0) return NaN
  if (n === 1 || score <= (x[0] ?? 0)) return y[0] ?? 0
  if (score >= (x[n - 1] ?? 0)) return y[n - 1] ?? 0
  let lo = 0
  let hi = n - 1
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if ((x[mid] ?? 0) <= score) lo = mid
    else hi = mid
  }
  if (x[lo] === score) return y[lo] ?? 0
  const slope = ((y[hi] ?? 0) - (y[lo] ?? 0)) / ((x[hi] ?? 0) - (x[lo] ?? 0))
  return slope * (score - (x[lo] ?? 0)) + (y[lo] ?? 0)
}

/** Isotonic fits per class (binary: the positive class only) from reference scores and labels. */
export interface CbpeModel {
  classes: number
  positive: number
  fits: IsotonicFit[]
}

export function fitCbpe(
  out: ClassifierOutputs,
  truth: Int32Array,
  rows: Uint32Array,
): CbpeModel | null {
  if (!out.proba) return null
  const k = out.classes.length
  const targets = k === 2 ? [out.positive] : Array.from({ length: k }, (_, c) => c)
  const fits: IsotonicFit[] = []
  for (const c of targets) {
    let p = 0
    let q = 0
    for (const r of rows) {
      const t = truth[r] ?? -1
      if (t === -1 || Number.isNaN(out.proba[r * k + c] ?? NaN)) continue
      if (t === c) p++
      else q++
    }
    if (p + q === 0) return null
    const positives = new Float64Array(p)
    const negatives = new Float64Array(q)
    p = 0
    q = 0
    for (const r of rows) {
      const t = truth[r] ?? -1
      const s = out.proba[r * k + c] ?? 0
      if (t === -1 || Number.isNaN(s)) continue
      if (t === c) positives[p++] = s
      else negatives[q++] = s
    }
    fits.push(fitIsotonic(positives, negatives))
  }
  return { classes: k, positive: out.positive, fits }
}

/**
 * Calibrated probabilities of some rows: binary, the positive class's (n); multiclass, every
 * class's, one-vs-rest then renormalised to sum to 1 per row (n × k; a row summing to 0 gets 1/k).
 */
export function calibrated(
  model: CbpeModel,
  out: ClassifierOutputs,
  rows: Uint32Array,
): Float64Array {
  const k = model.classes
  const proba = out.proba
  if (!proba)
    throw new SlipwayError('INTERNAL', 'CBPE calibrates probabilities; the model gave none')
  const fitOf = (j: number): IsotonicFit => {
    const fit = model.fits[j]
    if (!fit) throw new SlipwayError('INTERNAL', `CBPE has no fit for class ${j} of ${k}`)
    return fit
  }
  if (k === 2) {
    const c = new Float64Array(rows.length)
    const fit = fitOf(0)
    for (let i = 0; i < rows.length; i++)
      c[i] = calibrate(fit, proba[(rows[i] ?? 0) * k + model.positive] ?? 0)
    return c
  }
  const c = new Float64Array(rows.length * k)
  rows.forEach((r, i) => {
    let sum = 0
    for (let j = 0; j < k; j++) {
      const v = calibrate(fitOf(j), proba[r * k + j] ?? 0)
      c[i * k + j] = v
      sum += v
    }
    for (let j = 0; j < k; j++) c[i * k + j] = sum > 0 ? (c[i * k + j] ?? 0) / sum : 1 / k
  })
  return c
}

/**
 * Expected ROC AUC from calibrated probabilities: rows ranked by probability (ties together),
 * each adding its probability to the expected true positives and its complement to the false
 * ones; the curve starts at (0, 0) as sklearn's roc_curve does. Null when either total is 0.
 */
export function expectedRocAuc(probability: Float64Array): number | null {
  const sorted = sortFloat64(Float64Array.from(probability))
  let totalP = 0
  for (let i = 0; i < sorted.length; i++) totalP += sorted[i] ?? 0
  const totalN = sorted.length - totalP
  if (!(totalP > 0) || !(totalN > 0)) return null
  let tp = 0
  let fp = 0
  let area = 0
  let i = sorted.length - 1
  while (i >= 0) {
    const v = sorted[i] ?? 0
    let dp = 0
    let dn = 0
    while (i >= 0 && sorted[i] === v) {
      dp += v
      dn += 1 - v
      i--
    }
    const x0 = fp / totalN
    const y0 = tp / totalP
    tp += dp
    fp += dn
    area += ((fp / totalN - x0) * (tp / totalP + y0)) / 2
  }
  return area
}

/** Expected accuracy, F1 (binary: positive class; multiclass: macro) and ROC AUC on some rows. */
export function estimateMetrics(
  model: CbpeModel,
  out: ClassifierOutputs,
  rows: Uint32Array,
): { accuracy: number | null; f1: number | null; rocAuc: number | null } {
  let n = 0
  for (let i = 0; i < rows.length; i++) if ((out.predicted[rows[i] ?? 0] ?? -1) >= 0) n++
  const scored = n === rows.length ? rows : new Uint32Array(n)
  if (scored !== rows) {
    let j = 0
    for (let i = 0; i < rows.length; i++)
      if ((out.predicted[rows[i] ?? 0] ?? -1) >= 0) scored[j++] = rows[i] ?? 0
  }
  if (n === 0) return { accuracy: null, f1: null, rocAuc: null }
  const c = calibrated(model, out, scored)
  const k = model.classes
  if (k === 2) {
    let tp = 0
    let fp = 0
    let fn = 0
    let tn = 0
    for (let i = 0; i < n; i++) {
      const p = c[i] ?? 0
      if (out.predicted[scored[i] ?? 0] === model.positive) {
        tp += p
        fp += 1 - p
      } else {
        fn += p
        tn += 1 - p
      }
    }
    const d = 2 * tp + fp + fn
    return { accuracy: (tp + tn) / n, f1: d === 0 ? 0 : (2 * tp) / d, rocAuc: expectedRocAuc(c) }
  }
  let right = 0
  const tp = new Float64Array(k)
  const fp = new Float64Array(k)
  const fn = new Float64Array(k)
  scored.forEach((r, i) => {
    const pred = out.predicted[r] ?? 0
    right += c[i * k + pred] ?? 0
    for (let j = 0; j < k; j++) {
      const p = c[i * k + j] ?? 0
      if (j === pred) {
        tp[j] = (tp[j] ?? 0) + p
        fp[j] = (fp[j] ?? 0) + 1 - p
      } else fn[j] = (fn[j] ?? 0) + p
    }
  })
  let f1 = 0
  let auc = 0
  let aucOk = true
  const column = new Float64Array(n)
  for (let j = 0; j < k; j++) {
    const d = 2 * (tp[j] ?? 0) + (fp[j] ?? 0) + (fn[j] ?? 0)
    f1 += d === 0 ? 0 : (2 * (tp[j] ?? 0)) / d
    for (let i = 0; i < n; i++) column[i] = c[i * k + j] ?? 0
    const a = expectedRocAuc(column)
    if (a === null) aucOk = false
    else auc += a
  }
  return { accuracy: right / n, f1: f1 / k, rocAuc: aucOk ? auc / k : null }
}
