// Shadow comparison (champion vs challenger): both versions on the same rows — agreement, label
// flips, probability deltas, McNemar's exact test, per-slice metric deltas and latency side by side.
import { classNamesFor, labelAt } from '../evaluation/class-names'
import type { ResolvedMapping, ShadowResult } from '../../api/evaluation'
import { SlipwayError } from '../../api/errors'
import { cellText, type Table } from '../data/table'
import type { DescribedFile } from '../data/tasks'
import {
  classificationReport,
  scalarMetrics,
  sortLabels,
  subsetClassification,
  type LabelCodes,
} from '../evaluation/classification'
import {
  DEFAULT_BATCH_SIZE,
  checkSlice,
  classificationData,
  columnOf,
  whileDescribing,
  labelledRows,
  mappingFor,
  readDataset,
  sliceGroups,
  truthCodes,
  modelLabelsOf,
  truthValues,
  type ModelPayload,
  type RunDataPayload,
} from '../evaluation/evaluate'
import { positiveClassOf, resolveLabel } from '../evaluation/mapping'
import { allRows, gatherFloat64, histogram, mcnemarExact, pearson } from '../evaluation/metrics'
import { regressionReport } from '../evaluation/regression'
import { runModel, type ModelRun, type RunContext } from '../evaluation/run'

export interface ShadowPayload extends RunDataPayload {
  champion: ModelPayload
  challenger: ModelPayload
}

export interface ShadowOutput {
  mapping: { champion: ResolvedMapping; challenger: ResolvedMapping }
  result: ShadowResult
  /** The dataset's description, when the payload asked for it. */
  described?: DescribedFile
}

export const TOP_DISAGREEMENTS = 20

/** Predicted labels of a run: its label output, else the argmax of its probabilities. */
export function predictedLabels(run: ModelRun, n: number): LabelCodes {
  if (run.predicted) return run.predicted
  const c = run.probaClasses.length
  // Without probabilities there is at most one class, so the argmax below reads none.
  if (!run.proba && c > 1)
    throw new SlipwayError('INTERNAL', `${c} probability classes without probabilities`)
  const proba = run.proba ?? new Float64Array(0)
  const codes = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let j = 1; j < c; j++)
      if ((proba[i * c + j] ?? NaN) > (proba[i * c + best] ?? NaN)) best = j
    codes[i] = best
  }
  return { codes, names: run.probaClasses }
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null)

function delta(
  a: Record<string, number | null>,
  b: Record<string, number | null>,
): Record<string, number | null> {
  const out: Record<string, number | null> = {}
  for (const key of Object.keys(a)) {
    const x = a[key]
    const y = b[key]
    out[key] = x === null || x === undefined || y === null || y === undefined ? null : y - x
  }
  return out
}

/** Keeps the `k` rows with the largest score (> 0), largest first. */
export function topRows(score: Float64Array, k: number): number[] {
  const top: number[] = []
  for (let i = 0; i < score.length; i++) {
    const s = score[i] ?? 0
    if (!(s > 0)) continue
    if (top.length === k && s <= (score[top[k - 1] ?? 0] ?? 0)) continue
    let pos = top.length
    while (pos > 0 && (score[top[pos - 1] ?? 0] ?? 0) < s) pos--
    top.splice(pos, 0, i)
    if (top.length > k) top.pop()
  }
  return top
}

export interface CompareOptions {
  label: string | null
  slice?: string | null
  positiveLabel: string | null
  featureColumns: string[]
}

/** What every step of one comparison reads and fills in. */
interface Comparison {
  table: Table
  champion: ModelRun
  challenger: ModelRun
  options: CompareOptions
  n: number
  result: ShadowResult
  warnings: string[]
  labelled: { rows: Uint32Array; missing: number } | null
  /** How much each row disagrees: the order of the top-disagreements table. */
  score: Float64Array
  /** Each row's difference (label-flip probability distance, or prediction difference). */
  diffOf: Float64Array
}

export function compareRuns(
  table: Table,
  champion: ModelRun,
  challenger: ModelRun,
  options: CompareOptions,
): ShadowResult {
  const n = table.rowCount
  if (champion.task !== challenger.task) {
    throw new SlipwayError(
      'MAPPING_INVALID',
      `The champion is a ${champion.task} model and the challenger a ${challenger.task} model; they cannot be compared`,
    )
  }
  const warnings = [...champion.warnings, ...challenger.warnings]
  const labelled = options.label ? labelledRows(table, options.label) : null
  if (labelled?.missing)
    warnings.push(
      `${labelled.missing} row(s) have no label and are left out of the metrics and McNemar's test`,
    )
  const comparison: Comparison = {
    table,
    champion,
    challenger,
    options,
    n,
    result: emptyResult(champion, challenger, n, labelled !== null, warnings),
    warnings,
    labelled,
    score: new Float64Array(n),
    diffOf: new Float64Array(n).fill(NaN),
  }
  if (champion.task === 'classification') compareClassification(comparison)
  else compareRegression(comparison)
  return comparison.result
}

function emptyResult(
  champion: ModelRun,
  challenger: ModelRun,
  n: number,
  labelsAvailable: boolean,
  warnings: string[],
): ShadowResult {
  return {
    task: champion.task,
    rows: n,
    labelsAvailable,
    agreementRate: null,
    disagreements: 0,
    flipMatrix: [],
    flipLabels: [],
    meanAbsDiffPositive: null,
    maxAbsDiffPositive: null,
    meanTotalVariation: null,
    maxTotalVariation: null,
    meanAbsDiff: null,
    rmseDiff: null,
    pearsonR: null,
    deltaHistogram: null,
    mcnemar: null,
    topDisagreements: [],
    metrics: null,
    slices: null,
    latency: { champion: champion.latency, challenger: challenger.latency },
    operational: {
      champion: { ...champion.operational, readMs: 0, totalMs: 0, metricsMs: 0 },
      challenger: { ...challenger.operational, readMs: 0, totalMs: 0, metricsMs: 0 },
    },
    warnings,
  }
}

/** Each side's predicted label of a row. */
type RowLabel = (side: 'a' | 'b', row: number) => string

/** The label-flip matrix and agreement; returns each side's label of a row. */
function flipMatrix(c: Comparison): RowLabel {
  const { n, score, result } = c
  const a = predictedLabels(c.champion, n)
  const b = predictedLabels(c.challenger, n)
  const labels = sortLabels([...a.names, ...b.names])
  const index = new Map(labels.map((l, i) => [l, i]))
  const codeOf = (name: string): number => {
    const code = index.get(name)
    if (code === undefined) throw new SlipwayError('INTERNAL', `label ${name} is not in the labels`)
    return code
  }
  const mapA = a.names.map(codeOf)
  const mapB = b.names.map(codeOf)
  const flip = labels.map(() => new Array<number>(labels.length).fill(0))
  let agree = 0
  for (let i = 0; i < n; i++) {
    const x = mapA[a.codes[i] ?? 0] ?? -1
    const y = mapB[b.codes[i] ?? 0] ?? -1
    const row = flip[x]
    const cell = row?.[y]
    if (row === undefined || cell === undefined)
      throw new SlipwayError('INTERNAL', `row ${i}: a predicted label outside the flip matrix`)
    row[y] = cell + 1
    if (x === y) agree++
    else score[i] = 2 // label disagreements first; probability distance breaks ties
  }
  result.flipLabels = labels
  result.flipMatrix = flip
  result.agreementRate = n ? agree / n : null
  result.disagreements = n - agree
  return (side, i) =>
    side === 'a'
      ? labelAt(labels, mapA[a.codes[i] ?? 0] ?? -1)
      : labelAt(labels, mapB[b.codes[i] ?? 0] ?? -1)
}

/** Binary: the positive class's probability on each side; returns both scores per row. */
function positiveClassDifferences(
  c: Comparison,
  championProba: Float32Array | Float64Array,
  challengerProba: Float32Array | Float64Array,
): { champScore: Float64Array; challScore: Float64Array; nan: number } | null {
  const { n, score, diffOf, result, options } = c
  const ca = c.champion.probaClasses
  const cb = c.challenger.probaClasses
  const positive =
    options.positiveLabel && ca.includes(options.positiveLabel)
      ? options.positiveLabel
      : sortLabels(ca).at(-1)
  if (positive === undefined)
    throw new SlipwayError('INTERNAL', 'a binary champion without classes')
  const ia = ca.indexOf(positive)
  const ib = cb.indexOf(positive)
  if (ib < 0) {
    c.warnings.push(
      `The challenger has no class "${positive}"; probability differences are not computed`,
    )
    return null
  }
  const champScore = new Float64Array(n)
  const challScore = new Float64Array(n)
  let nan = 0
  let sum = 0
  let max = 0
  for (let i = 0; i < n; i++) {
    const p = championProba[i * 2 + ia] ?? NaN
    const q = challengerProba[i * 2 + ib] ?? NaN
    champScore[i] = p
    challScore[i] = q
    const d = q - p
    if (Number.isNaN(d)) {
      nan++
      continue
    }
    diffOf[i] = d
    sum += Math.abs(d)
    if (Math.abs(d) > max) max = Math.abs(d)
    score[i] = (score[i] ?? 0) + Math.abs(d)
  }
  const counted = n - nan
  result.meanAbsDiffPositive = counted ? sum / counted : null
  result.maxAbsDiffPositive = counted ? max : null
  result.deltaHistogram = histogram(diffOf, 40, [-1, 1])
  return { champScore, challScore, nan }
}

/** Multiclass: total variation distance between the two probability vectors of each row. */
function totalVariationDifferences(
  c: Comparison,
  championProba: Float32Array | Float64Array,
  challengerProba: Float32Array | Float64Array,
): number {
  const { n, score, diffOf, result } = c
  const ca = c.champion.probaClasses
  const cb = c.challenger.probaClasses
  const union = sortLabels([...ca, ...cb])
  const ja = union.map((l) => ca.indexOf(l))
  const jb = union.map((l) => cb.indexOf(l))
  let nan = 0
  let sum = 0
  let max = 0
  for (let i = 0; i < n; i++) {
    let tv = 0
    for (let u = 0; u < union.length; u++) {
      const colA = ja[u] ?? -1
      const colB = jb[u] ?? -1
      const p = colA < 0 ? 0 : (championProba[i * ca.length + colA] ?? NaN)
      const q = colB < 0 ? 0 : (challengerProba[i * cb.length + colB] ?? NaN)
      tv += Math.abs(q - p)
    }
    tv /= 2
    if (Number.isNaN(tv)) {
      nan++
      continue
    }
    diffOf[i] = tv
    sum += tv
    if (tv > max) max = tv
    score[i] = (score[i] ?? 0) + tv
  }
  const counted = n - nan
  result.meanTotalVariation = counted ? sum / counted : null
  result.maxTotalVariation = counted ? max : null
  result.deltaHistogram = histogram(diffOf, 40, [0, 1])
  return nan
}

/** Probability differences of a classification pair; returns the binary scores when made. */
function probabilityDifferences(
  c: Comparison,
): { champScore: Float64Array; challScore: Float64Array } | null {
  const championProba = c.champion.proba
  const challengerProba = c.challenger.proba
  if (!championProba || !challengerProba) {
    c.warnings.push('Probability differences need both models to output class probabilities')
    return null
  }
  const binary = c.champion.probaClasses.length === 2 && c.challenger.probaClasses.length === 2
  let nan = 0
  let scores: { champScore: Float64Array; challScore: Float64Array } | null = null
  if (binary) {
    const made = positiveClassDifferences(c, championProba, challengerProba)
    if (made) {
      nan = made.nan
      scores = made
    }
  } else nan = totalVariationDifferences(c, championProba, challengerProba)
  if (nan)
    c.warnings.push(
      `${nan} row(s) have NaN probabilities on one side and are left out of the probability differences`,
    )
  return scores
}

/** Metrics of both sides, McNemar's test and per-slice deltas on the labelled rows. */
function labelledClassification(
  c: Comparison,
  label: string,
  labelled: { rows: Uint32Array },
  rowLabel: RowLabel,
): void {
  const { table, champion, challenger, options, result } = c
  const column = columnOf(table, label)
  const truth = truthCodes(column, labelled.rows, [
    ...modelLabelsOf(champion),
    ...modelLabelsOf(challenger),
  ])
  const dataA = classificationData(champion, truth, labelled.rows, options.positiveLabel)
  const dataB = classificationData(challenger, truth, labelled.rows, options.positiveLabel)
  let bCount = 0
  let cCount = 0
  for (let i = 0; i < labelled.rows.length; i++) {
    const r = labelled.rows[i] ?? 0
    const actual = labelAt(truth.names, truth.codes[i] ?? -1)
    const rightA = rowLabel('a', r) === actual
    const rightB = rowLabel('b', r) === actual
    if (rightA && !rightB) bCount++
    else if (!rightA && rightB) cCount++
  }
  result.mcnemar = mcnemarExact(bCount, cCount)
  const ma = scalarMetrics(classificationReport(dataA, { withCharts: false }).metrics)
  const mb = scalarMetrics(classificationReport(dataB, { withCharts: false }).metrics)
  result.metrics = { champion: ma, challenger: mb, delta: delta(ma, mb) }
  if (!options.slice) return
  result.slices = {
    column: options.slice,
    rows: sliceGroups(table, options.slice, labelled.rows).map((group) => {
      const sa = scalarMetrics(
        classificationReport(subsetClassification(dataA, group.rows), { withCharts: false })
          .metrics,
      )
      const sb = scalarMetrics(
        classificationReport(subsetClassification(dataB, group.rows), { withCharts: false })
          .metrics,
      )
      let agreeHere = 0
      for (const i of group.rows)
        if (rowLabel('a', labelled.rows[i] ?? 0) === rowLabel('b', labelled.rows[i] ?? 0))
          agreeHere++
      return {
        value: group.value,
        rows: group.rows.length,
        champion: sa,
        challenger: sb,
        delta: {
          ...delta(sa, sb),
          agreementRate: group.rows.length ? agreeHere / group.rows.length : null,
        },
      }
    }),
  }
}

/** Without labels: agreement per slice only. */
function unlabelledSlices(c: Comparison, slice: string, rowLabel: RowLabel): void {
  c.result.slices = {
    column: slice,
    rows: sliceGroups(c.table, slice, allRows(c.n)).map((group) => {
      let agreeHere = 0
      for (const r of group.rows) if (rowLabel('a', r) === rowLabel('b', r)) agreeHere++
      return {
        value: group.value,
        rows: group.rows.length,
        champion: {},
        challenger: {},
        delta: { agreementRate: agreeHere / group.rows.length },
      }
    }),
  }
}

function compareClassification(c: Comparison): void {
  const { table, options, labelled, score, diffOf, result } = c
  const rowLabel = flipMatrix(c)
  const scores = probabilityDifferences(c)
  if (labelled && options.label) labelledClassification(c, options.label, labelled, rowLabel)
  else if (options.slice) unlabelledSlices(c, options.slice, rowLabel)
  const top = topRows(score, TOP_DISAGREEMENTS)
  result.topDisagreements = top.map((r) => ({
    row: r + 1,
    championLabel: rowLabel('a', r),
    challengerLabel: rowLabel('b', r),
    championScore: scores ? finiteOrNull(scores.champScore[r] ?? NaN) : null,
    challengerScore: scores ? finiteOrNull(scores.challScore[r] ?? NaN) : null,
    difference: finiteOrNull(diffOf[r] ?? NaN),
    actual: options.label ? cellText(columnOf(table, options.label), r) : null,
    features: features(table, options.featureColumns, r),
  }))
}

/** Regression metrics of both sides and per-slice deltas on the labelled rows. */
function labelledRegression(
  c: Comparison,
  label: string,
  labelled: { rows: Uint32Array },
  p: Float64Array,
  q: Float64Array,
): void {
  const { table, champion, challenger, options, result } = c
  const actual = truthValues(columnOf(table, label), labelled.rows)
  const pa = gatherFloat64(p, labelled.rows)
  const pb = gatherFloat64(q, labelled.rows)
  const ma = scalarMetrics(
    regressionReport(actual, pa, { nanRows: champion.nanRows, withCharts: false }).metrics,
  )
  const mb = scalarMetrics(
    regressionReport(actual, pb, { nanRows: challenger.nanRows, withCharts: false }).metrics,
  )
  result.metrics = { champion: ma, challenger: mb, delta: delta(ma, mb) }
  if (!options.slice) return
  result.slices = {
    column: options.slice,
    rows: sliceGroups(table, options.slice, labelled.rows).map((group) => {
      const pick = (xs: Float64Array): Float64Array =>
        Float64Array.from(group.rows, (i) => xs[i] ?? 0)
      const sa = scalarMetrics(
        regressionReport(pick(actual), pick(pa), {
          nanRows: champion.nanRows,
          withCharts: false,
        }).metrics,
      )
      const sb = scalarMetrics(
        regressionReport(pick(actual), pick(pb), {
          nanRows: challenger.nanRows,
          withCharts: false,
        }).metrics,
      )
      return {
        value: group.value,
        rows: group.rows.length,
        champion: sa,
        challenger: sb,
        delta: delta(sa, sb),
      }
    }),
  }
}

function compareRegression(c: Comparison): void {
  const { table, options, labelled, n, score, diffOf, result, warnings } = c
  const p = c.champion.prediction
  const q = c.challenger.prediction
  if (!p || !q)
    throw new SlipwayError('INTERNAL', 'a regression comparison without both predictions')
  let abs = 0
  let sq = 0
  let counted = 0
  for (let i = 0; i < n; i++) {
    const d = (q[i] ?? NaN) - (p[i] ?? NaN)
    if (Number.isNaN(d)) continue
    diffOf[i] = d
    score[i] = Math.abs(d) + Number.MIN_VALUE
    abs += Math.abs(d)
    sq += d * d
    counted++
  }
  if (counted < n)
    warnings.push(
      `${n - counted} row(s) have a NaN prediction on one side and are left out of the differences`,
    )
  result.meanAbsDiff = counted ? abs / counted : null
  result.rmseDiff = counted ? Math.sqrt(sq / counted) : null
  result.pearsonR = counted === n ? finiteOrNull(pearson(p, q)) : null
  result.deltaHistogram = histogram(diffOf, 40)
  result.disagreements = 0
  if (labelled && options.label) labelledRegression(c, options.label, labelled, p, q)
  result.topDisagreements = topRows(score, TOP_DISAGREEMENTS).map((r) => ({
    row: r + 1,
    championLabel: null,
    challengerLabel: null,
    championScore: finiteOrNull(p[r] ?? NaN),
    challengerScore: finiteOrNull(q[r] ?? NaN),
    difference: finiteOrNull(diffOf[r] ?? NaN),
    actual: options.label ? cellText(columnOf(table, options.label), r) : null,
    features: features(table, options.featureColumns, r),
  }))
}

function features(table: Table, columns: string[], row: number): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  for (const name of columns) {
    const column = table.columns.find((c) => c.name === name)
    if (column) out[name] = cellText(column, row)
  }
  return out
}

export async function shadow(payload: ShadowPayload, ctx: RunContext): Promise<ShadowOutput> {
  const startedAt = performance.now()
  const fileName = payload.datasetFileName ?? payload.datasetName
  const { table, readMs } = await readDataset(
    payload.datasetPath,
    fileName,
    ctx,
    payload.datasetTable,
  )
  const label = resolveLabel(
    table,
    payload.champion.onnx,
    payload.label ?? undefined,
    payload.datasetName,
  )
  // Two models, one message: say which side cannot read the data.
  const mapSide = (side: 'champion' | 'challenger'): ResolvedMapping => {
    const model = payload[side]
    try {
      return mappingFor(table, model, label, payload.slice, payload.datasetName)
    } catch (error) {
      if (error instanceof SlipwayError && error.code === 'MAPPING_INVALID')
        throw new SlipwayError(error.code, `${side} ${model.modelLabel}: ${error.message}`)
      throw error
    }
  }
  const mapping = { champion: mapSide('champion'), challenger: mapSide('challenger') }
  checkSlice(table, payload.slice)
  const total = table.rowCount * 2
  // One side after the other: both share the progress bar, champion first.
  const runSide = (side: 'champion' | 'challenger'): Promise<ModelRun> => {
    const model = payload[side]
    return runModel(
      table,
      {
        modelPath: model.modelPath,
        modelLabel: model.modelLabel,
        onnx: model.onnx,
        mapping: mapping[side],
        batchSize: payload.batchSize ?? DEFAULT_BATCH_SIZE,
        task: payload.task ?? null,
      },
      ctx,
      { base: side === 'champion' ? 0 : table.rowCount, total },
    )
  }
  const outcome = await whileDescribing(payload, table, fileName, ctx, async () => {
    const championRun = await runSide('champion')
    const challengerRun = await runSide('challenger')
    const featureColumns = [
      ...new Set([
        ...mapping.champion.inputs.flatMap((i) => i.columns),
        ...mapping.challenger.inputs.flatMap((i) => i.columns),
      ]),
    ]
    const result = compareRuns(table, championRun, challengerRun, {
      label,
      slice: payload.slice,
      positiveLabel: positiveClassOf(payload.champion.onnx),
      featureColumns,
    })
    const classNames =
      classNamesFor(payload.champion.onnx, result.flipLabels) ??
      classNamesFor(payload.challenger.onnx, result.flipLabels)
    if (classNames) result.classNames = classNames
    const totalMs = performance.now() - startedAt
    result.operational.champion.readMs = readMs
    result.operational.challenger.readMs = readMs
    result.operational.champion.totalMs = totalMs
    result.operational.challenger.totalMs = totalMs
    return result
  })
  return { mapping, ...outcome }
}
