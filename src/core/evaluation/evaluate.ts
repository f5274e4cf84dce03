// The evaluation task: read the dataset, map columns, run the model, and build the stored result
// (metrics, reasons, charts, slices, business value, latency, memory). Runs in a worker thread.
import type {
  ColumnMapping,
  CostMatrix,
  EvaluationResult,
  ResolvedMapping,
  Task,
} from '../../api/evaluation'
import { SlipwayError } from '../../api/errors'
import type { OnnxInfo } from '../../api/registry'
import { classNamesFor, labelAt } from './class-names'
import { startProfiles } from '../data/describe'
import { detectFormat, loadTable } from '../data/load'
import {
  createSnapshotFile,
  finishSnapshot,
  snapshotLayout,
  type SnapshotRef,
} from '../data/snapshot'
import type { DescribedFile } from '../data/tasks'
import type { Column, Table } from '../data/table'
import {
  classificationReport,
  prepareClassification,
  scalarMetrics,
  subsetClassification,
  type ClassificationData,
  type LabelCodes,
} from './classification'
import { noLabelMessage, positiveClassOf, resolveLabel, resolveMapping } from './mapping'
import { allRows, gatherFloat64, gatherInt32 } from './metrics'
import { regressionReport } from './regression'
import { LabelDictionary, labelText, runModel, type ModelRun, type RunContext } from './run'

export const DEFAULT_BATCH_SIZE = 4096
export const MAX_SLICES = 100

export interface ModelPayload {
  modelPath: string
  /** `churn v3`, for messages. */
  modelLabel: string
  onnx: OnnxInfo
  /** An explicit mapping (from the call) or the one saved for the model. */
  mapping?: ColumnMapping | null
  mappingSource?: 'explicit' | 'saved'
  /** The mapping saved for the model: used when the automatic mapping does not fit. */
  savedMapping?: ColumnMapping | null
}

/** What a run (evaluation, shadow comparison) reads, and the settings both kinds take. */
export interface RunDataPayload {
  datasetPath: string
  /** The dataset's parsed table, read instead of the file when its hash matches (snapshot.ts). */
  datasetTable?: SnapshotRef
  datasetName: string
  /** Also profile the table read (a file this run imports): one parse serves both. */
  describe?: boolean
  /** With `describe`: also write the table's snapshot (snapshot.ts) to this new file. */
  snapshotTmp?: string
  /** The file's own name, when it differs from the dataset's (a file this run imports). */
  datasetFileName?: string
  label?: string | null
  slice?: string | null
  batchSize?: number
  task?: Task | null
}

export interface EvaluatePayload extends ModelPayload, RunDataPayload {
  costMatrix?: CostMatrix | null
}

export interface EvaluateOutput {
  mapping: ResolvedMapping
  result: EvaluationResult
  /** The dataset's description, when the payload asked for it. */
  described?: DescribedFile
}

/** Reads the dataset in this thread, reporting progress as bytes; cancellable between chunks. */
export async function readDataset(
  path: string,
  fileName: string,
  ctx: RunContext,
  snapshot?: SnapshotRef,
): Promise<{ table: Table; readMs: number }> {
  const started = performance.now()
  const controller = new AbortController()
  const table = await loadTable(path, {
    fileName,
    snapshot,
    signal: controller.signal,
    onProgress: (done, total, message) => {
      if (ctx.cancelled()) controller.abort()
      ctx.progress(done, total, message || `Reading ${fileName}`)
    },
  })
  if (ctx.cancelled()) throw new SlipwayError('CANCELLED', 'Cancelled')
  return { table, readMs: performance.now() - started }
}

/** A description being made: `finish` gives it once the run's own work is done. */
interface DescribingTable {
  finish(): Promise<DescribedFile>
  /** For a run that failed: the helper stops, nothing is profiled. */
  abandon(): void
}

/**
 * The description an import records (format, rows, column profiles), made from a table a run
 * has read anyway: a run that imports its file parses it once. Started just before the run's
 * model runs: a large table's numeric columns are profiled meanwhile by a helper thread (on
 * copies: the run still reads them), the rest here after the run's own work. A run that fails on
 * its data abandons it.
 */
function startDescribing(
  table: Table,
  path: string,
  fileName: string,
  ctx: RunContext,
  snapshotTmp: string | undefined,
): DescribingTable {
  const format = detectFormat(path, fileName)
  const controller = new AbortController()
  // The snapshot's sections are written by the thread that profiles each column, before it does.
  const snapshot = snapshotTmp ? { path: snapshotTmp, layout: snapshotLayout(table) } : undefined
  if (snapshot) createSnapshotFile(snapshot.path, snapshot.layout)
  const profiles = startProfiles(table, fileName, {
    keepColumns: true,
    helperShare: 0.75,
    snapshot,
    signal: controller.signal,
    onProgress: (done, total, message) => {
      if (ctx.cancelled()) controller.abort()
      ctx.progress(done, total, `${message} for the import`)
    },
  })
  return {
    finish: async () => {
      const columns = await profiles.finish().catch((error: unknown) => {
        if (controller.signal.aborted) throw new SlipwayError('CANCELLED', 'Cancelled')
        throw error
      })
      if (!snapshot) return { format, rows: table.rowCount, columns }
      const written = finishSnapshot(snapshot.path, snapshot.layout, profiles.snapshotEntries())
      return { format, rows: table.rowCount, columns, snapshot: written }
    },
    abandon: () => profiles.abandon(),
  }
}

/**
 * Runs a run's own work (its `result`) on its table while the description an import records is
 * made, when the run imports its file (`payload.describe`): then `described` is set too. A failed
 * run abandons the description.
 */
export async function whileDescribing<T>(
  payload: RunDataPayload,
  table: Table,
  fileName: string,
  ctx: RunContext,
  work: () => Promise<T>,
): Promise<{ result: T; described?: DescribedFile }> {
  if (!payload.describe) return { result: await work() }
  const describing = startDescribing(
    table,
    payload.datasetPath,
    fileName,
    ctx,
    payload.snapshotTmp,
  )
  let result: T
  try {
    result = await work()
  } catch (error) {
    describing.abandon()
    throw error
  }
  return { result, described: await describing.finish() }
}

export function columnOf(table: Table, name: string): Column {
  const column = table.columns.find((c) => c.name === name)
  if (!column) throw new SlipwayError('MAPPING_INVALID', `The dataset has no column "${name}"`)
  return column
}

/** Each slice's row count and scalar metrics; `metricsOf` gets the slice's positions in `rows`. */
function sliceMetrics(
  table: Table,
  column: string,
  rows: Uint32Array,
  metricsOf: (group: Uint32Array) => Record<string, unknown>,
): NonNullable<EvaluationResult['slices']> {
  return {
    column,
    rows: sliceGroups(table, column, rows).map((group) => ({
      value: group.value,
      rows: group.rows.length,
      metrics: scalarMetrics(metricsOf(group.rows)),
    })),
  }
}

/** Groups rows by the slice column's value (missing = null); refuses columns with too many values. */
export function sliceGroups(
  table: Table,
  name: string,
  rows: Uint32Array,
): { value: string | null; rows: Uint32Array }[] {
  const column = columnOf(table, name)
  const groups = new Map<string | null, number[]>()
  for (let i = 0; i < rows.length; i++) {
    const value = labelText(column, rows[i] ?? 0)
    let list = groups.get(value)
    if (!list) {
      if (groups.size >= MAX_SLICES) {
        throw new SlipwayError(
          'INVALID_INPUT',
          `Slice column "${name}" has more than ${MAX_SLICES} distinct values; choose a categorical column`,
        )
      }
      list = []
      groups.set(value, list)
    }
    list.push(i)
  }
  return [...groups.entries()]
    .map(([value, list]) => ({ value, rows: Uint32Array.from(list) }))
    .sort((a, b) =>
      a.value === null
        ? 1
        : b.value === null
          ? -1
          : a.value < b.value
            ? -1
            : a.value > b.value
              ? 1
              : 0,
    )
}

/** Checks the slice column before the model runs, so a bad choice fails fast. */
export function checkSlice(table: Table, name: string | null | undefined): void {
  if (!name) return
  sliceGroups(table, name, allRows(table.rowCount))
}

/** Rows whose label cell is present, and the truth on them. */
export function labelledRows(table: Table, label: string): { rows: Uint32Array; missing: number } {
  const column = columnOf(table, label)
  const n = table.rowCount
  const all = new Uint32Array(n)
  let count = 0
  if (column.kind === 'numeric' || column.kind === 'timestamp') {
    const missing = column.missing
    for (let r = 0; r < n; r++) if (!missing[r]) all[count++] = r
  } else {
    const codes = column.codes
    for (let r = 0; r < n; r++) if ((codes[r] ?? -1) >= 0) all[count++] = r
  }
  return { rows: count === n ? all : all.slice(0, count), missing: n - count }
}

/**
 * The model's class names a boolean label column is read against: a model with classes 0 and 1
 * (and no `true`/`false`) reads true as 1 and false as 0, as scikit-learn compares a bool array
 * with an int one; otherwise a boolean column's labels are `true` and `false`.
 */
export function booleanLabelNames(
  column: Column,
  modelLabels: Iterable<string>,
): { true: string; false: string } | null {
  if (column.kind !== 'boolean') return null
  const classes = new Set(modelLabels)
  if (classes.has('true') || classes.has('false')) return null
  return classes.has('0') || classes.has('1') ? { true: '1', false: '0' } : null
}

/** The model's class names of a run: what it predicted and the columns of its probabilities. */
export const modelLabelsOf = (run: ModelRun): string[] => [
  ...(run.predicted?.names ?? []),
  ...run.probaClasses,
]

export function truthCodes(
  column: Column,
  rows: Uint32Array,
  modelLabels: Iterable<string> = [],
): LabelCodes {
  const asClasses = booleanLabelNames(column, modelLabels)
  if (asClasses) {
    const { codes, names } = truthCodes(column, rows)
    return { codes, names: names.map((n) => (n === 'true' ? asClasses.true : asClasses.false)) }
  }
  const dict = new LabelDictionary()
  const codes = new Int32Array(rows.length)
  if (column.kind === 'numeric' || column.kind === 'timestamp') {
    // Numeric labels: one text per distinct value, not one per row.
    const byValue = new Map<number, number>()
    // Small whole labels (0..k-1) go through a table; a Map lookup per row costs more.
    const small = new Int32Array(1024).fill(-1)
    let lastValue = NaN
    let lastCode = -1
    for (let i = 0; i < rows.length; i++) {
      const v = column.values[rows[i] ?? 0] ?? NaN
      const s = v >= 0 && v < 1024 && (v | 0) === v ? v : -1
      const known = s >= 0 ? (small[s] ?? -1) : -1
      if (known >= 0) {
        codes[i] = known
        continue
      }
      if (v !== lastValue) {
        let code = byValue.get(v)
        if (code === undefined) {
          const text = labelText(column, rows[i] ?? 0)
          if (text === null) throw new SlipwayError('INTERNAL', `row ${rows[i]} has no label`)
          code = dict.code(text)
          byValue.set(v, code)
        }
        if (s >= 0) small[s] = code
        lastValue = v
        lastCode = code
      }
      codes[i] = lastCode
    }
    return { codes, names: dict.names }
  }
  const byCode = new Int32Array(column.categories.length).fill(-1)
  for (let i = 0; i < rows.length; i++) {
    const c = column.codes[rows[i] ?? 0] ?? -1
    let code = byCode[c] ?? -1
    if (code === -1) {
      code = dict.code(labelAt(column.categories, c))
      byCode[c] = code
    }
    codes[i] = code
  }
  return { codes, names: dict.names }
}

export function truthValues(column: Column, rows: Uint32Array, datasetName?: string): Float64Array {
  if (column.kind !== 'numeric') {
    throw new SlipwayError(
      'DATA_INVALID',
      `${datasetName ? `${datasetName}: l` : 'L'}abel column "${column.name}" is ${column.kind}; a regression model needs numbers`,
    )
  }
  return gatherFloat64(column.values, rows)
}

/** The model's outputs on `rows`, as classification data against the truth. */
export function classificationData(
  run: ModelRun,
  truth: LabelCodes,
  rows: Uint32Array,
  positiveLabel: string | null,
): ClassificationData {
  // Every row labelled (the usual case): the run's arrays are used as they are, not copied.
  // (`rows` is an increasing subset of the run's rows, so the same length means all of them.)
  const runRows =
    run.predicted?.codes.length ?? (run.proba ? run.proba.length / run.probaClasses.length : -1)
  const all = rows.length === runRows
  const predicted = run.predicted
    ? {
        codes: all ? run.predicted.codes : gatherInt32(run.predicted.codes, rows),
        names: run.predicted.names,
      }
    : null
  let proba: Float32Array | Float64Array | null = null
  let nanRows = 0
  if (run.proba) {
    const c = run.probaClasses.length
    const source = run.proba
    // float32 probabilities stay float32: widening each to a double later is exact.
    proba = all
      ? source
      : source instanceof Float32Array
        ? new Float32Array(rows.length * c)
        : new Float64Array(rows.length * c)
    // All rows: the run has counted the rows with a NaN probability already.
    if (all) nanRows = run.nanRows
    else {
      for (let i = 0; i < rows.length; i++) {
        const from = (rows[i] ?? 0) * c
        let nan = false
        for (let j = 0; j < c; j++) {
          const v = source[from + j] ?? 0
          proba[i * c + j] = v
          if (v !== v) nan = true
        }
        if (nan) nanRows++
      }
    }
  }
  return prepareClassification({
    truth,
    predicted,
    proba,
    probaClasses: run.probaClasses,
    positiveLabel,
    nanRows,
  })
}

export function buildResult(
  table: Table,
  run: ModelRun,
  settings: {
    label: string
    slice?: string | null
    costMatrix?: CostMatrix | null
    positiveLabel: string | null
    /** For messages. */
    datasetName?: string
  },
  timing: { readMs: number; startedAt: number },
): EvaluationResult {
  const metricsStarted = performance.now()
  const labelColumn = columnOf(table, settings.label)
  const { rows, missing } = labelledRows(table, settings.label)
  const warnings = [...run.warnings]
  if (missing)
    warnings.push(
      `${missing} row(s) have no value in label column "${settings.label}" and are left out of the metrics`,
    )
  const charts: EvaluationResult['charts'] = {
    roc: [],
    pr: [],
    calibration: null,
    scoreHistogram: null,
    residualHistogram: null,
    predictedVsActual: null,
  }
  let metrics: EvaluationResult['metrics']
  let reasons: Record<string, string>
  let perClass: EvaluationResult['perClass'] = []
  let businessValue: EvaluationResult['businessValue'] = null
  let slices: EvaluationResult['slices'] = null
  let positiveLabel: string | null = null

  if (run.task === 'classification') {
    const data = classificationData(
      run,
      truthCodes(labelColumn, rows, modelLabelsOf(run)),
      rows,
      settings.positiveLabel,
    )
    positiveLabel = data.positive === null ? null : labelAt(data.labels, data.positive)
    const report = classificationReport(data, { costMatrix: settings.costMatrix })
    metrics = report.metrics
    reasons = report.reasons
    perClass = report.perClass
    businessValue = report.businessValue
    Object.assign(charts, report.charts)
    const predictedNames = new Set(run.predicted?.names ?? run.probaClasses)
    const trueNames = new Set(data.labels.filter((_, i) => data.yTrue.includes(i)))
    if (rows.length && ![...trueNames].some((l) => predictedNames.has(l))) {
      warnings.push(
        `The model's labels (${[...predictedNames].slice(0, 5).join(', ')}) never match the dataset's labels in "${settings.label}" (${[...trueNames].slice(0, 5).join(', ')})`,
      )
    }
    if (settings.slice) {
      slices = sliceMetrics(
        table,
        settings.slice,
        rows,
        (group) =>
          classificationReport(subsetClassification(data, group), { withCharts: false }).metrics,
      )
    }
  } else {
    const actual = truthValues(labelColumn, rows, settings.datasetName)
    if (!run.prediction) throw new SlipwayError('INTERNAL', 'a regression run without predictions')
    const predicted = gatherFloat64(run.prediction, rows)
    const report = regressionReport(actual, predicted, { nanRows: run.nanRows })
    metrics = report.metrics
    reasons = report.reasons
    Object.assign(charts, report.charts)
    if (settings.costMatrix)
      reasons.businessValue = 'a cost matrix applies to binary classification only'
    if (settings.slice) {
      slices = sliceMetrics(
        table,
        settings.slice,
        rows,
        (group) =>
          regressionReport(gatherFloat64(actual, group), gatherFloat64(predicted, group), {
            nanRows: run.nanRows,
            withCharts: false,
          }).metrics,
      )
    }
  }
  return {
    task: run.task,
    rows: rows.length,
    datasetRows: table.rowCount,
    rowsWithoutLabel: missing,
    nanOutputRows: run.nanRows,
    positiveLabel,
    metrics,
    reasons,
    perClass,
    charts,
    businessValue,
    slices,
    latency: run.latency,
    operational: {
      ...run.operational,
      metricsMs: performance.now() - metricsStarted,
      readMs: timing.readMs,
      totalMs: performance.now() - timing.startedAt,
    },
    warnings,
  }
}

/** Resolves the mapping of one model on the table (explicit / saved / metadata / numeric). */
export function mappingFor(
  table: Table,
  model: ModelPayload,
  label: string | null,
  slice: string | null | undefined,
  fileName: string,
): ResolvedMapping {
  const resolve = (
    explicit: ColumnMapping | null,
    explicitSource: 'explicit' | 'saved' | undefined,
  ): ResolvedMapping =>
    resolveMapping(table, model.onnx, {
      label,
      slice: slice ?? null,
      explicit,
      explicitSource,
      fileName,
    })
  if (model.mapping) return resolve(model.mapping, model.mappingSource ?? 'explicit')
  try {
    return resolve(null, undefined)
  } catch (error) {
    if (!model.savedMapping || !(error instanceof SlipwayError) || error.code !== 'MAPPING_INVALID')
      throw error
    return resolve(model.savedMapping, 'saved')
  }
}

export async function evaluate(payload: EvaluatePayload, ctx: RunContext): Promise<EvaluateOutput> {
  const startedAt = performance.now()
  const fileName = payload.datasetFileName ?? payload.datasetName
  const { table, readMs } = await readDataset(
    payload.datasetPath,
    fileName,
    ctx,
    payload.datasetTable,
  )
  const label = resolveLabel(table, payload.onnx, payload.label ?? undefined, payload.datasetName)
  if (!label) {
    throw new SlipwayError(
      'MAPPING_INVALID',
      noLabelMessage(table, payload.onnx, payload.datasetName),
    )
  }
  const mapping = mappingFor(table, payload, label, payload.slice, payload.datasetName)
  checkSlice(table, payload.slice)
  // Metrics of zero rows are all undefined: refuse now, before running the model, and store nothing.
  if (columnOf(table, label).missingCount === table.rowCount) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `${payload.datasetName}: no row has a value in label column "${label}" (${table.rowCount.toLocaleString('en-US')} rows), so there is nothing to measure`,
    )
  }
  const outcome = await whileDescribing(payload, table, fileName, ctx, async () => {
    const run = await runModel(
      table,
      {
        modelPath: payload.modelPath,
        modelLabel: payload.modelLabel,
        onnx: payload.onnx,
        mapping,
        batchSize: payload.batchSize ?? DEFAULT_BATCH_SIZE,
        task: payload.task ?? null,
      },
      ctx,
    )
    const result = buildResult(
      table,
      run,
      {
        label,
        slice: payload.slice,
        costMatrix: payload.costMatrix,
        positiveLabel: positiveClassOf(payload.onnx),
        datasetName: payload.datasetName,
      },
      { readMs, startedAt },
    )
    if ('labels' in result.metrics) {
      const classNames = classNamesFor(payload.onnx, result.metrics.labels)
      if (classNames) result.classNames = classNames
    }
    return result
  })
  return { mapping, ...outcome }
}
