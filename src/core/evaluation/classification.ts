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
  const remap = (codes: Int32Array, names: string[]): Int32Array => {
    const table = names.map((name) => index.get(name)!)
    // Already in sorted order (the usual 0, 1 labels): the codes are used as they are.
    return table.every((to, from) => to === from) ? codes : mapCodes(codes, table)
  }
  const yTrue = remap(truth.codes, truth.names)
  const columnOf = probaClasses.map((name) => index.get(name)!)
  let yPred: Int32Array
  if (predicted) yPred = remap(predicted.codes, predicted.names)
  else {
    // numpy argmax: the first maximum (and the first NaN, if any).
    yPred = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      let best = 0
      for (let j = 1; j < c; j++) {
        const v = proba![i * c + j]!
        const b = proba![i * c + best]!
        if (Number.isNaN(b)) break
        if (Number.isNaN(v) || v > b) best = j
      }
      yPred[i] = columnOf[best]!
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
      for (let j = 0; j < c; j++) full[i * k + columnOf[j]!] = proba[i * c + j]!
  }
  const binary = c === 2 || (c === 0 && labels.length <= 2)
  let positive: number | null = null
  if (binary) {
    const candidates = c === 2 ? probaClasses : labels
    const chosen =
      input.positiveLabel !== null && candidates.includes(input.positiveLabel)
        ? input.positiveLabel
        : (sortLabels(candidates).at(-1) ?? null)
    positive = chosen === null ? null : index.get(chosen)!
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
    x: kept.map((i) => x[i]!),
    y: kept.map((i) => y[i]!),
    thresholds: kept.map((i) =>
      i < thresholds.length && Number.isFinite(thresholds[i]!) ? thresholds[i]! : null,
    ),
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
      const count = pairs[t * k + p]!
      rows += count
      if (t === positive) positives += count
      else if (p === positive) predictedFp += count
    }
  }
  return { rows, positives, predictedTp: pairs[positive * k + positive]!, predictedFp }
}

/** Everything about one set of rows; `withCharts` false for slices (scalars only). */
export function classificationReport(
  data: ClassificationData,
  options: { costMatrix?: CostMatrix | null; withCharts?: boolean; maxCurvePoints?: number } = {},
): ClassificationReport {
  const { labels, yTrue, yPred, proba, binary, positive } = data
  const n = yTrue.length
  const k = labels.length
  const reasons: Record<string, string> = {}
  const withCharts = options.withCharts ?? true
  const maxPoints = options.maxCurvePoints ?? 1000

  // Precision, recall, F1 and the confusion matrix use only the labels present (sklearn).
  // One pass counts every (true, predicted) pair; which labels are present, the confusion matrix
  // over them and the accuracy all follow from those counts. (Many labels: per-row passes.)
  const presentMask = new Uint8Array(k)
  const trueMask = new Uint8Array(k)
  let cm: number[][]
  let correct = 0
  let present: number[]
  const compact = new Int32Array(k).fill(-1)
  let pairs: Float64Array | null = null
  if (k <= PAIR_COUNT_MAX_LABELS) {
    const counts = new Float64Array(k * k)
    pairs = counts
    for (let i = 0; i < n; i++) counts[yTrue[i]! * k + yPred[i]!]!++
    for (let t = 0; t < k; t++) {
      correct += counts[t * k + t]!
      for (let p = 0; p < k; p++) {
        if (counts[t * k + p]! > 0) {
          presentMask[t] = 1
          presentMask[p] = 1
          trueMask[t] = 1
        }
      }
    }
    present = labels.map((_, i) => i).filter((i) => presentMask[i])
    cm = present.map((t) => present.map((p) => counts[t * k + p]!))
    present.forEach((label, i) => (compact[label] = i))
  } else {
    for (let i = 0; i < n; i++) {
      presentMask[yTrue[i]!] = 1
      presentMask[yPred[i]!] = 1
      trueMask[yTrue[i]!] = 1
    }
    present = labels.map((_, i) => i).filter((i) => presentMask[i])
    present.forEach((label, i) => (compact[label] = i))
    cm = confusionMatrix(mapCodes(yTrue, compact), mapCodes(yPred, compact), present.length)
    for (let i = 0; i < n; i++) if (yTrue[i] === yPred[i]) correct++
  }
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
    labels: present.map((i) => labels[i]!),
  }
  if (n === 0) {
    for (const key of Object.keys(metrics))
      if (metrics[key as keyof ClassificationMetrics] === null) reasons[key] = 'no rows'
  }

  if (binary && positive !== null && n) {
    const pos = compact[positive]!
    if (pos < 0) {
      metrics.precision = 0
      metrics.recall = 0
      metrics.f1 = 0
    } else {
      metrics.precision = scores.precision[pos]!
      metrics.recall = scores.recall[pos]!
      metrics.f1 = scores.f1[pos]!
    }
  } else if (!binary) {
    for (const key of ['precision', 'recall', 'f1']) {
      reasons[key] = `binary only; this model has ${k} classes (see ${key}Macro and ${key}Weighted)`
    }
  }

  const perClass = present.map((label, i) => ({
    label: labels[label]!,
    precision: scores.precision[i]!,
    recall: scores.recall[i]!,
    f1: scores.f1[i]!,
    support: scores.support[i]!,
  }))

  const charts: ClassificationReport['charts'] = {
    roc: [],
    pr: [],
    calibration: null,
    scoreHistogram: null,
  }
  let business: ClassificationReport['businessValue'] = null
  const probaKeys = ['rocAuc', 'prAuc', 'logLoss', 'brier'] as const
  let probaReason: string | null = proba ? data.probaProblem : NO_PROBA
  if (!probaReason && n && labels.some((_, i) => trueMask[i] && !data.modelClass[i])) {
    const unknown = new Set<string>()
    for (let i = 0; i < n; i++) if (!data.modelClass[yTrue[i]!]) unknown.add(labels[yTrue[i]!]!)
    if (unknown.size) {
      probaReason = `true label(s) ${[...unknown]
        .slice(0, 5)
        .map((l) => JSON.stringify(l))
        .join(', ')} are not among the model's classes`
    }
  }
  if (n === 0) probaReason = 'no rows'
  if (probaReason) {
    for (const key of probaKeys) reasons[key] = probaReason
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
        for (let j = 0; j < kc; j++) copy[i * kc + j] = proba[i * k + modelCols[j]!]!
      sub = copy
      yModel = mapCodes(yTrue, colIndex)
    }
    metrics.logLoss = logLoss(yModel, sub, kc)

    if (binary && positive !== null) {
      // float32 scores stay float32, so the curve sorts their bits directly.
      const isPos = new Uint8Array(n)
      const score = proba instanceof Float32Array ? new Float32Array(n) : new Float64Array(n)
      let inRange = true
      for (let i = 0; i < n; i++) {
        isPos[i] = yTrue[i] === positive ? 1 : 0
        const v = proba[i * k + positive]!
        score[i] = v
        if (v < 0 || v > 1) inRange = false
      }
      // One sorted pass serves ROC AUC, average precision, both curves and the business value.
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
      if (withCharts) {
        if (auc.reason === undefined)
          charts.roc.push(toCurve(labels[positive]!, roc.fpr, roc.tpr, roc.thresholds, maxPoints))
        charts.pr.push(prChart(labels[positive]!, curve, maxPoints))
        if (summary) {
          charts.calibration = summary.calibration
          charts.scoreHistogram = summary.histogram
        }
        if (options.costMatrix) {
          // The counts at the model's own labels come from the confusion counts when taken.
          const bv = pairs
            ? businessValueFromCounts(outcomeCounts(pairs, k, positive), options.costMatrix, curve)
            : businessValue(isPos, maskEquals(yPred, positive), score, options.costMatrix, curve)
          business = {
            ...bv,
            bestThreshold: Number.isFinite(bv.bestThreshold) ? bv.bestThreshold : null,
          }
        }
      }
    } else {
      // One-vs-rest over the model's classes, macro-averaged.
      const aucs: number[] = []
      const aps: number[] = []
      let aucReason: string | null = null
      for (const col of modelCols) {
        const isPos = maskEquals(yTrue, col)
        const score = proba instanceof Float32Array ? new Float32Array(n) : new Float64Array(n)
        for (let i = 0; i < n; i++) score[i] = proba[i * k + col]!
        const curve = binaryClfCurve(isPos, score)
        const auc = rocAucFromCurve(curve)
        if (auc.reason)
          aucReason = `class ${JSON.stringify(labels[col])} has no rows (one-vs-rest ROC AUC needs every class)`
        aucs.push(auc.value)
        aps.push(averagePrecisionFromCurve(curve))
        if (withCharts && !auc.reason) {
          const roc = rocFromCurve(curve)
          charts.roc.push(toCurve(labels[col]!, roc.fpr, roc.tpr, roc.thresholds, maxPoints))
          charts.pr.push(prChart(labels[col]!, curve, maxPoints))
        }
      }
      if (aucReason) reasons.rocAuc = aucReason
      else metrics.rocAuc = aucs.reduce((a, b) => a + b, 0) / aucs.length
      metrics.prAuc = nullable(aps.reduce((a, b) => a + b, 0) / aps.length)
      metrics.brier = brierMulticlass(yModel, sub, kc)
      if (options.costMatrix)
        reasons.businessValue = 'a cost matrix applies to binary classification only'
    }
  }
  return { metrics, reasons, perClass, charts, businessValue: business }
}

/** The subset of rows `rows` (indices), with the same label space. */
export function subsetClassification(
  data: ClassificationData,
  rows: Uint32Array,
): ClassificationData {
  const k = data.labels.length
  let proba: Float64Array | null = null
  if (data.proba) {
    proba = new Float64Array(rows.length * k)
    rows.forEach((r, i) => proba!.set(data.proba!.subarray(r * k, r * k + k), i * k))
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
