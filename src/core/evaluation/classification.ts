// Turns a model's labels and probabilities into the classification report: sklearn-equal
// metrics, the reasons for undefined ones, per-class scores, curves and business value.
import type {
  ClassificationMetrics,
  CostMatrix,
  Curve,
  EvaluationResult,
} from '../../api/evaluation'
import {
  gatherInt32,
  mapCodes,
  maskEquals,
  averagePrecisionFromCurve,
  binaryClfCurve,
  brierBinary,
  brierMulticlass,
  businessValue,
  businessValueFromCounts,
  probabilitySummary,
  type OutcomeCounts,
  classScores,
  confusionMatrix,
  logLoss,
  macroAverage,
  prPoint,
  type BinaryCurve,
  rocAucFromCurve,
  rocFromCurve,
  thinIndices,
  weightedAverage,
} from './metrics'
import { SlipwayError } from '../../api/errors'
import { labelAt } from './class-names'

/** Labels as scikit-learn sorts them: numerically when every label is a number, else as text. */
export function sortLabels(labels: Iterable<string>): string[] {
  const unique = [...new Set(labels)]
  const numeric = unique.every((l) => l.trim() !== '' && Number.isFinite(Number(l)))
  return numeric
    ? unique.sort((a, b) => Number(a) - Number(b))
    : unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

export interface ClassificationData {
  /** Sorted union of the model's classes, the true labels and the predicted labels. */
  labels: string[]
  /** 1 where `labels[i]` is one of the model's probability columns. */
  modelClass: Uint8Array
  yTrue: Int32Array
  yPred: Int32Array
  /**
   * n × labels.length, row-major, columns in `labels` order; null without probabilities. A
   * model's float32 output is kept as it is (every float32 widens exactly to the same double).
   */
  proba: Float32Array | Float64Array | null
  /** Why probabilities cannot be used (NaN rows), when they cannot. */
  probaProblem: string | null
  binary: boolean
  /** Index of the positive class in `labels` (binary only). */
  positive: number | null
}

export interface LabelCodes {
  codes: Int32Array
  names: string[]
}

/**
 * Builds the common label space from the true labels, the model's predicted labels and its
 * probability columns (named by `probaClasses`), remapping every code to sorted order.
 */
export function prepareClassification(input: {
  truth: LabelCodes
  predicted: LabelCodes | null
  proba: Float32Array | Float64Array | null
  probaClasses: string[]
  positiveLabel: string | null
  nanRows: number
}): ClassificationData {
  const { truth, predicted, proba, probaClasses } = input
  const n = truth.codes.length
  const c = probaClasses.length
  const labels = sortLabels([...truth.names, ...(predicted?.names ?? []), ...probaClasses])
  const index = new Map(labels.map((l, i) => [l, i]))
  const codeOf = (name: string): number => {
    const code = index.get(name)
    if (code === undefined)
      throw new SlipwayError('INTERNAL', `label ${name} is not in the sorted labels`)
    return code
  }
  const remap = (codes: Int32Array, names: string[]): Int32Array => {
    const table = names.map(codeOf)
    // Already in sorted order (the usual 0, 1 labels): the codes are used as they are.
    return table.every((to, from) => to === from) ? codes : mapCodes(codes, table)
  }
  const yTrue = remap(truth.codes, truth.names)
  const columnOf = probaClasses.map(codeOf)
  let yPred: Int32Array
  if (predicted) yPred = remap(predicted.codes, predicted.names)
  else {
    // Without probabilities there is at most one column, so the argmax below reads none.
    if (!proba && c > 1)
      throw new SlipwayError('INTERNAL', `${c} probability classes without probabilities`)
    const scores = proba ?? new Float64Array(0)
    // numpy argmax: the first maximum (and the first NaN, if any).
    yPred = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      let best = 0
      for (let j = 1; j < c; j++) {
        const v = scores[i * c + j] ?? NaN
        const b = scores[i * c + best] ?? NaN
        if (Number.isNaN(b)) break
        if (Number.isNaN(v) || v > b) best = j
      }
      yPred[i] = columnOf[best] ?? 0
    }
  }
  const k = labels.length
  const modelClass = new Uint8Array(k)
  for (const col of columnOf) modelClass[col] = 1
  let full: Float32Array | Float64Array | null = null
  if (proba && c === k && columnOf.every((to, from) => to === from)) full = proba
  else if (proba) {
    full = new Float64Array(n * k)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < c; j++) full[i * k + (columnOf[j] ?? 0)] = proba[i * c + j] ?? 0
  }
  const binary = c === 2 || (c === 0 && labels.length <= 2)
  let positive: number | null = null
  if (binary) {
    const candidates = c === 2 ? probaClasses : labels
    const chosen =
      input.positiveLabel !== null && candidates.includes(input.positiveLabel)
        ? input.positiveLabel
        : (sortLabels(candidates).at(-1) ?? null)
    positive = chosen === null ? null : codeOf(chosen)
  }
  return {
    labels,
    modelClass,
    yTrue,
    yPred,
    proba: full,
    probaProblem:
      input.nanRows > 0 && proba ? `${input.nanRows} row(s) have NaN probabilities` : null,
    binary,
    positive,
  }
}

const NO_PROBA = 'the model outputs no class probabilities'
/** Up to this many labels the confusion counts are one k × k table (8 MB at the limit). */
const PAIR_COUNT_MAX_LABELS = 1024

export interface ClassificationReport {
  metrics: ClassificationMetrics
  reasons: Record<string, string>
  perClass: EvaluationResult['perClass']
  charts: Pick<EvaluationResult['charts'], 'roc' | 'pr' | 'calibration' | 'scoreHistogram'>
  businessValue: EvaluationResult['businessValue']
}

/**
 * A curve for drawing: at most `max` points, evenly spread over the curve's points and always
 * keeping the first and the last (`thinIndices`); `thinned` says when points were dropped. The
 * metrics are computed on every point; ROC points are sklearn's (drop_intermediate) before this.
 */
const toCurve = (
  label: string,
  x: Float64Array,
  y: Float64Array,
  thresholds: Float64Array,
  max: number,
): Curve => {
  const kept = thinIndices(x.length, max)
  return {
    label,
    x: kept.map((i) => x[i] ?? 0),
    y: kept.map((i) => y[i] ?? 0),
    thresholds: kept.map((i) => {
      const t = thresholds[i]
      return t !== undefined && Number.isFinite(t) ? t : null
    }),
    thinned: kept.length < x.length,
  }
}

/**
 * The PR curve for drawing, thinned like `toCurve`, read point by point from the binary curve:
 * the full curve (one point per distinct score, ~a million here) is never built.
 */
const prChart = (label: string, curve: BinaryCurve, max: number): Curve => {
  const length = curve.tps.length + 1
  const points = thinIndices(length, max).map((j) => prPoint(curve, j))
  return {
    label,
    x: points.map((p) => p.recall),
    y: points.map((p) => p.precision),
    thresholds: points.map((p) => (Number.isFinite(p.threshold) ? p.threshold : null)),
    thinned: points.length < length,
  }
}

const nullable = (v: number): number | null => (Number.isFinite(v) ? v : null)

/** Business-value counts from the k × k (true, predicted) counts, for the positive class. */
const outcomeCounts = (pairs: Float64Array, k: number, positive: number): OutcomeCounts => {
  let rows = 0
  let positives = 0
  let predictedFp = 0
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const count = pairs[t * k + p] ?? 0
      rows += count
      if (t === positive) positives += count
      else if (p === positive) predictedFp += count
    }
  }
  return { rows, positives, predictedTp: pairs[positive * k + positive] ?? 0, predictedFp }
}

/** The (true, predicted) counts of the labels present, as sklearn's label-wise metrics use them. */
interface LabelCounts {
  cm: number[][]
  correct: number
  /** The labels present (codes into `labels`), sorted. */
  present: number[]
  /** `present`'s position of each label code, −1 when absent. */
  compact: Int32Array
  /** 1 where a label occurs among the true labels. */
  trueMask: Uint8Array
  /** The k × k (true, predicted) counts, when k is small enough to count them in one table. */
  pairs: Float64Array | null
}

/**
 * Precision, recall, F1 and the confusion matrix use only the labels present (sklearn).
 * One pass counts every (true, predicted) pair; which labels are present, the confusion matrix
 * over them and the accuracy all follow from those counts. (Many labels: per-row passes.)
 */
function countLabels(yTrue: Int32Array, yPred: Int32Array, k: number): LabelCounts {
  const n = yTrue.length
  const presentMask = new Uint8Array(k)
  const trueMask = new Uint8Array(k)
  const compact = new Int32Array(k).fill(-1)
  const codes = Array.from({ length: k }, (_, i) => i)
  if (k <= PAIR_COUNT_MAX_LABELS) {
    const counts = new Float64Array(k * k)
    for (let i = 0; i < n; i++) {
      const at = (yTrue[i] ?? 0) * k + (yPred[i] ?? 0)
      counts[at] = (counts[at] ?? 0) + 1
    }
    let correct = 0
    for (let t = 0; t < k; t++) {
      correct += counts[t * k + t] ?? 0
      for (let p = 0; p < k; p++) {
        if ((counts[t * k + p] ?? 0) > 0) {
          presentMask[t] = 1
          presentMask[p] = 1
          trueMask[t] = 1
        }
      }
    }
    const present = codes.filter((i) => presentMask[i])
    const cm = present.map((t) => present.map((p) => counts[t * k + p] ?? 0))
    present.forEach((label, i) => (compact[label] = i))
    return { cm, correct, present, compact, trueMask, pairs: counts }
  }
  for (let i = 0; i < n; i++) {
    const t = yTrue[i] ?? 0
    presentMask[t] = 1
    presentMask[yPred[i] ?? 0] = 1
    trueMask[t] = 1
  }
  const present = codes.filter((i) => presentMask[i])
  present.forEach((label, i) => (compact[label] = i))
  const cm = confusionMatrix(mapCodes(yTrue, compact), mapCodes(yPred, compact), present.length)
  let correct = 0
  for (let i = 0; i < n; i++) if (yTrue[i] === yPred[i]) correct++
  return { cm, correct, present, compact, trueMask, pairs: null }
}

/** Why the probabilities cannot give the probability metrics, or null when they can. */
function probabilityProblem(data: ClassificationData, trueMask: Uint8Array): string | null {
  const { labels, yTrue, proba, modelClass } = data
  const n = yTrue.length
  if (n === 0) return 'no rows'
  if (!proba) return NO_PROBA
  if (data.probaProblem) return data.probaProblem
  if (!labels.some((_, i) => trueMask[i] && !modelClass[i])) return null
  const unknown = new Set<string>()
  for (let i = 0; i < n; i++) {
    const t = yTrue[i] ?? 0
    if (!modelClass[t]) unknown.add(labelAt(labels, t))
  }
  if (!unknown.size) return null
  return `true label(s) ${[...unknown]
    .slice(0, 5)
    .map((l) => JSON.stringify(l))
    .join(', ')} are not among the model's classes`
}

interface ReportParts {
  metrics: ClassificationMetrics
  reasons: Record<string, string>
  charts: ClassificationReport['charts']
  withCharts: boolean
  maxPoints: number
  costMatrix: CostMatrix | null
}

/**
 * ROC AUC, average precision, Brier score, curves and business value of the positive class:
 * one sorted pass over its scores serves them all. Returns the business value.
 */
function binaryProbabilityMetrics(
  data: ClassificationData,
  proba: Float32Array | Float64Array,
  positive: number,
  pairs: Float64Array | null,
  parts: ReportParts,
): ClassificationReport['businessValue'] {
  const { labels, yTrue, yPred } = data
  const { metrics, reasons, charts, withCharts, maxPoints, costMatrix } = parts
  const n = yTrue.length
  const k = labels.length
  // float32 scores stay float32, so the curve sorts their bits directly.
  const isPos = new Uint8Array(n)
  const score = proba instanceof Float32Array ? new Float32Array(n) : new Float64Array(n)
  let inRange = true
  for (let i = 0; i < n; i++) {
    isPos[i] = yTrue[i] === positive ? 1 : 0
    const v = proba[i * k + positive] ?? 0
    score[i] = v
    if (v < 0 || v > 1) inRange = false
  }
  const curve = binaryClfCurve(isPos, score)
  const roc = rocFromCurve(curve)
  const auc = rocAucFromCurve(curve, roc)
  metrics.rocAuc = nullable(auc.value)
  if (auc.reason) reasons.rocAuc = auc.reason
  metrics.prAuc = nullable(averagePrecisionFromCurve(curve))
  if (metrics.prAuc === null) reasons.prAuc = 'no positive rows'
  // Brier score, calibration curve and score histogram share one pass over the rows.
  const summary = withCharts && inRange ? probabilitySummary(isPos, score, 10, 20) : null
  metrics.brier = summary ? summary.brier : brierBinary(isPos, score)
  if (!withCharts) return null
  const positiveLabel = labelAt(labels, positive)
  if (auc.reason === undefined)
    charts.roc.push(toCurve(positiveLabel, roc.fpr, roc.tpr, roc.thresholds, maxPoints))
  charts.pr.push(prChart(positiveLabel, curve, maxPoints))
  if (summary) {
    charts.calibration = summary.calibration
    charts.scoreHistogram = summary.histogram
  }
  if (!costMatrix) return null
  // The counts at the model's own labels come from the confusion counts when taken.
  const bv = pairs
    ? businessValueFromCounts(outcomeCounts(pairs, k, positive), costMatrix, curve)
    : businessValue(isPos, maskEquals(yPred, positive), score, costMatrix, curve)
  return { ...bv, bestThreshold: Number.isFinite(bv.bestThreshold) ? bv.bestThreshold : null }
}

/** One-vs-rest ROC AUC and average precision over the model's classes, macro-averaged. */
function oneVsRestMetrics(
  data: ClassificationData,
  proba: Float32Array | Float64Array,
  modelCols: number[],
  parts: ReportParts,
): void {
  const { labels, yTrue } = data
  const { metrics, reasons, charts, withCharts, maxPoints } = parts
  const n = yTrue.length
  const k = labels.length
  const aucs: number[] = []
  const aps: number[] = []
  let aucReason: string | null = null
  for (const col of modelCols) {
    const isPos = maskEquals(yTrue, col)
    const score = proba instanceof Float32Array ? new Float32Array(n) : new Float64Array(n)
    for (let i = 0; i < n; i++) score[i] = proba[i * k + col] ?? 0
    const curve = binaryClfCurve(isPos, score)
    const auc = rocAucFromCurve(curve)
    if (auc.reason)
      aucReason = `class ${JSON.stringify(labels[col])} has no rows (one-vs-rest ROC AUC needs every class)`
    aucs.push(auc.value)
    aps.push(averagePrecisionFromCurve(curve))
    if (withCharts && !auc.reason) {
      const roc = rocFromCurve(curve)
      const label = labelAt(labels, col)
      charts.roc.push(toCurve(label, roc.fpr, roc.tpr, roc.thresholds, maxPoints))
      charts.pr.push(prChart(label, curve, maxPoints))
    }
  }
  if (aucReason) reasons.rocAuc = aucReason
  else metrics.rocAuc = aucs.reduce((a, b) => a + b, 0) / aucs.length
  metrics.prAuc = nullable(aps.reduce((a, b) => a + b, 0) / aps.length)
}

/** Everything about one set of rows; `withCharts` false for slices (scalars only). */
export function classificationReport(
  data: ClassificationData,
  options: { costMatrix?: CostMatrix | null; withCharts?: boolean; maxCurvePoints?: number } = {},
): ClassificationReport {
  const { labels, yTrue, proba, binary, positive } = data
  const n = yTrue.length
  const k = labels.length
  const reasons: Record<string, string> = {}
  const { cm, correct, present, compact, trueMask, pairs } = countLabels(yTrue, data.yPred, k)
  const scores = classScores(cm)
  const macro = macroAverage(scores)
  const weighted = weightedAverage(scores)

  const metrics: ClassificationMetrics = {
    accuracy: n ? correct / n : null,
    precision: null,
    recall: null,
    f1: null,
    precisionMacro: n ? macro.precision : null,
    recallMacro: n ? macro.recall : null,
    f1Macro: n ? macro.f1 : null,
    precisionWeighted: n ? weighted.precision : null,
    recallWeighted: n ? weighted.recall : null,
    f1Weighted: n ? weighted.f1 : null,
    rocAuc: null,
    prAuc: null,
    logLoss: null,
    brier: null,
    confusionMatrix: cm,
    labels: present.map((i) => labelAt(labels, i)),
  }
  if (n === 0) {
    for (const key of Object.keys(metrics))
      if (metrics[key as keyof ClassificationMetrics] === null) reasons[key] = 'no rows'
  }

  if (binary && positive !== null && n) {
    const pos = compact[positive] ?? -1
    if (pos < 0) {
      metrics.precision = 0
      metrics.recall = 0
      metrics.f1 = 0
    } else {
      metrics.precision = scores.precision[pos] ?? 0
      metrics.recall = scores.recall[pos] ?? 0
      metrics.f1 = scores.f1[pos] ?? 0
    }
  } else if (!binary) {
    for (const key of ['precision', 'recall', 'f1']) {
      reasons[key] = `binary only; this model has ${k} classes (see ${key}Macro and ${key}Weighted)`
    }
  }

  const perClass = present.map((label, i) => ({
    label: labelAt(labels, label),
    precision: scores.precision[i] ?? 0,
    recall: scores.recall[i] ?? 0,
    f1: scores.f1[i] ?? 0,
    support: scores.support[i] ?? 0,
  }))

  const parts: ReportParts = {
    metrics,
    reasons,
    charts: { roc: [], pr: [], calibration: null, scoreHistogram: null },
    withCharts: options.withCharts ?? true,
    maxPoints: options.maxCurvePoints ?? 1000,
    costMatrix: options.costMatrix ?? null,
  }
  let business: ClassificationReport['businessValue'] = null
  const probaReason = probabilityProblem(data, trueMask)
  if (probaReason) {
    for (const key of ['rocAuc', 'prAuc', 'logLoss', 'brier']) reasons[key] = probaReason
  } else if (proba) {
    // Log loss over the model's own classes, in sorted order (sklearn's `labels=`).
    const modelCols = labels.map((_, i) => i).filter((i) => data.modelClass[i])
    const kc = modelCols.length
    const colIndex = new Int32Array(k).fill(-1)
    modelCols.forEach((col, j) => (colIndex[col] = j))
    // Every label is one of the model's classes (the usual case): no copy, no remapping.
    let sub: Float32Array | Float64Array = proba
    let yModel = yTrue
    if (kc !== k) {
      const copy = new Float64Array(n * kc)
      for (let i = 0; i < n; i++)
        for (let j = 0; j < kc; j++) copy[i * kc + j] = proba[i * k + (modelCols[j] ?? 0)] ?? 0
      sub = copy
      yModel = mapCodes(yTrue, colIndex)
    }
    metrics.logLoss = logLoss(yModel, sub, kc)
    if (binary && positive !== null) {
      business = binaryProbabilityMetrics(data, proba, positive, pairs, parts)
    } else {
      oneVsRestMetrics(data, proba, modelCols, parts)
      metrics.brier = brierMulticlass(yModel, sub, kc)
      if (options.costMatrix)
        reasons.businessValue = 'a cost matrix applies to binary classification only'
    }
  }
  return { metrics, reasons, perClass, charts: parts.charts, businessValue: business }
}

/** The subset of rows `rows` (indices), with the same label space. */
export function subsetClassification(
  data: ClassificationData,
  rows: Uint32Array,
): ClassificationData {
  const k = data.labels.length
  let proba: Float64Array | null = null
  const source = data.proba
  if (source) {
    const subset = new Float64Array(rows.length * k)
    rows.forEach((r, i) => subset.set(source.subarray(r * k, r * k + k), i * k))
    proba = subset
  }
  return {
    ...data,
    yTrue: gatherInt32(data.yTrue, rows),
    yPred: gatherInt32(data.yPred, rows),
    proba,
  }
}

/** Scalar metrics only, for slice tables and gates. */
export function scalarMetrics(metrics: Record<string, unknown>): Record<string, number | null> {
  const out: Record<string, number | null> = {}
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value === 'number') out[key] = Number.isFinite(value) ? value : null
    else if (value === null) out[key] = null
  }
  return out
}
