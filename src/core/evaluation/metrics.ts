// Evaluation metrics on typed arrays, written to give scikit-learn's numbers (1.2 semantics):
// the same curve construction, tie handling, zero-division and clipping rules.
import { sortUint32 } from '../numeric'
import { SlipwayError } from '../../api/errors'

/** Rows sorted by descending score, as sklearn's `_binary_clf_curve` does. */
export interface BinaryCurve {
  /** False positives at each distinct threshold (descending). */
  fps: Uint32Array
  tps: Uint32Array
  /** Float32Array when the scores are float32 values (every one widens exactly to a double). */
  thresholds: Float32Array | Float64Array
}

/** Order-preserving uint32 key of float32 bits (−0 taken as +0, as numpy's diff does). */
function keyOfBits(bits: number): number {
  if (bits === 0x80000000) return 0x80000000
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0
}

/** The float32 bits of a key made by `keyOfBits`. */
function bitsOfKey(key: number): number {
  return key & 0x80000000 ? (key ^ 0x80000000) >>> 0 : ~key >>> 0
}

/**
 * The float32 bits of every score when every score is a float32 value (what ONNX models return),
 * else null. A Float32Array is viewed, not copied.
 */
function float32Bits(scores: Float32Array | Float64Array): Uint32Array | null {
  if (scores instanceof Float32Array)
    return new Uint32Array(scores.buffer, scores.byteOffset, scores.length)
  const narrow = new Float32Array(scores.length)
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i] ?? 0
    narrow[i] = v
    if (narrow[i] !== v) return null
  }
  return new Uint32Array(narrow.buffer)
}

/**
 * `binaryClfCurve` of float32 scores that are all ≥ 0 (probabilities), or null when one is
 * negative. The bits of a non-negative float32 order like its value, so each row becomes one
 * key — the score's bits shifted left with the row's label below — and one radix sort of those
 * keys gives the distinct scores high to low with their positives and negatives counted in a
 * single scan (measured ~1.4× faster than sorting positives and negatives apart and merging).
 */
function nonNegativeCurve(isPositive: Uint8Array, bits: Uint32Array): BinaryCurve | null {
  const n = bits.length
  const keys = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    let b = bits[i] ?? 0
    if (b === 0x80000000)
      b = 0 // −0 is +0, as numpy's diff takes it
    else if (b & 0x80000000) return null
    keys[i] = ((b << 1) | (isPositive[i] ?? 0)) >>> 0
  }
  const sorted = sortUint32(keys)
  const fps = new Uint32Array(n)
  const tps = new Uint32Array(n)
  // The distinct scores' bits, high to low; viewed as float32 values at the end.
  const distinct = sorted === keys ? new Uint32Array(n) : keys
  let m = 0
  let tp = 0
  let fp = 0
  let i = n - 1
  while (i >= 0) {
    const score = (sorted[i] ?? 0) >>> 1
    while (i >= 0 && (sorted[i] ?? 0) >>> 1 === score) {
      if ((sorted[i] ?? 0) & 1) tp++
      else fp++
      i--
    }
    tps[m] = tp
    fps[m] = fp
    distinct[m++] = score
  }
  return {
    fps: fps.subarray(0, m),
    tps: tps.subarray(0, m),
    thresholds: new Float32Array(distinct.buffer, 0, m),
  }
}

/**
 * sklearn `_binary_clf_curve`: cumulative tp/fp at every distinct score, high to low. The
 * positives' and negatives' scores are sorted apart and merged, which gives the same counts as
 * sklearn's single stable sort. Float32 scores (what ONNX models return) are radix-sorted on
 * their bits — one sort serves ROC, PR, average precision and the business value; others use
 * the native typed-array sort. Scores must not be NaN.
 */
export function binaryClfCurve(
  isPositive: Uint8Array,
  scores: Float32Array | Float64Array,
): BinaryCurve {
  const n = scores.length
  let positives = 0
  for (let i = 0; i < n; i++) positives += isPositive[i] ?? 0
  // At most n distinct thresholds; filled in place and cut to length at the end. Counts fit in
  // 32 bits (fewer, smaller arrays: a million rows allocate tens of MB here otherwise).
  const fps = new Uint32Array(n)
  const tps = new Uint32Array(n)
  let m = 0
  let tp = 0
  let fp = 0
  const bits = float32Bits(scores)
  if (bits) {
    const packed = nonNegativeCurve(isPositive, bits)
    if (packed) return packed
    const posKeys = new Uint32Array(positives)
    const negKeys = new Uint32Array(n - positives)
    for (let i = 0, a = 0, b = 0; i < n; i++) {
      if (isPositive[i]) posKeys[a++] = keyOfBits(bits[i] ?? 0)
      else negKeys[b++] = keyOfBits(bits[i] ?? 0)
    }
    const pos = sortUint32(posKeys)
    const neg = sortUint32(negKeys)
    // The distinct keys, high to low, turned back into float32 values at the end in one pass.
    const keys = new Uint32Array(n)
    let i = pos.length - 1
    let j = neg.length - 1
    while (i >= 0 || j >= 0) {
      const pk = i < 0 ? 0 : (pos[i] ?? 0)
      const nk = j < 0 ? 0 : (neg[j] ?? 0)
      const k = i < 0 ? nk : j < 0 ? pk : pk > nk ? pk : nk
      while (i >= 0 && pos[i] === k) {
        tp++
        i--
      }
      while (j >= 0 && neg[j] === k) {
        fp++
        j--
      }
      tps[m] = tp
      fps[m] = fp
      keys[m++] = bitsOfKey(k)
    }
    return {
      fps: fps.subarray(0, m),
      tps: tps.subarray(0, m),
      thresholds: new Float32Array(keys.buffer, 0, m),
    }
  }
  const thresholds = new Float64Array(n)
  const pos = new Float64Array(positives)
  const neg = new Float64Array(n - positives)
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (isPositive[i]) pos[a++] = scores[i] ?? 0
    else neg[b++] = scores[i] ?? 0
  }
  pos.sort()
  neg.sort()
  let i = pos.length - 1
  let j = neg.length - 1
  while (i >= 0 || j >= 0) {
    const t = i < 0 ? (neg[j] ?? 0) : j < 0 ? (pos[i] ?? 0) : Math.max(pos[i] ?? 0, neg[j] ?? 0)
    while (i >= 0 && pos[i] === t) {
      tp++
      i--
    }
    while (j >= 0 && neg[j] === t) {
      fp++
      j--
    }
    tps[m] = tp
    fps[m] = fp
    thresholds[m++] = t
  }
  return { fps: fps.subarray(0, m), tps: tps.subarray(0, m), thresholds: thresholds.subarray(0, m) }
}

export interface RocCurve {
  fpr: Float64Array
  tpr: Float64Array
  /** The first threshold is the highest score + 1 (sklearn 1.2), so the curve starts at (0, 0). */
  thresholds: Float64Array
}

/** sklearn `roc_curve(drop_intermediate=True)`. */
export function rocCurve(
  isPositive: Uint8Array,
  scores: Float32Array | Float64Array,
  dropIntermediate = true,
): RocCurve {
  return rocFromCurve(binaryClfCurve(isPositive, scores), dropIntermediate)
}

export function rocFromCurve(curve: BinaryCurve, dropIntermediate = true): RocCurve {
  const { fps, tps, thresholds } = curve
  const m = fps.length
  // Indices kept: corners of the curve (second differences ≠ 0), plus both ends.
  const keep = new Uint32Array(m)
  let kept = 0
  for (let i = 0; i < m; i++) {
    if (!dropIntermediate || m <= 2 || i === 0 || i === m - 1) keep[kept++] = i
    else if (
      (fps[i + 1] ?? 0) - 2 * (fps[i] ?? 0) + (fps[i - 1] ?? 0) !== 0 ||
      (tps[i + 1] ?? 0) - 2 * (tps[i] ?? 0) + (tps[i - 1] ?? 0) !== 0
    )
      keep[kept++] = i
  }
  const fpr = new Float64Array(kept + 1)
  const tpr = new Float64Array(kept + 1)
  const thr = new Float64Array(m ? kept + 1 : 0)
  const lastF = m ? (fps[m - 1] ?? 0) : 0
  const lastT = m ? (tps[m - 1] ?? 0) : 0
  fpr[0] = lastF <= 0 ? NaN : 0
  tpr[0] = lastT <= 0 ? NaN : 0
  if (m) thr[0] = (thresholds[0] ?? 0) + 1
  for (let j = 0; j < kept; j++) {
    const i = keep[j] ?? 0
    fpr[j + 1] = lastF <= 0 ? NaN : (fps[i] ?? 0) / lastF
    tpr[j + 1] = lastT <= 0 ? NaN : (tps[i] ?? 0) / lastT
    thr[j + 1] = thresholds[i] ?? 0
  }
  return { fpr, tpr, thresholds: thr }
}

/** Trapezoidal area, as numpy's trapz (x increasing). */
export function trapezoid(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let area = 0
  for (let i = 1; i < x.length; i++)
    area += (((x[i] ?? 0) - (x[i - 1] ?? 0)) * ((y[i] ?? 0) + (y[i - 1] ?? 0))) / 2
  return area
}

/** Binary ROC AUC; NaN with a reason when only one class is present. */
export function rocAuc(
  isPositive: Uint8Array,
  scores: Float32Array | Float64Array,
): { value: number; reason?: string } {
  return rocAucFromCurve(binaryClfCurve(isPositive, scores))
}

export function rocAucFromCurve(
  curve: BinaryCurve,
  computed?: RocCurve,
): { value: number; reason?: string } {
  const last = curve.tps.length - 1
  if (last < 0 || curve.tps[last] === 0 || curve.fps[last] === 0) {
    return {
      value: NaN,
      reason: 'ROC AUC needs both classes among the labels; only one is present',
    }
  }
  const roc = computed ?? rocFromCurve(curve, true)
  return { value: trapezoid(roc.fpr, roc.tpr) }
}

export interface PrCurve {
  precision: Float64Array
  recall: Float64Array
  thresholds: Float64Array
}

/** sklearn `precision_recall_curve`: recall decreasing, ending at (recall 0, precision 1). */
export function precisionRecallCurve(
  isPositive: Uint8Array,
  scores: Float32Array | Float64Array,
): PrCurve {
  return prFromCurve(binaryClfCurve(isPositive, scores))
}

export function prFromCurve(curve: BinaryCurve): PrCurve {
  const { fps, tps, thresholds } = curve
  const n = tps.length
  const lastT = n ? (tps[n - 1] ?? 0) : 0
  const precision = new Float64Array(n + 1)
  const recall = new Float64Array(n + 1)
  const thr = new Float64Array(n)
  for (let j = 0; j < n; j++) {
    const i = n - 1 - j
    const ps = (tps[i] ?? 0) + (fps[i] ?? 0)
    precision[j] = ps !== 0 ? (tps[i] ?? 0) / ps : 0
    recall[j] = lastT === 0 ? 1 : (tps[i] ?? 0) / lastT
    thr[j] = thresholds[i] ?? 0
  }
  precision[n] = 1
  recall[n] = 0
  return { precision, recall, thresholds: thr }
}

/** sklearn `average_precision_score` (binary): the step integral of the PR curve. */
export function averagePrecision(
  isPositive: Uint8Array,
  scores: Float32Array | Float64Array,
): number {
  return averagePrecisionFromPr(precisionRecallCurve(isPositive, scores))
}

export function averagePrecisionFromPr({ precision, recall }: PrCurve): number {
  let sum = 0
  for (let i = 0; i < recall.length - 1; i++)
    sum += ((recall[i + 1] ?? 0) - (recall[i] ?? 0)) * (precision[i] ?? 0)
  return -sum
}

/**
 * Point `j` of `prFromCurve(curve)` without building the whole curve (a million rows give
 * ~a million points, of which a chart keeps a thousand): the same arithmetic, so the same numbers.
 */
export function prPoint(
  curve: BinaryCurve,
  j: number,
): { precision: number; recall: number; threshold: number } {
  const { fps, tps, thresholds } = curve
  const n = tps.length
  if (j === n) return { precision: 1, recall: 0, threshold: NaN }
  const lastT = n ? (tps[n - 1] ?? 0) : 0
  const i = n - 1 - j
  const ps = (tps[i] ?? 0) + (fps[i] ?? 0)
  return {
    precision: ps !== 0 ? (tps[i] ?? 0) / ps : 0,
    recall: lastT === 0 ? 1 : (tps[i] ?? 0) / lastT,
    threshold: thresholds[i] ?? 0,
  }
}

/** `averagePrecisionFromPr(prFromCurve(curve))` in one pass, summed in the same order. */
export function averagePrecisionFromCurve(curve: BinaryCurve): number {
  const { fps, tps } = curve
  const n = tps.length
  const lastT = n ? (tps[n - 1] ?? 0) : 0
  let sum = 0
  // recall[j] and precision[j] of the PR curve are tps/fps at i = n − 1 − j; recall[n] = 0.
  let recall = n ? (lastT === 0 ? 1 : (tps[n - 1] ?? 0) / lastT) : 0
  for (let j = 0; j < n; j++) {
    const i = n - 1 - j
    const ps = (tps[i] ?? 0) + (fps[i] ?? 0)
    const precision = ps !== 0 ? (tps[i] ?? 0) / ps : 0
    const next = j + 1 === n ? 0 : lastT === 0 ? 1 : (tps[i - 1] ?? 0) / lastT
    sum += (next - recall) * precision
    recall = next
  }
  return -sum
}

export interface CalibrationCurve {
  /** Fraction of positives in each non-empty bin (sklearn's prob_true). */
  fractionPositive: number[]
  /** Mean predicted probability in each non-empty bin (sklearn's prob_pred). */
  meanPredicted: number[]
  /** Rows in each non-empty bin, and the bin's edges, for drawing. */
  counts: number[]
  binLower: number[]
  binUpper: number[]
}

/** The bins of sklearn's `calibration_curve(strategy='uniform')`, filled one probability at a time. */
class CalibrationBins {
  private readonly edges: number[]
  private readonly inner: Float64Array
  private readonly sums: Float64Array
  private readonly trues: Float64Array
  private readonly totals: Float64Array

  constructor(private readonly nBins: number) {
    this.edges = Array.from({ length: nBins + 1 }, (_, i) => (i === nBins ? 1 : i * (1 / nBins)))
    this.inner = Float64Array.from(this.edges.slice(1, -1))
    this.sums = new Float64Array(nBins)
    this.trues = new Float64Array(nBins)
    this.totals = new Float64Array(nBins)
  }

  add(p: number, positive: number): void {
    const { inner, nBins, sums, trues, totals } = this
    const last = nBins - 1
    // np.searchsorted(side='left'): the number of inner edges strictly below p — estimated from
    // p · nBins, then corrected against the real edges, so it is exact.
    let lo = Math.ceil(p * nBins) - 1
    if (!(lo >= 0)) lo = 0
    else if (lo > last) lo = last
    while (lo > 0 && (inner[lo - 1] ?? 0) >= p) lo--
    while (lo < last && (inner[lo] ?? 0) < p) lo++
    sums[lo] = (sums[lo] ?? 0) + p
    trues[lo] = (trues[lo] ?? 0) + positive
    totals[lo] = (totals[lo] ?? 0) + 1
  }

  result(): CalibrationCurve {
    const { sums, trues, totals, edges } = this
    const out: CalibrationCurve = {
      fractionPositive: [],
      meanPredicted: [],
      counts: [],
      binLower: [],
      binUpper: [],
    }
    for (let b = 0; b < this.nBins; b++) {
      if (totals[b] === 0) continue
      out.fractionPositive.push((trues[b] ?? 0) / (totals[b] ?? 0))
      out.meanPredicted.push((sums[b] ?? 0) / (totals[b] ?? 0))
      out.counts.push(totals[b] ?? 0)
      out.binLower.push(edges[b] ?? 0)
      out.binUpper.push(edges[b + 1] ?? 0)
    }
    return out
  }
}

/** sklearn `calibration_curve(strategy='uniform')`; probabilities must lie in [0, 1]. */
export function calibrationCurve(
  isPositive: Uint8Array,
  probPositive: Float32Array | Float64Array,
  nBins = 10,
): CalibrationCurve {
  const bins = new CalibrationBins(nBins)
  for (let i = 0; i < probPositive.length; i++) bins.add(probPositive[i] ?? 0, isPositive[i] ?? 0)
  return bins.result()
}

/**
 * `brierBinary`, `calibrationCurve(…, calibrationBins)` and `histogram(…, histogramBins, [0, 1])`
 * of positive-class probabilities in [0, 1], in one pass over the rows (same arithmetic, same
 * order, so the same numbers as the three apart).
 */
export function probabilitySummary(
  isPositive: Uint8Array,
  probPositive: Float32Array | Float64Array,
  calibrationBins = 10,
  histogramBins = 20,
): { brier: number; calibration: CalibrationCurve; histogram: Histogram } {
  const calibration = new CalibrationBins(calibrationBins)
  const hist = new HistogramBins(0, 1, histogramBins)
  let squares = 0
  for (let i = 0; i < probPositive.length; i++) {
    const p = probPositive[i] ?? 0
    const positive = isPositive[i] ?? 0
    squares += (positive - p) ** 2
    calibration.add(p, positive)
    hist.add(p)
  }
  return {
    brier: squares / isPositive.length,
    calibration: calibration.result(),
    histogram: hist.result(),
  }
}

/** Rows × columns = true label × predicted label, over `k` classes. */
export function confusionMatrix(yTrue: Int32Array, yPred: Int32Array, k: number): number[][] {
  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] ?? 0
    const p = yPred[i] ?? 0
    const row = cm[t]
    const cell = row?.[p]
    if (row === undefined || cell === undefined)
      throw new SlipwayError('INTERNAL', `confusion matrix: label ${t} or ${p} is not one of ${k}`)
    row[p] = cell + 1
  }
  return cm
}

export interface PrecisionRecallF1 {
  precision: number
  recall: number
  f1: number
}

export interface ClassScores {
  precision: number[]
  recall: number[]
  f1: number[]
  support: number[]
}

/** Per-class scores from a confusion matrix; zero division gives 0, as sklearn's default. */
export function classScores(cm: number[][]): ClassScores {
  const out: ClassScores = { precision: [], recall: [], f1: [], support: [] }
  for (const [c, row] of cm.entries()) {
    const tp = row[c] ?? 0
    let predicted = 0
    let actual = 0
    for (const [j, other] of cm.entries()) {
      predicted += other[c] ?? 0
      actual += row[j] ?? 0
    }
    const p = predicted === 0 ? 0 : tp / predicted
    const r = actual === 0 ? 0 : tp / actual
    const denom = p + r === 0 ? 1 : p + r
    out.precision.push(p)
    out.recall.push(r)
    out.f1.push((2 * p * r) / denom)
    out.support.push(actual)
  }
  return out
}

export function macroAverage(scores: ClassScores): PrecisionRecallF1 {
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length
  return { precision: mean(scores.precision), recall: mean(scores.recall), f1: mean(scores.f1) }
}

export function weightedAverage(scores: ClassScores): PrecisionRecallF1 {
  const total = scores.support.reduce((a, b) => a + b, 0)
  const avg = (xs: number[]): number =>
    total === 0 ? 0 : xs.reduce((a, x, i) => a + x * (scores.support[i] ?? 0), 0) / total
  return { precision: avg(scores.precision), recall: avg(scores.recall), f1: avg(scores.f1) }
}

/**
 * sklearn `log_loss(eps=1e-15, labels=classes)`: clip, renormalise each row, average
 * -log p(true class). `proba` is row-major n × k; `yTrue` indexes its columns.
 */
export function logLoss(
  yTrue: Int32Array,
  proba: Float32Array | Float64Array,
  k: number,
  eps = 1e-15,
): number {
  const n = yTrue.length
  let total = 0
  if (k === 2) {
    // Two classes (the usual case) without the inner loop: 0 + a + b is a + b exactly.
    for (let i = 0; i < n; i++) {
      const a = Math.min(Math.max(proba[2 * i] ?? 0, eps), 1 - eps)
      const b = Math.min(Math.max(proba[2 * i + 1] ?? 0, eps), 1 - eps)
      total += -Math.log((yTrue[i] === 0 ? a : b) / (a + b))
    }
    return total / n
  }
  for (let i = 0; i < n; i++) {
    let sum = 0
    for (let c = 0; c < k; c++) sum += Math.min(Math.max(proba[i * k + c] ?? 0, eps), 1 - eps)
    const p = Math.min(Math.max(proba[i * k + (yTrue[i] ?? 0)] ?? 0, eps), 1 - eps) / sum
    total += -Math.log(p)
  }
  return total / n
}

/** sklearn `brier_score_loss` on the positive-class probability. */
export function brierBinary(
  isPositive: Uint8Array,
  probPositive: Float32Array | Float64Array,
): number {
  let total = 0
  for (let i = 0; i < isPositive.length; i++)
    total += ((isPositive[i] ?? 0) - (probPositive[i] ?? 0)) ** 2
  return total / isPositive.length
}

/**
 * Multiclass Brier score (Brier 1950): mean over rows of the squared distance between the
 * probability vector and the one-hot truth. Ranges 0..2; it is twice the binary score on
 * two classes, which is why binary models report `brierBinary` instead.
 */
export function brierMulticlass(
  yTrue: Int32Array,
  proba: Float32Array | Float64Array,
  k: number,
): number {
  let total = 0
  for (let i = 0; i < yTrue.length; i++) {
    let row = 0
    for (let c = 0; c < k; c++) row += ((proba[i * k + c] ?? 0) - (yTrue[i] === c ? 1 : 0)) ** 2
    total += row
  }
  return total / yTrue.length
}

export interface RegressionMetrics {
  mae: number
  rmse: number
  r2: number
  mape: number
}

/** sklearn MAE, RMSE (`squared=False`), R² (force_finite), MAPE (eps = float64 machine eps). */
export function regressionMetrics(yTrue: Float64Array, yPred: Float64Array): RegressionMetrics {
  const n = yTrue.length
  const EPS = 2.220446049250313e-16
  let abs = 0
  let sq = 0
  let pct = 0
  let mean = 0
  for (let i = 0; i < n; i++) {
    const d = (yTrue[i] ?? 0) - (yPred[i] ?? 0)
    abs += Math.abs(d)
    sq += d * d
    pct += Math.abs((yPred[i] ?? 0) - (yTrue[i] ?? 0)) / Math.max(Math.abs(yTrue[i] ?? 0), EPS)
    mean += yTrue[i] ?? 0
  }
  mean /= n
  let total = 0
  for (let i = 0; i < n; i++) total += ((yTrue[i] ?? 0) - mean) ** 2
  let r2: number
  if (total !== 0) r2 = 1 - sq / total
  else r2 = sq === 0 ? 1 : 0
  return { mae: abs / n, rmse: Math.sqrt(sq / n), r2, mape: pct / n }
}

export interface Histogram {
  counts: number[]
  /** bins + 1 edges. */
  edges: number[]
}

/** numpy `histogram(values, bins)` with equal-width bins over [min, max]. NaNs are skipped. */
export function histogram(
  values: ArrayLike<number>,
  bins = 30,
  range?: [number, number],
): Histogram {
  let lo = Infinity
  let hi = -Infinity
  if (range) [lo, hi] = range
  else {
    for (let i = 0; i < values.length; i++) {
      const v = values[i] ?? 0
      if (Number.isNaN(v)) continue
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { counts: [], edges: [] }
  if (lo === hi) {
    lo -= 0.5
    hi += 0.5
  }
  const out = new HistogramBins(lo, hi, bins)
  for (let i = 0; i < values.length; i++) out.add(values[i] ?? 0)
  return out.result()
}

/** numpy's equal-width bins over [lo, hi], filled one value at a time; NaNs and outliers skipped. */
class HistogramBins {
  private readonly edges: number[]
  private readonly counts: number[]

  constructor(
    private readonly lo: number,
    private readonly hi: number,
    private readonly bins: number,
  ) {
    const step = (hi - lo) / bins
    this.edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : i * step + lo))
    this.counts = new Array<number>(bins).fill(0)
  }

  add(v: number): void {
    const { lo, hi, bins, edges } = this
    if (Number.isNaN(v) || v < lo || v > hi) return
    let b = Math.floor(((v - lo) / (hi - lo)) * bins)
    if (b === bins) b -= 1
    // numpy corrects the float estimate against the real edges.
    if (v < (edges[b] ?? 0)) b -= 1
    else if (b !== bins - 1 && v >= (edges[b + 1] ?? 0)) b += 1
    this.counts[b] = (this.counts[b] ?? 0) + 1
  }

  result(): Histogram {
    return { counts: this.counts, edges: this.edges }
  }
}

/**
 * McNemar's exact test as statsmodels `mcnemar(exact=True)`: the binomial test on the
 * discordant pairs, p = min(1, 2 · BinomCDF(min(b, c); b + c, ½)); statistic = min(b, c).
 */
export function mcnemarExact(
  b: number,
  c: number,
): { statistic: number; pValue: number; b: number; c: number } {
  const n = b + c
  const m = Math.min(b, c)
  if (n === 0) return { statistic: 0, pValue: 1, b, c }
  // Sum the tail relative to its largest term (k = m), then scale by that term's probability.
  let term = 1
  let sum = 1
  for (let k = m; k > 0; k--) {
    term *= k / (n - k + 1)
    sum += term
    if (term < 1e-20 * sum) break
  }
  let logPmf = -n * Math.LN2
  for (let i = 1; i <= m; i++) logPmf += Math.log((n - m + i) / i)
  return { statistic: m, pValue: Math.min(1, 2 * Math.exp(logPmf) * sum), b, c }
}

/** Pearson's correlation coefficient; NaN when either side is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length
  let mx = 0
  let my = 0
  for (let i = 0; i < n; i++) {
    mx += x[i] ?? 0
    my += y[i] ?? 0
  }
  mx /= n
  my /= n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    const dx = (x[i] ?? 0) - mx
    const dy = (y[i] ?? 0) - my
    sxy += dx * dy
    sxx += dx * dx
    syy += dy * dy
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy)
}

export interface CostMatrix {
  tp: number
  fp: number
  tn: number
  fn: number
}

export interface BusinessValue {
  costMatrix: CostMatrix
  /** Value per 1,000 predictions with the model's own labels. */
  atDefault: number
  /** Predict positive when the positive-class probability ≥ this; Infinity = never. */
  bestThreshold: number
  bestValue: number
  /** Value per 1,000 predictions at thresholds 0, 0.01, …, 1, for drawing. */
  curve: { threshold: number; value: number }[]
}

/** Row counts a business value is computed from. */
export interface OutcomeCounts {
  rows: number
  positives: number
  /** Rows the model's own labels call positive that are positive / negative. */
  predictedTp: number
  predictedFp: number
}

/**
 * Expected value per 1,000 predictions from a cost matrix, at the model's labels and at the
 * threshold on the positive-class probability that maximises it (ties keep the higher one).
 */
export function businessValue(
  isPositive: Uint8Array,
  predictedPositive: Uint8Array,
  probPositive: Float32Array | Float64Array,
  cost: CostMatrix,
  precomputed?: BinaryCurve,
): BusinessValue {
  const n = isPositive.length
  let positives = 0
  for (let i = 0; i < n; i++) positives += isPositive[i] ?? 0
  let dtp = 0
  let dfp = 0
  for (let i = 0; i < n; i++) {
    if (!predictedPositive[i]) continue
    if (isPositive[i]) dtp++
    else dfp++
  }
  const curve = precomputed ?? binaryClfCurve(isPositive, probPositive)
  return businessValueFromCounts(
    { rows: n, positives, predictedTp: dtp, predictedFp: dfp },
    cost,
    curve,
  )
}

/** `businessValue` from counts already taken (the confusion counts) and the binary curve. */
export function businessValueFromCounts(
  counts: OutcomeCounts,
  cost: CostMatrix,
  curve: BinaryCurve,
): BusinessValue {
  const { rows: n, positives } = counts
  const negatives = n - positives
  const value = (tp: number, fp: number): number =>
    ((tp * cost.tp + fp * cost.fp + (negatives - fp) * cost.tn + (positives - tp) * cost.fn) / n) *
    1000
  let bestThreshold = Infinity
  let bestValue = value(0, 0)
  for (let i = 0; i < curve.thresholds.length; i++) {
    const v = value(curve.tps[i] ?? 0, curve.fps[i] ?? 0)
    if (v > bestValue) {
      bestValue = v
      bestThreshold = curve.thresholds[i] ?? 0
    }
  }
  // The drawing grid: the counts at score ≥ t come from the nearest curve point at or above t.
  const grid: { threshold: number; value: number }[] = []
  let j = -1
  for (let g = 100; g >= 0; g--) {
    const t = g / 100
    while (j + 1 < curve.thresholds.length && (curve.thresholds[j + 1] ?? 0) >= t) j++
    grid.push({
      threshold: t,
      value: j < 0 ? value(0, 0) : value(curve.tps[j] ?? 0, curve.fps[j] ?? 0),
    })
  }
  grid.reverse()
  return {
    costMatrix: cost,
    atDefault: value(counts.predictedTp, counts.predictedFp),
    bestThreshold,
    bestValue,
    curve: grid,
  }
}

/** Indices of at most `max` evenly spread points of `length`, always the first and the last. */
export function thinIndices(length: number, max: number): number[] {
  if (length <= max) return Array.from({ length }, (_, i) => i)
  const step = (length - 1) / (max - 1)
  return Array.from({ length: max }, (_, i) => Math.round(i * step))
}

// Plain loops for the per-row array work: `TypedArray.from(src, fn)` calls a function per row,
// which costs more than the metrics themselves on a million rows.

/** `out[i] = lookup[codes[i]]`. */
export function mapCodes(codes: Int32Array, lookup: ArrayLike<number>): Int32Array {
  const out = new Int32Array(codes.length)
  for (let i = 0; i < codes.length; i++) out[i] = lookup[codes[i] ?? 0] ?? 0
  return out
}

/** 1 where `codes[i] === value`. */
export function maskEquals(codes: Int32Array, value: number): Uint8Array {
  const out = new Uint8Array(codes.length)
  for (let i = 0; i < codes.length; i++) out[i] = codes[i] === value ? 1 : 0
  return out
}

/** `out[i] = source[rows[i]]`. */
export function gatherInt32(source: Int32Array, rows: Uint32Array): Int32Array {
  const out = new Int32Array(rows.length)
  for (let i = 0; i < rows.length; i++) out[i] = source[rows[i] ?? 0] ?? 0
  return out
}

export function gatherFloat64(source: ArrayLike<number>, rows: Uint32Array): Float64Array {
  const out = new Float64Array(rows.length)
  for (let i = 0; i < rows.length; i++) out[i] = source[rows[i] ?? 0] ?? 0
  return out
}

/** 0, 1, …, n − 1. */
export function allRows(n: number): Uint32Array {
  const out = new Uint32Array(n)
  for (let i = 0; i < n; i++) out[i] = i
  return out
}
