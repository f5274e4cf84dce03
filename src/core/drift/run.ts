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
import type { SnapshotRef } from '../data/snapshot'
import { MAX_PCA_COLUMNS } from './multivariate'
import { classifierOutputs, truthCodes } from './performance'

export interface DriftSideInput {
  path: string
  fileName: string
  name: string
  sha256: string | null
  datasetId: number | null
  /** A stored dataset's parsed table, read instead of `path` when its hash matches (snapshot.ts). */
  table?: SnapshotRef
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
        for (let c = 1; c < k; c++)
          if ((run.proba[r * k + c] ?? NaN) > (run.proba[r * k + best] ?? NaN)) best = c
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
    const positive = positiveProbability(run, onnx)
    if (run.proba && positive) {
      out.push(probabilityColumn(run.proba, k, positive.index, positive.className, rowCount))
    } else if (run.proba && k > 2) {
      // Multiclass: each class's probability drifts on its own (a model can keep its predicted
      // labels while growing unsure between two classes). Past the cap (50 classes), the
      // predicted label carries the comparison alone.
      const proba = run.proba
      run.probaClasses
        .slice(0, MAX_PROBABILITY_COLUMNS)
        .forEach((className, c) => out.push(probabilityColumn(proba, k, c, className, rowCount)))
    }
  } else if (run.prediction) {
    out.push(numericColumn('prediction', run.prediction))
  }
  return out
}

/** Multiclass models compare at most this many per-class probability columns. */
export const MAX_PROBABILITY_COLUMNS = 50

/**
 * The positive class's probability column of a binary classifier: the model's
 * `positive_class` where it names one of the classes, else the second class (null: not binary).
 */
function positiveProbability(
  run: ModelRun,
  onnx: OnnxInfo,
): { index: number; className: string } | null {
  const classes = run.probaClasses
  if (!run.proba || classes.length !== 2) return null
  const named = positiveClassOf(onnx)
  const index = named === null ? 1 : Math.max(0, classes.indexOf(named))
  const className = classes[index]
  return className === undefined ? null : { index, className }
}

function probabilityColumn(
  proba: Float32Array | Float64Array,
  k: number,
  index: number,
  className: string,
  rowCount: number,
): NumericColumn {
  const values = new Float64Array(rowCount)
  for (let r = 0; r < rowCount; r++) values[r] = proba[r * k + index] ?? NaN
  return numericColumn(`probability of ${className}`, values)
}

function numericColumn(name: string, values: Float64Array): NumericColumn {
  const missing = new Uint8Array(values.length)
  let missingCount = 0
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) {
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

type DriftModel = NonNullable<DriftTaskPayload['model']>

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
  model: DriftModel,
  payload: DriftTaskPayload,
  side: DriftSideInput,
  ctx: TaskContext,
): Promise<SideOutputs> {
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
  rowCount: number,
  outputs: SideOutputs,
  truth: Column | null,
  onnx: OnnxInfo,
  classes?: string[],
): LabelledSide {
  const positive = positiveClassOf(onnx)
  const classifier = classifierOutputs(outputs.run, rowCount, positive, classes)
  const codes = classifier && truth ? truthCodes(truth, classifier.classes, rowCount) : null
  let labelled = 0
  if (truth) for (let r = 0; r < rowCount; r++) if (labelText(truth, r) !== null) labelled++
  return {
    rowCount,
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
      const t = truth.values[r] ?? NaN
      const p = prediction.values[r] ?? NaN
      if (Number.isNaN(t) || Number.isNaN(p)) continue
      n++
      abs += Math.abs(p - t)
      sq += (p - t) ** 2
    }
    return { mae: n ? abs / n : null, rmse: n ? Math.sqrt(sq / n) : null, labelled: n }
  }
  return {}
}

/** One side's table, read with progress; cancellation is checked once it is in memory. */
async function readSide(side: DriftSideInput, ctx: TaskContext): Promise<Table> {
  ctx.progress(0, null, `Reading ${side.name}`)
  const table = await loadTable(side.path, {
    fileName: side.fileName,
    snapshot: side.table,
    onProgress: (done, total) => ctx.progress(done, total, `Reading ${side.name}`),
  })
  checkCancelled(ctx)
  return table
}

/** The reference, once read: its outputs, its label, and its columns waiting to be sampled. */
interface ReferenceSide {
  rows: number
  columnCount: number
  outputs: SideOutputs | null
  labelName: string | null
  kinds: Map<string, Column['kind']>
  /** Reference columns not yet turned into samples, by name; emptied by `pairColumns`. */
  pending: Map<string, Column>
}

async function readReference(payload: DriftTaskPayload, ctx: TaskContext): Promise<ReferenceSide> {
  const table = await readSide(payload.reference, ctx)
  const columnCount = table.columns.length
  const outputs = payload.model
    ? await modelOutputs(table, payload.model, payload, payload.reference, ctx)
    : null
  const labelName = outputs ? outputs.label : sideLabel(table, payload, payload.reference)

  // Reference columns become samples one by one; the table's copy of each is dropped.
  const columns = table.columns.splice(0)
  const kinds = new Map<string, Column['kind']>(columns.map((c) => [c.name, c.kind]))
  const pending = new Map<string, Column>(columns.map((c) => [c.name, c]))
  columns.length = 0
  return { rows: table.rowCount, columnCount, outputs, labelName, kinds, pending }
}

interface CurrentSide {
  table: Table
  outputs: SideOutputs | null
  /** The target: the label the model's mapping left out, or the settings' label; never a feature. */
  targetName: string | null
}

async function readCurrent(
  payload: DriftTaskPayload,
  reference: ReferenceSide,
  ctx: TaskContext,
): Promise<CurrentSide> {
  const { settings } = payload
  const table = await readSide(payload.current, ctx)
  if (
    settings.label &&
    !table.columns.some((c) => c.name === settings.label) &&
    !reference.kinds.has(settings.label)
  ) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `${payload.current.name}: has no label column "${settings.label}", and neither has ${payload.reference.name}`,
    )
  }
  const outputs = payload.model
    ? await modelOutputs(table, payload.model, payload, payload.current, ctx)
    : null
  const targetName = outputs
    ? outputs.label
    : settings.label && reference.kinds.has(settings.label)
      ? settings.label
      : null
  return { table, outputs, targetName }
}

const columnNamed = (table: Table, name: string | null): Column | null =>
  (name && table.columns.find((c) => c.name === name)) || null

/** The production log's columns in current data, and the role each named column plays. */
function logRolesOf(
  payload: DriftTaskPayload,
  table: Table,
): { logColumns: LogColumns; roleOf: Map<string, string> } {
  const logRoles = payload.settings.log
  for (const [flag, name] of Object.entries(logRoles)) {
    if (name && !table.columns.some((c) => c.name === name))
      throw new SlipwayError(
        'INVALID_INPUT',
        `${payload.current.name}: has no column "${name}" for the log's ${LOG_ROLE_NAMES[flag as keyof typeof LOG_ROLE_NAMES]}`,
      )
  }
  const logColumns: LogColumns = {
    prediction: columnNamed(table, logRoles.prediction),
    score: columnNamed(table, logRoles.score),
    latency: columnNamed(table, logRoles.latency),
    value: columnNamed(table, logRoles.value),
  }
  const roleOf = new Map<string, string>()
  for (const [role, name] of Object.entries(logRoles))
    if (name) roleOf.set(name, LOG_ROLE_NAMES[role as keyof typeof LOG_ROLE_NAMES])
  return { logColumns, roleOf }
}

/** Settings that give a column a test or threshold name a column both sides hold. */
function checkSettingsColumns(
  payload: DriftTaskPayload,
  refKinds: Map<string, Column['kind']>,
  curNames: Set<string>,
): void {
  for (const name of Object.keys(payload.settings.columns)) {
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
}

type ColumnPair = { name: string; kind: 'numeric' | 'categorical'; ref: Sample; cur: Column }

/** The columns of both sides, paired by name: compared, skipped (and why), or the target. */
interface PairedColumns {
  skipped: { name: string; reason: string }[]
  pairs: ColumnPair[]
  kindNotes: Map<string, string>
  /** Numeric feature columns of both sides, kept for the multivariate (PCA) check. */
  pcaNames: string[]
  pcaRef: Float64Array[]
  pcaCur: Float64Array[]
  target: { name: string; ref: Sample; cur: Sample } | null
}

function pairColumns(
  current: Table,
  pendingRef: Map<string, Column>,
  targetName: string | null,
  roleOf: Map<string, string>,
  timestampColumn: string | null | undefined,
): PairedColumns {
  const paired: PairedColumns = {
    skipped: [],
    pairs: [],
    kindNotes: new Map(),
    pcaNames: [],
    pcaRef: [],
    pcaCur: [],
    target: null,
  }
  const { skipped, pairs, kindNotes, pcaNames, pcaRef, pcaCur } = paired
  for (const cur of current.columns) {
    const ref = pendingRef.get(cur.name)
    if (!ref) continue
    pendingRef.delete(cur.name)
    if (cur.name === targetName) {
      const kind = pairKind(ref, cur)
      if (kind)
        paired.target = { name: cur.name, ref: sampleOf(ref, kind), cur: sampleOf(cur, kind) }
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
  return paired
}

/** Settings cannot give a test or threshold to a column that is not compared. */
function checkSkippedSettings(skipped: PairedColumns['skipped'], settings: DriftSettings): void {
  for (const { name, reason } of skipped) {
    if (settings.columns[name])
      throw new SlipwayError(
        'INVALID_INPUT',
        `The settings give column "${name}" a test or threshold, but it is not compared: ${reason}`,
      )
  }
}

/** The model's output columns on both sides, paired by name (the same model made both). */
function predictionPairs(refPredictions: Column[], curPredictions: Column[]): ColumnPair[] {
  return curPredictions.map((cur) => {
    const ref = refPredictions.find((c) => c.name === cur.name)
    const kind = ref ? pairKind(ref, cur) : null
    if (!ref || !kind)
      throw new SlipwayError(
        'INTERNAL',
        `The model's output "${cur.name}" on current data has no counterpart of the same kind on the reference`,
      )
    return { name: cur.name, kind, ref: sampleOf(ref, kind), cur }
  })
}

/** Current data's windows: fixed chunks, or time windows of its timestamp column (null: none). */
function planWindows(
  payload: DriftTaskPayload,
  current: Table,
): { plans: WindowPlan[] | null; rowsWithoutTimestamp: number } {
  const { settings } = payload
  const timestampColumn = settings.timestampColumn
  if (!timestampColumn && !settings.chunks) return { plans: null, rowsWithoutTimestamp: 0 }
  if (settings.chunks && !settings.window) {
    if (current.rowCount < settings.chunks) {
      throw new SlipwayError(
        'INVALID_INPUT',
        `${payload.current.name}: has ${current.rowCount} row${current.rowCount === 1 ? '' : 's'}, fewer than the ${settings.chunks} chunks asked for`,
      )
    }
    return { plans: planChunks(current.rowCount, settings.chunks), rowsWithoutTimestamp: 0 }
  }
  const column = current.columns.find((c) => c.name === timestampColumn)
  if (!column)
    throw new SlipwayError(
      'INVALID_INPUT',
      `${payload.current.name}: has no column "${timestampColumn}" to split into windows`,
    )
  if (column.kind !== 'timestamp') throw notTimestamps(payload.current.name, column)
  const plan = planTimeWindows(column.values, settings.window ?? 'day', column.name)
  return { plans: plan.windows, rowsWithoutTimestamp: plan.withoutTimestamp }
}

/** Compares column pairs (on all rows, or on a window's rows), counting steps for progress. */
type CompareAll = (list: ColumnPair[], rows?: Uint32Array) => ColumnDrift[]

function columnComparer(ctx: TaskContext, settings: DriftSettings, totalSteps: number): CompareAll {
  let step = 0
  return (list, rows) =>
    list.map((p) => {
      checkCancelled(ctx)
      const result = compareColumn(p.name, p.ref, sampleOf(p.cur, p.kind, rows), {
        settings,
        referenceCount: countOf(p.ref),
      })
      ctx.progress(++step, totalSteps, rows ? `Windows: ${p.name}` : `Comparing ${p.name}`)
      return result
    })
}

/** Every window's drift, prediction drift and metrics, after the whole-data comparison. */
function windowsSection(input: {
  plans: WindowPlan[]
  rowsWithoutTimestamp: number
  settings: DriftSettings
  compareAll: CompareAll
  pairs: ColumnPair[]
  predPairs: ColumnPair[]
  truth: Column | null
  firstPrediction: Column | undefined
}): NonNullable<DriftReport['windows']> {
  const { settings, compareAll, truth, firstPrediction } = input
  const items: DriftWindow[] = input.plans.map((w, index) => {
    const wc = compareAll(input.pairs, w.rows)
    const wp = compareAll(input.predPairs, w.rows)
    const s = summarize(wc, settings.driftShare)
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
      metrics: truth && firstPrediction ? windowMetrics(firstPrediction, truth, w.rows) : null,
    }
  })
  const byChunks = settings.chunks && !settings.window
  return {
    by: byChunks ? 'chunks' : 'time',
    timestampColumn: byChunks ? null : settings.timestampColumn,
    unit: byChunks ? null : (settings.window ?? 'day'),
    rowsWithoutTimestamp: input.rowsWithoutTimestamp,
    items,
  }
}

type PerformanceSections = Pick<
  DriftReport,
  'performance' | 'estimatedPerformance' | 'performanceNote'
>

/**
 * Realised performance when both sides have labels, estimated (CBPE) when only the reference
 * has them, else a note saying why neither.
 */
function performanceSections(input: {
  payload: DriftTaskPayload
  reference: ReferenceSide
  current: CurrentSide
  refTruth: Column | null
  curTruth: Column | null
  referenceChunks: Uint32Array[]
  windows: WindowPlan[] | null
  allRef: Uint32Array
  allCur: Uint32Array
  ctx: TaskContext
}): PerformanceSections {
  const { payload, reference, current } = input
  const none: PerformanceSections = {
    performance: null,
    estimatedPerformance: null,
    performanceNote: null,
  }
  if (!payload.model || !reference.outputs || !current.outputs) return none
  const onnx = payload.model.onnx
  const ref = labelledSide(reference.rows, reference.outputs, input.refTruth, onnx)
  const cur = labelledSide(
    current.table.rowCount,
    current.outputs,
    input.curTruth,
    onnx,
    ref.classifier?.classes,
  )
  checkCancelled(input.ctx)
  const inputs = {
    ref,
    cur,
    referenceChunks: input.referenceChunks,
    windows: input.windows,
    settings: payload.settings,
    allRef: input.allRef,
    allCur: input.allCur,
  }
  if (ref.labelled === 0)
    return {
      ...none,
      performanceNote: `${payload.reference.name} has no labels, so the model's performance cannot be measured or estimated.`,
    }
  if (cur.labelled > 0) return { ...none, performance: performanceSection(inputs) }
  const estimate = estimatedSection(inputs)
  return typeof estimate === 'string'
    ? { ...none, performanceNote: estimate }
    : { ...none, estimatedPerformance: estimate }
}

export async function runDrift(payload: DriftTaskPayload, ctx: TaskContext): Promise<DriftReport> {
  const started = Date.now()
  const { settings } = payload
  const reference = await readReference(payload, ctx)
  const current = await readCurrent(payload, reference, ctx)
  const curTable = current.table
  const { logColumns, roleOf } = logRolesOf(payload, curTable)
  const refTruth = reference.labelName ? (reference.pending.get(reference.labelName) ?? null) : null
  const curTruth = columnNamed(curTable, current.targetName)

  const timestampColumn = settings.timestampColumn
  if (settings.window && !timestampColumn) {
    throw new SlipwayError('INVALID_INPUT', `A ${settings.window} window needs a timestamp column`)
  }
  const curNames = new Set(curTable.columns.map((c) => c.name))
  const onlyInReference = [...reference.kinds.keys()].filter((n) => !curNames.has(n))
  const onlyInCurrent = curTable.columns
    .map((c) => c.name)
    .filter((n) => !reference.kinds.has(n) && n !== timestampColumn && !roleOf.has(n))
  checkSettingsColumns(payload, reference.kinds, curNames)
  const paired = pairColumns(
    curTable,
    reference.pending,
    current.targetName,
    roleOf,
    timestampColumn,
  )
  checkSkippedSettings(paired.skipped, settings)
  const curPredictions = current.outputs?.columns ?? []
  const predPairs = predictionPairs(reference.outputs?.columns ?? [], curPredictions)
  const { plans: windowPlans, rowsWithoutTimestamp } = planWindows(payload, curTable)

  const totalSteps = (paired.pairs.length + predPairs.length) * (1 + (windowPlans?.length ?? 0))
  const compareAll = columnComparer(ctx, settings, totalSteps)
  const columns = compareAll(paired.pairs)
  for (const c of columns) {
    const note = paired.kindNotes.get(c.name)
    if (note) c.notes.unshift(note)
  }
  const predictionColumnsDrift = compareAll(predPairs)
  const summary = summarize(columns, settings.driftShare)

  const truth = payload.model ? curTruth : null
  const metricsNote = !payload.model
    ? null
    : truth
      ? `Metrics against the label column "${truth.name}", over all current rows and per window.`
      : `${payload.current.name} has no label column, so no evaluation metrics.`
  const firstPrediction = curPredictions[0]
  const overallMetrics =
    truth && firstPrediction
      ? windowMetrics(firstPrediction, truth, allRows(curTable.rowCount))
      : null
  const windows = windowPlans
    ? windowsSection({
        plans: windowPlans,
        rowsWithoutTimestamp,
        settings,
        compareAll,
        pairs: paired.pairs,
        predPairs,
        truth,
        firstPrediction,
      })
    : null

  // Performance first, then the other monitoring sections, all timed as `monitoringMs`.
  const monitoringStarted = Date.now()
  const referenceChunks = planChunks(
    reference.rows,
    Math.min(settings.referenceChunks, Math.max(reference.rows, 1)),
  ).map((w) => w.rows)
  const allCur = allRows(curTable.rowCount)
  const performance = performanceSections({
    payload,
    reference,
    current,
    refTruth,
    curTruth,
    referenceChunks,
    windows: windowPlans,
    allRef: allRows(reference.rows),
    allCur,
    ctx,
  })
  checkCancelled(ctx)
  const multivariate = multivariateSection(
    paired.pcaNames,
    paired.pcaRef,
    paired.pcaCur,
    referenceChunks,
    windowPlans,
    settings.pcaVariance,
  )
  paired.pcaRef.length = 0
  const target = paired.target ? targetDrift(paired.target, settings) : null
  const log: DriftReport['log'] = Object.values(logColumns).some((c) => c !== null)
    ? logSection(
        logColumns,
        payload.model && current.outputs ? recomputedOf(current.outputs, payload.model.onnx) : null,
        curTable.rowCount,
        allCur,
        windowPlans,
      )
    : null
  const monitoringMs = Date.now() - monitoringStarted

  const report: Omit<DriftReport, 'headline'> = {
    id: null,
    createdAt: new Date().toISOString(),
    reference: {
      name: payload.reference.name,
      sha256: payload.reference.sha256,
      datasetId: payload.reference.datasetId,
      rows: reference.rows,
      columns: reference.columnCount,
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
    referenceRows: reference.rows,
    currentRows: curTable.rowCount,
    columns,
    onlyInReference,
    onlyInCurrent,
    skipped: paired.skipped,
    prediction: payload.model
      ? { columns: predictionColumnsDrift, metricsNote, metrics: overallMetrics }
      : null,
    windows,
    target,
    ...performance,
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
  pair: { name: string; ref: Sample; cur: Sample },
  settings: DriftSettings,
): NonNullable<DriftReport['target']> {
  const { name } = pair
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
function recomputedOf(outputs: SideOutputs, onnx: OnnxInfo): Recomputed {
  const columns = outputs.columns
  const label = columns.find((c) => c.name === 'predicted label' || c.name === 'prediction')
  const k = outputs.run.probaClasses.length
  const positive = positiveProbability(outputs.run, onnx)
  let score: Float64Array | null = null
  if (outputs.run.proba && positive) {
    const proba = outputs.run.proba
    score = new Float64Array(proba.length / k)
    for (let r = 0; r < score.length; r++) score[r] = proba[r * k + positive.index] ?? NaN
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
