// Model performance in a drift report: realised metrics on labelled rows (reference, current, per
// window, per reference chunk), the bounds each metric is judged against (NannyML's reference
// chunks' mean ± 3 std, or an absolute drop), and the verdict with its reason.
import type { MetricThreshold } from '../../api/drift'
import type { Column } from '../data/table'
import { rocAuc } from '../evaluation/metrics'
import { labelText, type ModelRun } from '../evaluation/run'

/** A classifier's outputs indexed by class: what the metrics and CBPE work on. */
export interface ClassifierOutputs {
  classes: string[]
  /** Index into `classes`; -1 where the model gave none. */
  predicted: Int32Array
  /** rows × classes.length, row-major; null when the model gives no probabilities. */
  proba: Float32Array | Float64Array | null
  /** The positive class of a binary classifier (index into `classes`). */
  positive: number
}

/** The model's classes and outputs as indices, or null for a regression or a label-less run. */
export function classifierOutputs(
  run: ModelRun,
  rowCount: number,
  positiveClass: string | null,
  /** Classes already known (the other side's), so both sides index classes alike. */
  known: readonly string[] = [],
): ClassifierOutputs | null {
  if (run.task !== 'classification') return null
  const classes = [...known]
  if (run.proba) for (const c of run.probaClasses) if (!classes.includes(c)) classes.push(c)
  const index = new Map(classes.map((c, i) => [c, i]))
  const predicted = new Int32Array(rowCount).fill(-1)
  if (run.predicted) {
    const lookup = run.predicted.names.map((name) => {
      let i = index.get(name)
      if (i === undefined) {
        i = classes.length
        classes.push(name)
        index.set(name, i)
      }
      return i
    })
    for (let r = 0; r < rowCount; r++) {
      const code = run.predicted.codes[r] ?? -1
      predicted[r] = code < 0 ? -1 : (lookup[code] ?? 0)
    }
  } else if (run.proba && run.probaClasses.length) {
    const k = run.probaClasses.length
    const lookup = run.probaClasses.map((c) => classes.indexOf(c))
    for (let r = 0; r < rowCount; r++) {
      let best = 0
      for (let c = 1; c < k; c++)
        if ((run.proba[r * k + c] ?? 0) > (run.proba[r * k + best] ?? 0)) best = c
      predicted[r] = lookup[best] ?? 0
    }
  }
  if (!classes.length) return null
  // Probabilities are indexed like `classes`: reorder when the known classes came first.
  let proba: Float32Array | Float64Array | null = null
  if (run.proba && run.probaClasses.length) {
    const k = run.probaClasses.length
    if (classes.length === k && run.probaClasses.every((c, i) => classes[i] === c))
      proba = run.proba
    else {
      const width = classes.length
      const moved = new Float64Array(rowCount * width)
      const to = run.probaClasses.map((c) => classes.indexOf(c))
      for (let r = 0; r < rowCount; r++)
        for (let c = 0; c < k; c++) moved[r * width + (to[c] ?? 0)] = run.proba[r * k + c] ?? 0
      proba = moved
    }
  }
  const positive =
    classes.length === 2 ? Math.max(0, positiveClass ? classes.indexOf(positiveClass) : 1) : -1
  return { classes, predicted, proba, positive }
}

/**
 * The label column as class indices: -1 where missing, -2 for a label the model never outputs
 * (it counts as a wrong prediction).
 */
export function truthCodes(
  truth: Column,
  classes: readonly string[],
  rowCount: number,
): Int32Array {
  const index = new Map(classes.map((c, i) => [c, i]))
  const out = new Int32Array(rowCount)
  for (let r = 0; r < rowCount; r++) {
    const text = labelText(truth, r)
    out[r] = text === null ? -1 : (index.get(text) ?? -2)
  }
  return out
}

/** Accuracy, F1 (binary: of the positive class; multiclass: macro) and ROC AUC on some rows. */
export function classificationMetrics(
  out: ClassifierOutputs,
  truth: Int32Array,
  rows: Uint32Array,
): Record<string, number | null> {
  const k = out.classes.length
  let n = 0
  let right = 0
  const tp = new Float64Array(k)
  const fp = new Float64Array(k)
  const fn = new Float64Array(k)
  const seen = new Uint8Array(k)
  const inTruth = new Uint8Array(k)
  for (const r of rows) {
    const t = truth[r] ?? -1
    if (t === -1) continue
    const p = out.predicted[r] ?? -1
    n++
    if (t === p) {
      right++
      tp[t] = (tp[t] ?? 0) + 1
    } else {
      if (p >= 0) fp[p] = (fp[p] ?? 0) + 1
      if (t >= 0) fn[t] = (fn[t] ?? 0) + 1
    }
    if (t >= 0) {
      seen[t] = 1
      inTruth[t] = 1
    }
    if (p >= 0) seen[p] = 1
  }
  if (n === 0) return { accuracy: null, f1: null, rocAuc: null, labelled: 0 }
  const f1Of = (c: number): number => {
    const d = 2 * (tp[c] ?? 0) + (fp[c] ?? 0) + (fn[c] ?? 0)
    return d === 0 ? 0 : (2 * (tp[c] ?? 0)) / d
  }
  let f1: number
  if (k === 2) f1 = f1Of(out.positive)
  else {
    let sum = 0
    let count = 0
    for (let c = 0; c < k; c++)
      if (seen[c]) {
        sum += f1Of(c)
        count++
      }
    f1 = count ? sum / count : 0
  }
  return { accuracy: right / n, f1, rocAuc: rocAucOn(out, truth, rows, inTruth), labelled: n }
}

/** Binary ROC AUC of the positive class, or the macro one-vs-rest mean over every class. */
function rocAucOn(
  out: ClassifierOutputs,
  truth: Int32Array,
  rows: Uint32Array,
  inTruth: Uint8Array,
): number | null {
  if (!out.proba) return null
  const k = out.classes.length
  let n = 0
  for (const r of rows) if ((truth[r] ?? -1) !== -1) n++
  const classes = k === 2 ? [out.positive] : Array.from({ length: k }, (_, c) => c)
  if (k > 2 && !classes.every((c) => inTruth[c])) return null
  let sum = 0
  for (const c of classes) {
    const isPositive = new Uint8Array(n)
    // Float32 scores stay float32: the ROC curve then takes its radix path on their bits.
    const scores = out.proba instanceof Float32Array ? new Float32Array(n) : new Float64Array(n)
    let i = 0
    for (const r of rows) {
      const t = truth[r] ?? -1
      if (t === -1) continue
      isPositive[i] = t === c ? 1 : 0
      scores[i++] = out.proba[r * k + c] ?? 0
    }
    const auc = rocAuc(isPositive, scores).value
    if (!Number.isFinite(auc)) return null
    sum += auc
  }
  return sum / classes.length
}

/** MAE and RMSE of a regression's predictions on some rows. */
export function regressionMetricsOn(
  prediction: Float64Array,
  truth: Column,
  rows: Uint32Array,
): Record<string, number | null> {
  if (truth.kind !== 'numeric') return { mae: null, rmse: null, labelled: 0 }
  let abs = 0
  let sq = 0
  let n = 0
  for (const r of rows) {
    const t = truth.values[r] ?? NaN
    const p = prediction[r] ?? NaN
    if (Number.isNaN(t) || Number.isNaN(p)) continue
    n++
    abs += Math.abs(p - t)
    sq += (p - t) ** 2
  }
  return { mae: n ? abs / n : null, rmse: n ? Math.sqrt(sq / n) : null, labelled: n }
}

const LOWER_IS_BETTER = new Set(['mae', 'rmse'])
export const higherIsBetter = (metric: string): boolean => !LOWER_IS_BETTER.has(metric)

/** Population mean and standard deviation (ddof 0, as NannyML's thresholds use). */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length
  return { mean, std: Math.sqrt(variance) }
}

/**
 * The bounds of a metric: an absolute drop from the reference's value when one is set, else the
 * reference chunks' mean ± 3 standard deviations. Null when neither can be had.
 */
export function metricThreshold(
  metric: string,
  reference: number | null,
  chunkValues: readonly (number | null)[],
  drop: number | null,
): MetricThreshold | null {
  const higher = higherIsBetter(metric)
  if (drop !== null) {
    if (reference === null) return null
    return {
      rule: 'absolute-drop',
      higherIsBetter: higher,
      lower: higher ? reference - drop : null,
      upper: higher ? null : reference + drop,
      mean: null,
      std: null,
      drop,
    }
  }
  const values = chunkValues.filter((v): v is number => v !== null && Number.isFinite(v))
  if (values.length < 2) return null
  const { mean, std } = meanStd(values)
  return {
    rule: 'reference-chunks',
    higherIsBetter: higher,
    lower: mean - 3 * std,
    upper: mean + 3 * std,
    mean,
    std,
    drop: null,
  }
}

/** Worse than its bounds allow (only the bad direction: a better model is not degraded). */
export function isDegraded(value: number | null, threshold: MetricThreshold | null): boolean {
  if (value === null || threshold === null) return false
  return threshold.higherIsBetter
    ? threshold.lower !== null && value < threshold.lower
    : threshold.upper !== null && value > threshold.upper
}

export const METRIC_NAMES: Record<string, string> = {
  accuracy: 'accuracy',
  f1: 'F1',
  rocAuc: 'ROC AUC',
  mae: 'MAE',
  rmse: 'RMSE',
}

/** Two decimals for scores in [0, 1] (as people quote accuracy), three figures otherwise. */
export function metricText(metric: string, value: number | null): string {
  if (value === null) return 'n/a'
  if (higherIsBetter(metric)) return value.toFixed(2)
  return String(Number(value.toPrecision(3)))
}

/** "the reference chunks' band 0.97–1.00" or "a drop of more than 0.05 from 0.99". */
export function boundsText(metric: string, t: MetricThreshold, reference: number | null): string {
  if (t.rule === 'absolute-drop')
    return `${t.higherIsBetter ? 'a drop' : 'a rise'} of more than ${t.drop} from the reference's ${metricText(metric, reference)}`
  const bound = t.higherIsBetter ? t.lower : t.upper
  return `the reference chunks' mean ± 3 std (${metricText(metric, t.mean)} ± ${metricText(metric, t.std === null ? null : 3 * t.std)}, ${t.higherIsBetter ? 'lower' : 'upper'} bound ${metricText(metric, bound)})`
}
