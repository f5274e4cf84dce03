// One drift comparison, as the worker runs it: read both datasets, optionally run the model on
// both, compare every common column (and the model's outputs), then the same per time window.
// Memory: the reference table is turned into per-column samples one column at a time and each
// column is released as soon as its sample exists, so each dataset is held once.
import type { ColumnDrift, DriftReport, DriftSettings, DriftWindow } from '../../api/drift'
import { SlipwayError } from '../../api/errors'
import type { OnnxInfo } from '../../api/registry'
import { parseIsoTimestamp } from '../data/csv'
import { loadTable } from '../data/load'
import type { CodedColumn, Column, NumericColumn, Table } from '../data/table'
import { allRows } from '../evaluation/metrics'
import { labelText, runModel, type ModelRun } from '../evaluation/run'
import { positiveClassOf, resolveLabel, resolveMapping } from '../evaluation/mapping'
import type { TaskContext } from '../jobs/tasks'
import {
  compareColumn,
  pairKind,
  planChunks,
  planTimeWindows,
  sampleOf,
  summarize,
  toWindowColumn,
  type Sample,
  type WindowPlan,
} from './engine'
import {
  estimatedSection,
  headlineOf,
  logSection,
  multivariateSection,
  performanceSection,
  type LabelledSide,
  type LogColumns,
  type Recomputed,
} from './monitoring'
import { MAX_PCA_COLUMNS } from './multivariate'
import { classifierOutputs, truthCodes } from './performance'

export interface DriftSideInput {
  path: string
  fileName: string
  name: string
  sha256: string | null
  datasetId: number | null
}

export interface DriftTaskPayload {
  reference: DriftSideInput
  current: DriftSideInput
  settings: DriftSettings
  model: { name: string; version: number; modelPath: string; onnx: OnnxInfo } | null
}

const checkCancelled = (ctx: TaskContext): void => {
  if (ctx.cancelled()) throw new SlipwayError('CANCELLED', 'Cancelled')
}

/** The model's outputs on a table, as columns that drift can compare like features. */
function predictionColumns(run: ModelRun, onnx: OnnxInfo, rowCount: number): Column[] {
  const out: Column[] = []
  if (run.task === 'classification') {
    let codes: Int32Array | null = run.predicted?.codes ?? null
    let names = run.predicted?.names ?? []
    if (!codes && run.proba && run.probaClasses.length) {
      // No label output: the predicted label is the most probable class.
      const k = run.probaClasses.length
      codes = new Int32Array(rowCount)
      for (let r = 0; r < rowCount; r++) {
        let best = 0
        for (let c = 1; c < k; c++) if (run.proba[r * k + c]! > run.proba[r * k + best]!) best = c
        codes[r] = best
      }
      names = run.probaClasses
    }
    if (codes) {
      const column: CodedColumn = {
        name: 'predicted label',
        kind: 'categorical',
        codes,
        categories: names,
        missingCount: 0,
      }
      out.push(column)
    }
    const k = run.probaClasses.length
    if (run.proba && k === 2) {
      const positive = positiveClassOf(onnx) ?? run.probaClasses[1]!
      const index = Math.max(0, run.probaClasses.indexOf(positive))
      out.push(probabilityColumn(run.proba, k, index, run.probaClasses[index]!, rowCount))
    } else if (run.proba && k > 2) {
      // Multiclass: each class's probability drifts on its own (a model can keep its predicted
      // labels while growing unsure between two classes). Past the cap (50 classes), the
      // predicted label carries the comparison alone.
      for (let c = 0; c < Math.min(k, MAX_PROBABILITY_COLUMNS); c++)
        out.push(probabilityColumn(run.proba, k, c, run.probaClasses[c]!, rowCount))
    }
  } else if (run.prediction) {
    out.push(numericColumn('prediction', run.prediction))
  }
  return out
}

/** Multiclass models compare at most this many per-class probability columns. */
export const MAX_PROBABILITY_COLUMNS = 50

function probabilityColumn(
  proba: Float32Array | Float64Array,
  k: number,
  index: number,
  className: string,
  rowCount: number,
): NumericColumn {
  const values = new Float64Array(rowCount)
  for (let r = 0; r < rowCount; r++) values[r] = proba[r * k + index]!
  return numericColumn(`probability of ${className}`, values)
}

function numericColumn(name: string, values: Float64Array): NumericColumn {
  const missing = new Uint8Array(values.length)
  let missingCount = 0
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]!)) {
      missing[i] = 1
      missingCount++
    }
  }
  return { name, kind: 'numeric', values, missing, missingCount }
}

interface SideOutputs {
  columns: Column[]
  run: ModelRun
  /** The label column the mapping left out (null: none in this table). */
  label: string | null
}

/** The label of one side: the settings' label where the table has it, else the model's. */
function sideLabel(table: Table, payload: DriftTaskPayload, side: DriftSideInput): string | null {
  const named = payload.settings.label
  if (named && table.columns.some((c) => c.name === named)) return named
  // A label named but absent here: this side is unlabelled (CBPE estimates current performance).
  if (named || !payload.model) return null
  return resolveLabel(table, payload.model.onnx, undefined, side.fileName)
}

async function modelOutputs(
  table: Table,
  payload: DriftTaskPayload,
  side: DriftSideInput,
  ctx: TaskContext,
): Promise<SideOutputs> {
  const model = payload.model!
  const label = sideLabel(table, payload, side)
  const mapping = resolveMapping(table, model.onnx, { label, fileName: side.fileName })
  const run = await runModel(
    table,
    {
      modelPath: model.modelPath,
      modelLabel: `${model.name} v${model.version}`,
      onnx: model.onnx,
      mapping,
      batchSize: 4096,
      latencySample: 0,
    },
    {
      progress: (done, total, message) => ctx.progress(done, total, `${side.name}: ${message}`),
      cancelled: () => ctx.cancelled(),
    },
  )
  return { columns: predictionColumns(run, model.onnx, table.rowCount), run, label }
}

/** Model outputs and labels of one side, as the performance sections read them. */
function labelledSide(
  table: Table,
  outputs: SideOutputs,
  truth: Column | null,
  payload: DriftTaskPayload,
  classes?: string[],
): LabelledSide {
  const positive = positiveClassOf(payload.model!.onnx)
  const classifier = classifierOutputs(outputs.run, table.rowCount, positive, classes)
  const codes = classifier && truth ? truthCodes(truth, classifier.classes, table.rowCount) : null
  let labelled = 0
  if (truth) for (let r = 0; r < table.rowCount; r++) if (labelText(truth, r) !== null) labelled++
  return {
    rowCount: table.rowCount,
    classifier,
    prediction: outputs.run.task === 'regression' ? outputs.run.prediction : null,
    truth,
    truthCodes: codes,
    labelled,
  }
}

/** Accuracy (classification) or MAE/RMSE (regression) of predictions against labels, on some rows. */
function windowMetrics(
  prediction: Column,
  truth: Column,
  rows: Uint32Array,
): Record<string, number | null> {
  if (prediction.kind === 'categorical') {
    let right = 0
    let n = 0
    for (const r of rows) {
      const t = labelText(truth, r)
      const p = labelText(prediction, r)
      if (t === null || p === null) continue
      n++
      if (t === p) right++
    }
    return { accuracy: n ? right / n : null, labelled: n }
  }
  if (prediction.kind === 'numeric' && truth.kind === 'numeric') {
    let abs = 0
    let sq = 0
    let n = 0
    for (const r of rows) {
      const t = truth.values[r]!
      const p = prediction.values[r]!
      if (Number.isNaN(t) || Number.isNaN(p)) continue
      n++
      abs += Math.abs(p - t)
      sq += (p - t) ** 2
    }
    return { mae: n ? abs / n : null, rmse: n ? Math.sqrt(sq / n) : null, labelled: n }
  }
  return {}
}

export async function runDrift(payload: DriftTaskPayload, ctx: TaskContext): Promise<DriftReport> {
  const started = Date.now()
  const { settings } = payload
  ctx.progress(0, null, `Reading ${payload.reference.name}`)
  const refTable = await loadTable(payload.reference.path, {
    fileName: payload.reference.fileName,
    onProgress: (done, total) => ctx.progress(done, total, `Reading ${payload.reference.name}`),
  })
  checkCancelled(ctx)
  const referenceRows = refTable.rowCount
  const referenceColumnCount = refTable.columns.length
  const refOutputs = payload.model
    ? await modelOutputs(refTable, payload, payload.reference, ctx)
    : null
  const refPredictions = refOutputs?.columns ?? []
  const refLabelName = refOutputs
    ? refOutputs.label
    : sideLabel(refTable, payload, payload.reference)

  // Reference columns become samples one by one; the table's copy of each is dropped.
  const refColumns = refTable.columns.splice(0)
  const refKinds = new Map<string, Column['kind']>(refColumns.map((c) => [c.name, c.kind]))
  const pendingRef = new Map<string, Column>(refColumns.map((c) => [c.name, c]))
  refColumns.length = 0

  ctx.progress(0, null, `Reading ${payload.current.name}`)
  const curTable = await loadTable(payload.current.path, {
    fileName: payload.current.fileName,
    onProgress: (done, total) => ctx.progress(done, total, `Reading ${payload.current.name}`),
  })
  checkCancelled(ctx)
  if (
    settings.label &&
    !curTable.columns.some((c) => c.name === settings.label) &&
    !refKinds.has(settings.label)
  ) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `${payload.current.name}: has no label column "${settings.label}", and neither has ${payload.reference.name}`,
    )
  }
  const curOutputs = payload.model
    ? await modelOutputs(curTable, payload, payload.current, ctx)
    : null
  const curPredictions = curOutputs?.columns ?? []
  const findCur = (name: string | null): Column | null =>
    (name && curTable.columns.find((c) => c.name === name)) || null
  // The target: the label the model's mapping left out, or the settings' label; never a feature.
  const targetName = curOutputs
    ? curOutputs.label
    : settings.label && refKinds.has(settings.label)
      ? settings.label
      : null
  const logRoles = settings.log
  for (const [flag, name] of Object.entries(logRoles)) {
    if (name && !curTable.columns.some((c) => c.name === name))
      throw new SlipwayError(
        'INVALID_INPUT',
        `${payload.current.name}: has no column "${name}" for the log's ${LOG_ROLE_NAMES[flag as keyof typeof LOG_ROLE_NAMES]}`,
      )
  }
  const logColumns: LogColumns = {
    prediction: findCur(logRoles.prediction),
    score: findCur(logRoles.score),
    latency: findCur(logRoles.latency),
    value: findCur(logRoles.value),
  }
  const roleOf = new Map<string, string>()
  for (const [role, name] of Object.entries(logRoles))
    if (name) roleOf.set(name, LOG_ROLE_NAMES[role as keyof typeof LOG_ROLE_NAMES])
  const refTruth = refLabelName ? (pendingRef.get(refLabelName) ?? null) : null
  const curTruth = findCur(targetName)

  const timestampColumn = settings.timestampColumn
  if (settings.window && !timestampColumn) {
    throw new SlipwayError('INVALID_INPUT', `A ${settings.window} window needs a timestamp column`)
  }
  const curNames = new Set(curTable.columns.map((c) => c.name))
  const onlyInReference = [...refKinds.keys()].filter((n) => !curNames.has(n))
  const onlyInCurrent = curTable.columns
    .map((c) => c.name)
    .filter((n) => !refKinds.has(n) && n !== timestampColumn && !roleOf.has(n))
  for (const name of Object.keys(settings.columns)) {
    if (!refKinds.has(name) || !curNames.has(name)) {
      const where = refKinds.has(name)
        ? `not in ${payload.current.name} (only in ${payload.reference.name})`
        : curNames.has(name)
          ? `not in ${payload.reference.name} (only in ${payload.current.name})`
          : `in neither ${payload.reference.name} nor ${payload.current.name}`
      throw new SlipwayError(
        'INVALID_INPUT',
        `The settings give column "${name}" a test or threshold, but it is ${where}`,
      )
    }
  }
  const skipped: { name: string; reason: string }[] = []
  const pairs: { name: string; kind: 'numeric' | 'categorical'; ref: Sample; cur: Column }[] = []
  const kindNotes = new Map<string, string>()
  // Numeric feature columns of both sides, kept for the multivariate (PCA) check.
  const pcaNames: string[] = []
  const pcaRef: Float64Array[] = []
  const pcaCur: Float64Array[] = []
  let targetPair: { ref: Sample; cur: Sample } | null = null
  for (const cur of curTable.columns) {
    const ref = pendingRef.get(cur.name)
    if (!ref) continue
    pendingRef.delete(cur.name)
    if (cur.name === targetName) {
      const kind = pairKind(ref, cur)
      if (kind) targetPair = { ref: sampleOf(ref, kind), cur: sampleOf(cur, kind) }
      continue
    }
    const role = roleOf.get(cur.name)
    if (role) {
      skipped.push({ name: cur.name, reason: `the production log's ${role} column` })
      continue
    }
    if (cur.name === timestampColumn) {
      skipped.push({
        name: cur.name,
        reason: 'the timestamp column that splits current data into windows',
      })
      continue
    }
    if (ref.kind === 'text' && isFreeText(ref)) {
      skipped.push({
        name: cur.name,
        reason: `free text in the reference (${ref.categories.length.toLocaleString('en-US')} distinct values), not compared as categories`,
      })
      continue
    }
    const kind = pairKind(ref, cur)
    if (!kind) {
      skipped.push({
        name: cur.name,
        reason: 'a timestamp column; timestamps are not compared as features',
      })
      continue
    }
    pairs.push({ name: cur.name, kind, ref: sampleOf(ref, kind), cur })
    if (ref.kind === 'numeric' && cur.kind === 'numeric' && pcaNames.length < MAX_PCA_COLUMNS) {
      pcaNames.push(cur.name)
      pcaRef.push(ref.values)
      pcaCur.push(cur.values)
    }
    if (kindName(ref) !== kindName(cur))
      kindNotes.set(
        cur.name,
        `${capitalize(kindName(ref))} in the reference but ${kindName(cur)} in current data; compared as ${kind === 'numeric' ? 'numbers' : 'categories'}.`,
      )
  }
  pendingRef.clear()
  for (const { name, reason } of skipped) {
    if (settings.columns[name])
      throw new SlipwayError(
        'INVALID_INPUT',
        `The settings give column "${name}" a test or threshold, but it is not compared: ${reason}`,
      )
  }

  const predPairs = curPredictions.map((cur, i) => {
    const ref = refPredictions[i]!
    const kind = pairKind(ref, cur)!
    return { name: cur.name, kind, ref: sampleOf(ref, kind), cur }
  })

  let windowPlans: WindowPlan[] | null = null
  let rowsWithoutTimestamp = 0
  if (timestampColumn || settings.chunks) {
    if (settings.chunks && !settings.window) {
      if (curTable.rowCount < settings.chunks) {
        throw new SlipwayError(
          'INVALID_INPUT',
          `${payload.current.name}: has ${curTable.rowCount} row${curTable.rowCount === 1 ? '' : 's'}, fewer than the ${settings.chunks} chunks asked for`,
        )
      }
      windowPlans = planChunks(curTable.rowCount, settings.chunks)
    } else {
      const column = curTable.columns.find((c) => c.name === timestampColumn)
      if (!column)
        throw new SlipwayError(
          'INVALID_INPUT',
          `${payload.current.name}: has no column "${timestampColumn}" to split into windows`,
        )
      if (column.kind !== 'timestamp') throw notTimestamps(payload.current.name, column)
      const plan = planTimeWindows(column.values, settings.window ?? 'day', column.name)
      windowPlans = plan.windows
      rowsWithoutTimestamp = plan.withoutTimestamp
    }
  }

  const totalSteps = (pairs.length + predPairs.length) * (1 + (windowPlans?.length ?? 0))
  let step = 0
  const columns: ColumnDrift[] = []
  const compareAll = (list: typeof pairs, rows?: Uint32Array): ColumnDrift[] =>
    list.map((p) => {
      checkCancelled(ctx)
      const result = compareColumn(p.name, p.ref, sampleOf(p.cur, p.kind, rows), {
        settings,
        referenceCount: countOf(p.ref),
      })
      ctx.progress(++step, totalSteps, rows ? `Windows: ${p.name}` : `Comparing ${p.name}`)
      return result
    })
  columns.push(...compareAll(pairs))
  for (const c of columns) {
    const note = kindNotes.get(c.name)
    if (note) c.notes.unshift(note)
  }
  const predictionColumnsDrift = compareAll(predPairs)
  const summary = summarize(columns, settings.driftShare)

  let metricsNote: string | null = null
  let truth: Column | undefined
  if (payload.model) {
    truth = curTruth ?? undefined
    metricsNote = truth
      ? `Metrics against the label column "${truth.name}", over all current rows and per window.`
      : `${payload.current.name} has no label column, so no evaluation metrics.`
  }
  const firstPrediction = curPredictions[0]
  const overallMetrics =
    truth && firstPrediction
      ? windowMetrics(firstPrediction, truth, allRows(curTable.rowCount))
      : null

  let windows: DriftReport['windows'] = null
  if (windowPlans) {
    const items: DriftWindow[] = windowPlans.map((w, index) => {
      const wc = compareAll(pairs, w.rows)
      const wp = compareAll(predPairs, w.rows)
      const s = summarize(wc, settings.driftShare)
      const first = curPredictions[0]
      return {
        index,
        label: w.label,
        start: w.start,
        end: w.end,
        rows: w.rows.length,
        datasetDrift: s.datasetDrift,
        driftShare: s.driftShare,
        columns: wc.map(toWindowColumn),
        prediction: wp.map(toWindowColumn),
        metrics: truth && first ? windowMetrics(first, truth, w.rows) : null,
      }
    })
    windows = {
      by: settings.chunks && !settings.window ? 'chunks' : 'time',
      timestampColumn: settings.chunks && !settings.window ? null : timestampColumn,
      unit: settings.chunks && !settings.window ? null : (settings.window ?? 'day'),
      rowsWithoutTimestamp,
      items,
    }
  }

  // Performance first: realised when both sides have labels, estimated (CBPE) when only the
  // reference has them. Timed with the other monitoring sections (`monitoringMs`).
  const monitoringStarted = Date.now()
  const referenceChunks = planChunks(
    referenceRows,
    Math.min(settings.referenceChunks, Math.max(referenceRows, 1)),
  ).map((w) => w.rows)
  const allRef = allRows(referenceRows)
  const allCur = allRows(curTable.rowCount)
  let performance: DriftReport['performance'] = null
  let estimatedPerformance: DriftReport['estimatedPerformance'] = null
  let performanceNote: string | null = null
  if (payload.model && refOutputs && curOutputs) {
    const ref = labelledSide(refTable, refOutputs, refTruth, payload)
    const cur = labelledSide(curTable, curOutputs, curTruth, payload, ref.classifier?.classes)
    checkCancelled(ctx)
    const inputs = { ref, cur, referenceChunks, windows: windowPlans, settings, allRef, allCur }
    if (ref.labelled === 0)
      performanceNote = `${payload.reference.name} has no labels, so the model's performance cannot be measured or estimated.`
    else if (cur.labelled > 0) performance = performanceSection(inputs)
    else {
      const estimate = estimatedSection(inputs)
      if (typeof estimate === 'string') performanceNote = estimate
      else estimatedPerformance = estimate
    }
  }
  checkCancelled(ctx)
  const multivariate = multivariateSection(
    pcaNames,
    pcaRef,
    pcaCur,
    referenceChunks,
    windowPlans,
    settings.pcaVariance,
  )
  pcaRef.length = 0
  const target: DriftReport['target'] = targetPair
    ? targetDrift(targetName!, targetPair, settings)
    : null
  let log: DriftReport['log'] = null
  if (Object.values(logColumns).some((c) => c !== null)) {
    log = logSection(
      logColumns,
      curOutputs ? recomputedOf(curOutputs, payload) : null,
      curTable.rowCount,
      allCur,
      windowPlans,
    )
  }

  const monitoringMs = Date.now() - monitoringStarted
  const report: Omit<DriftReport, 'headline'> = {
    id: null,
    createdAt: new Date().toISOString(),
    reference: {
      name: payload.reference.name,
      sha256: payload.reference.sha256,
      datasetId: payload.reference.datasetId,
      rows: referenceRows,
      columns: referenceColumnCount,
    },
    current: {
      name: payload.current.name,
      sha256: payload.current.sha256,
      datasetId: payload.current.datasetId,
      rows: curTable.rowCount,
      columns: curTable.columns.length,
    },
    model: payload.model ? { name: payload.model.name, version: payload.model.version } : null,
    settings,
    ...summary,
    referenceRows,
    currentRows: curTable.rowCount,
    columns,
    onlyInReference,
    onlyInCurrent,
    skipped,
    prediction: payload.model
      ? { columns: predictionColumnsDrift, metricsNote, metrics: overallMetrics }
      : null,
    windows,
    target,
    performance,
    estimatedPerformance,
    performanceNote,
    multivariate: typeof multivariate === 'string' ? null : multivariate,
    multivariateNote: typeof multivariate === 'string' ? multivariate : null,
    log,
    monitoringMs,
    durationMs: Date.now() - started,
  }
  return { ...report, headline: headlineOf(report) }
}

const LOG_ROLE_NAMES = {
  prediction: 'served prediction',
  score: 'served score',
  latency: 'latency',
  value: 'business value',
} as const

/** The target's drift, with the test chosen as for a feature. */
function targetDrift(
  name: string,
  pair: { ref: Sample; cur: Sample },
  settings: DriftSettings,
): NonNullable<DriftReport['target']> {
  const detail = compareColumn(name, pair.ref, pair.cur, {
    settings,
    referenceCount: countOf(pair.ref),
  })
  return {
    column: name,
    test: detail.test,
    statistic: detail.statistic,
    pValue: detail.pValue,
    drifted: detail.drifted,
    why: detail.why,
    detail,
  }
}

/** The local run's label (or value) and positive score per row, for a log's served outputs. */
function recomputedOf(outputs: SideOutputs, payload: DriftTaskPayload): Recomputed {
  const columns = outputs.columns
  const label = columns.find((c) => c.name === 'predicted label' || c.name === 'prediction')
  const k = outputs.run.probaClasses.length
  let score: Float64Array | null = null
  if (outputs.run.proba && k === 2) {
    const positive = positiveClassOf(payload.model!.onnx) ?? outputs.run.probaClasses[1]!
    const index = Math.max(0, outputs.run.probaClasses.indexOf(positive))
    const proba = outputs.run.proba
    score = new Float64Array(proba.length / k)
    for (let r = 0; r < score.length; r++) score[r] = proba[r * k + index]!
  } else if (outputs.run.prediction) score = outputs.run.prediction
  return { label: (row) => (label ? labelText(label, row) : null), score }
}

/** Text with more than 1,000 distinct values, or mostly unique values (ids, free text). */
function isFreeText(column: CodedColumn): boolean {
  const present = column.codes.length - column.missingCount
  return column.categories.length > 1000 || (present > 20 && column.categories.length * 2 > present)
}

const countOf = (s: Sample): number => {
  if (s.kind === 'numeric') return s.sorted.length
  let n = 0
  for (const c of s.counts.values()) n += c
  return n
}

/** A column's kind in the user's words: text and categories are both text in a file. */
const kindName = (c: Column): string =>
  c.kind === 'categorical' || c.kind === 'text' ? 'text' : c.kind

const capitalize = (t: string): string => t.charAt(0).toUpperCase() + t.slice(1)

/** Why a column cannot split current data into time windows, naming the first cell that is no date. */
function notTimestamps(fileName: string, column: Column): SlipwayError {
  const rows =
    column.kind === 'numeric'
      ? column.values.length
      : column.kind === 'timestamp'
        ? 0
        : column.codes.length
  if (column.missingCount === rows) {
    return new SlipwayError(
      'INVALID_INPUT',
      `${fileName}: column "${column.name}" is empty in every row; there are no timestamps to split into windows`,
    )
  }
  let example = ''
  if (column.kind === 'numeric') {
    const row = column.values.findIndex((v) => !Number.isNaN(v))
    example = `row ${row + 1} holds the number ${column.values[row]}`
  } else if (column.kind !== 'timestamp') {
    const bad = column.categories.findIndex((c) => parseIsoTimestamp(c) === undefined)
    const row = column.codes.indexOf(bad)
    if (bad >= 0) example = `row ${row + 1} holds "${column.categories[bad]}"`
  }
  return new SlipwayError(
    'INVALID_INPUT',
    `${fileName}: column "${column.name}" holds ${column.kind} values, not timestamps (ISO-8601 dates such as 2026-03-01 or 2026-03-01T12:00:00Z)${example ? `; ${example}` : ''}`,
  )
}
