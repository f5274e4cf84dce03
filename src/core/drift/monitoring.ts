// The "is it still working?" sections of a drift report, in the order a team asks: realised
// performance (both sides labelled) or CBPE's estimate (current unlabelled), target drift,
// multivariate drift, and a production log's served outputs, latency and business value.
import type {
  DriftReport,
  DriftSettings,
  EstimatedPerformance,
  LogWindow,
  MetricThreshold,
  MultivariateDrift,
  Performance,
  ProductionLog,
} from '../../api/drift'
import type { Column } from '../data/table'
import { SlipwayError } from '../../api/errors'
import { quantile } from '../numeric'
import { labelText } from '../evaluation/run'
import { estimateMetrics, fitCbpe } from './cbpe'
import { fmt, type WindowPlan } from './engine'
import { fitPca, meanOf, reconstructionErrors } from './multivariate'
import {
  boundsText,
  classificationMetrics,
  isDegraded,
  meanStd,
  METRIC_NAMES,
  metricText,
  metricThreshold,
  regressionMetricsOn,
  type ClassifierOutputs,
} from './performance'

/** One side's model outputs and labels, as the sections need them. */
export interface LabelledSide {
  rowCount: number
  classifier: ClassifierOutputs | null
  /** Regression predictions. */
  prediction: Float64Array | null
  truth: Column | null
  /** Class indices of the labels (classification). */
  truthCodes: Int32Array | null
  /** Labelled rows. */
  labelled: number
}

type Metrics = Record<string, number | null>

const CLASSIFICATION_METRICS = ['accuracy', 'f1', 'rocAuc'] as const
const REGRESSION_METRICS = ['mae', 'rmse'] as const

function metricsOf(side: LabelledSide, rows: Uint32Array): Metrics {
  if (side.classifier && side.truthCodes)
    return classificationMetrics(side.classifier, side.truthCodes, rows)
  if (side.prediction && side.truth) return regressionMetricsOn(side.prediction, side.truth, rows)
  return {}
}

interface Judged {
  thresholds: Record<string, MetricThreshold>
  degradedMetrics: string[]
}

function judge(
  names: readonly string[],
  reference: Metrics,
  chunkMetrics: Metrics[],
  current: Metrics,
  drop: number | null,
): Judged {
  const thresholds: Record<string, MetricThreshold> = {}
  const degradedMetrics: string[] = []
  for (const name of names) {
    const t = metricThreshold(
      name,
      reference[name] ?? null,
      chunkMetrics.map((m) => m[name] ?? null),
      drop,
    )
    if (!t) continue
    thresholds[name] = t
    if (isDegraded(current[name] ?? null, t)) degradedMetrics.push(name)
  }
  return { thresholds, degradedMetrics }
}

const noBounds: MetricThreshold = {
  rule: 'reference-chunks',
  higherIsBetter: true,
  lower: null,
  upper: null,
  mean: null,
  std: null,
  drop: null,
}

/** What the performance sections read: both labelled sides, the reference chunks and windows. */
export interface PerformanceInputs {
  ref: LabelledSide
  cur: LabelledSide
  referenceChunks: Uint32Array[]
  windows: WindowPlan[] | null
  settings: DriftSettings
  allRef: Uint32Array
  allCur: Uint32Array
}

/** Realised metrics on both sides, their change, bounds and the verdict, overall and per window. */
export function performanceSection(inputs: PerformanceInputs): Performance {
  const { ref, cur, referenceChunks, windows, settings, allRef, allCur } = inputs
  const truth = cur.truth
  if (!truth)
    throw new SlipwayError('INTERNAL', 'realised performance needs labels on current data')
  const task = ref.classifier ? 'classification' : 'regression'
  const names = task === 'classification' ? CLASSIFICATION_METRICS : REGRESSION_METRICS
  const metric = names[0]
  const reference = metricsOf(ref, allRef)
  const current = metricsOf(cur, allCur)
  const chunkMetrics = referenceChunks.map((rows) => metricsOf(ref, rows))
  const { thresholds, degradedMetrics } = judge(
    names,
    reference,
    chunkMetrics,
    current,
    settings.performanceDrop,
  )
  const change: Metrics = {}
  for (const name of names) {
    const a = reference[name] ?? null
    const b = current[name] ?? null
    change[name] = a === null || b === null ? null : b - a
  }
  // The headline metric leads when it degraded; others follow.
  degradedMetrics.sort((a, b) => (a === metric ? -1 : b === metric ? 1 : 0))
  const threshold = thresholds[metric] ?? noBounds
  const windowItems = (windows ?? []).map((w) => {
    const m = metricsOf(cur, w.rows)
    return {
      label: w.label,
      rows: w.rows.length,
      metrics: m,
      degraded: names.some((n) => isDegraded(m[n] ?? null, thresholds[n] ?? null)),
    }
  })
  return {
    task,
    metric,
    labelColumn: truth.name,
    reference,
    current,
    change,
    degraded: degradedMetrics.length > 0,
    degradedMetrics,
    threshold,
    thresholds,
    referenceChunks: chunkMetrics,
    windows: windowItems,
    why: verdictText('', metric, reference, current, thresholds, degradedMetrics),
  }
}

/** "Accuracy fell from 0.99 to 0.71, below the reference chunks' …" — one sentence per verdict. */
function verdictText(
  prefix: string,
  metric: string,
  reference: Metrics,
  current: Metrics,
  thresholds: Record<string, MetricThreshold>,
  degraded: string[],
): string {
  const lead = degraded[0] ?? metric
  const t = thresholds[lead]
  const a = reference[lead] ?? null
  const b = current[lead] ?? null
  const name = METRIC_NAMES[lead] ?? lead
  const moved =
    a === null || b === null
      ? `${name} could not be computed on both sides`
      : `${prefix}${name} ${b < a ? 'fell' : b > a ? 'rose' : 'stayed'} ${b === a ? `at ${metricText(lead, a)}` : `from ${metricText(lead, a)} to ${metricText(lead, b)}`}`
  if (!t) return `${moved}; no bounds (the reference has too few labelled chunks).`
  const others = degraded.slice(1).map((m) => METRIC_NAMES[m] ?? m)
  return degraded.length
    ? `${capitalize(moved)}, beyond ${boundsText(lead, t, a)}: degraded${others.length ? ` (also ${others.join(', ')})` : ''}.`
    : `${capitalize(moved)}, within ${boundsText(lead, t, a)}: not degraded.`
}

const capitalize = (t: string): string => t.charAt(0).toUpperCase() + t.slice(1)

/** CBPE on unlabelled current data, with bounds from the reference chunks' realised metrics. */
export function estimatedSection(inputs: PerformanceInputs): EstimatedPerformance | string {
  const { ref, cur, referenceChunks, windows, settings, allRef, allCur } = inputs
  const classifier = cur.classifier
  if (!ref.classifier || !ref.truthCodes || !classifier)
    return 'Estimated performance (CBPE) is for classifiers; a regression needs labels on current data for its MAE and RMSE.'
  if (!ref.classifier.proba)
    return 'Estimated performance (CBPE) needs the model to output probabilities; this one gives labels only.'
  const model = fitCbpe(ref.classifier, ref.truthCodes, allRef)
  if (!model) return 'Estimated performance (CBPE) needs labelled reference rows to calibrate on.'
  const metric = 'accuracy'
  const reference = metricsOf(ref, allRef)
  const estimate = estimateMetrics(model, classifier, allCur)
  const current: Metrics = { ...estimate }
  const chunkMetrics = referenceChunks.map((rows) => metricsOf(ref, rows))
  const { thresholds, degradedMetrics } = judge(
    CLASSIFICATION_METRICS,
    reference,
    chunkMetrics,
    current,
    settings.performanceDrop,
  )
  degradedMetrics.sort((a, b) => (a === metric ? -1 : b === metric ? 1 : 0))
  const t = thresholds[metric]
  return {
    method: 'CBPE',
    metric,
    metrics: estimate,
    reference,
    lower: t?.lower ?? null,
    upper: t?.upper ?? null,
    thresholds,
    degraded: degradedMetrics.length > 0,
    degradedMetrics,
    windows: (windows ?? []).map((w) => {
      const m: Metrics = { ...estimateMetrics(model, classifier, w.rows) }
      return {
        label: w.label,
        rows: w.rows.length,
        metrics: m,
        degraded: CLASSIFICATION_METRICS.some((n) =>
          isDegraded(m[n] ?? null, thresholds[n] ?? null),
        ),
      }
    }),
    why: `${verdictText('estimated ', metric, reference, current, thresholds, degradedMetrics)} CBPE calibrates the scores on the reference labels and assumes the relation between score and label holds: it cannot see concept drift.`,
  }
}

/** PCA reconstruction error of the numeric features, reference chunks setting the bounds. */
export function multivariateSection(
  names: string[],
  refColumns: Float64Array[],
  curColumns: Float64Array[],
  referenceChunks: Uint32Array[],
  windows: WindowPlan[] | null,
  variance: number,
): MultivariateDrift | string {
  if (names.length < 2)
    return `Multivariate drift needs at least two numeric feature columns; there ${names.length === 1 ? 'is one' : 'are none'}.`
  const model = fitPca(names, refColumns, variance)
  if (model.k === 0)
    return 'Multivariate drift not checked: every numeric feature column is constant in the reference.'
  const refErrors = reconstructionErrors(model, refColumns)
  const curErrors = reconstructionErrors(model, curColumns)
  const chunkErrors = referenceChunks.map((rows) => meanOf(refErrors, rows) ?? 0)
  const { mean, std } = meanStd(chunkErrors)
  const lower = mean - 3 * std
  const upper = mean + 3 * std
  const referenceError = meanOf(refErrors) ?? 0
  const currentError = meanOf(curErrors) ?? 0
  const outside = (e: number | null): boolean => e !== null && (e > upper || e < lower)
  const drifted = outside(currentError)
  const percent = `${Number((model.explained * 100).toPrecision(3))}%`
  return {
    method: 'pca-reconstruction',
    columns: names,
    components: model.k,
    explainedVariance: model.explained,
    referenceError,
    currentError,
    threshold: { lower, upper, mean, std },
    referenceChunks: chunkErrors,
    drifted,
    windows: (windows ?? []).map((w) => {
      const error = meanOf(curErrors, w.rows)
      return { label: w.label, error, drifted: outside(error) }
    }),
    why: `PCA reconstruction error of ${names.length} numeric columns (${model.k} component${model.k === 1 ? '' : 's'} keeping ${percent} of the reference's variance) is ${fmt(currentError)} against the reference's ${fmt(referenceError)}; ${drifted ? 'outside' : 'within'} the reference chunks' mean ± 3 std (${fmt(lower)}–${fmt(upper)}): ${drifted ? 'the way the columns move together changed' : 'no multivariate drift'}.`,
  }
}

/** Latency p50/p95, value, and served-vs-recomputed agreement on some rows of a prediction log. */
function logWindow(
  label: string,
  rows: Uint32Array,
  log: LogColumns,
  recomputed: Recomputed | null,
): LogWindow {
  let agreement: number | null = null
  let maxScoreDifference: number | null = null
  if (recomputed && log.prediction) {
    let same = 0
    let n = 0
    for (const r of rows) {
      const served = labelText(log.prediction, r)
      const local = recomputed.label(r)
      if (served === null || local === null) continue
      n++
      if (served === local || closeNumbers(served, local)) same++
    }
    agreement = n ? same / n : null
  }
  if (recomputed?.score && log.score?.kind === 'numeric') {
    let max = 0
    let n = 0
    for (const r of rows) {
      const s = log.score.values[r] ?? NaN
      const l = recomputed.score[r] ?? NaN
      if (Number.isNaN(s) || Number.isNaN(l)) continue
      n++
      max = Math.max(max, Math.abs(s - l))
    }
    maxScoreDifference = n ? max : null
    if (!log.prediction && n) {
      let same = 0
      for (const r of rows) {
        const s = log.score.values[r] ?? NaN
        const l = recomputed.score[r] ?? NaN
        if (!Number.isNaN(s) && !Number.isNaN(l) && Math.abs(s - l) <= SCORE_TOLERANCE) same++
      }
      agreement = same / n
    }
  }
  const numbers = (c: Column | null): Float64Array | null => {
    if (c?.kind !== 'numeric') return null
    const out: number[] = []
    for (const r of rows) {
      const v = c.values[r] ?? NaN
      if (!Number.isNaN(v)) out.push(v)
    }
    return Float64Array.from(out)
  }
  const latency = numbers(log.latency)
  const value = numbers(log.value)
  const total = value?.length ? value.reduce((s, v) => s + v, 0) : null
  return {
    label,
    rows: rows.length,
    agreement,
    maxScoreDifference,
    latencyP50: latency?.length ? quantile(latency, 0.5) : null,
    latencyP95: latency?.length ? quantile(latency, 0.95) : null,
    valueTotal: total,
    valueMean: total === null || !value ? null : total / value.length,
  }
}

/** Served and recomputed scores agree within float32 rounding of a probability. */
export const SCORE_TOLERANCE = 1e-4

const closeNumbers = (a: string, b: string): boolean => {
  const x = Number(a)
  const y = Number(b)
  return (
    a.trim() !== '' &&
    Number.isFinite(x) &&
    Number.isFinite(y) &&
    Math.abs(x - y) <= SCORE_TOLERANCE * Math.max(1, Math.abs(y))
  )
}

export interface LogColumns {
  prediction: Column | null
  score: Column | null
  latency: Column | null
  value: Column | null
}

/** The local model's output per row: its label (or value) as text, and its positive score. */
export interface Recomputed {
  label(row: number): string | null
  score: Float64Array | null
}

export function logSection(
  log: LogColumns,
  recomputed: Recomputed | null,
  rowCount: number,
  allRows: Uint32Array,
  windows: WindowPlan[] | null,
): ProductionLog {
  const notes: string[] = []
  if ((log.prediction || log.score) && !recomputed)
    notes.push('No model was run, so served outputs are not compared with recomputed ones.')
  for (const [role, column] of [
    ['latency', log.latency],
    ['business value', log.value],
    ['served score', log.score],
  ] as const)
    if (column && column.kind !== 'numeric')
      notes.push(`The ${role} column "${column.name}" is not numeric; it is left out.`)
  return {
    columns: {
      prediction: log.prediction?.name ?? null,
      score: log.score?.name ?? null,
      latency: log.latency?.name ?? null,
      value: log.value?.name ?? null,
    },
    overall: logWindow(`all ${rowCount.toLocaleString('en-US')} rows`, allRows, log, recomputed),
    windows: (windows ?? []).map((w) => logWindow(w.label, w.rows, log, recomputed)),
    notes,
  }
}

/** The one-line answer, performance first, then the data. */
export function headlineOf(report: Omit<DriftReport, 'headline'>): string {
  const p = report.performance
  if (p) {
    const lead = p.degradedMetrics[0] ?? p.metric
    const name = METRIC_NAMES[lead] ?? lead
    return `Performance ${p.degraded ? 'degraded' : 'stable'}: ${name} ${metricText(lead, p.reference[lead] ?? null)} → ${metricText(lead, p.current[lead] ?? null)}`
  }
  const e = report.estimatedPerformance
  if (e) {
    const lead = e.degradedMetrics[0] ?? e.metric
    const name = METRIC_NAMES[lead] ?? lead
    const value = (e.metrics as Record<string, number | null>)[lead] ?? null
    return `Estimated performance ${e.degraded ? 'degraded' : 'stable'}: ${name} ${metricText(lead, e.reference[lead] ?? null)} → ~${metricText(lead, value)} (CBPE, no labels)`
  }
  const features = `${report.driftedColumns} of ${report.testedColumns} feature columns drifted`
  return report.datasetDrift ? `Dataset drift: ${features}` : `No dataset drift: ${features}`
}
