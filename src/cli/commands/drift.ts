// CLI: `slipway drift` compares current data with a reference, per column and over time windows.
import fs from 'node:fs'
import type { Command } from 'commander'
import type { z } from 'zod'
import type {
  ColumnDrift,
  DataSource,
  DriftReport,
  DriftSettingsInput,
  DriftTest,
} from '../../api/drift'
import {
  DriftBins,
  DriftChunks,
  DriftPerformanceDrop,
  DriftReferenceChunks,
  DriftShare,
  DriftTest as DriftTestSchema,
  DriftThreshold,
  WindowUnit,
} from '../../api/drift'
import { numberRange } from '../../api/common'
import { SlipwayError } from '../../api/errors'
import { collect, parseModelRef, withSlipway } from '../context'
import { waitForJob } from '../jobs'
import { printJson, printTable, safe, type GlobalOptions } from '../output'
import { checkHtmlTarget, writeHtmlReport } from '../report'

export const EXIT_DRIFT = 4

interface DriftOptions extends GlobalOptions {
  reference: string
  current: string
  model?: string
  timestamp?: string
  window?: string
  chunks?: string
  method?: string[]
  threshold?: string[]
  bins?: string
  driftShare?: string
  label?: string
  failOnDrift?: boolean
  failOnDegradation?: boolean
  performanceDrop?: string
  referenceChunks?: string
  logPrediction?: string
  logScore?: string
  latency?: string
  businessValue?: string
  html?: string
}

/** FILE (an existing path), DATASET (id, name or sha256) or MODEL@REF (a version's training data). */
export function parseSource(text: string, role: 'reference' | 'current'): DataSource {
  let stat: fs.Stats | undefined
  try {
    stat = fs.statSync(text)
  } catch {
    // not a file: a dataset or a version
  }
  if (stat?.isFile()) return { file: { path: text } }
  // A bare name is a dataset even when a folder of that name is here; a path is not.
  if (stat?.isDirectory() && /[\\/]/.test(text))
    throw new SlipwayError('BAD_FILE', `${text}: is a folder; give a CSV or Parquet file`)
  // A pipe, socket or device exists but cannot be hashed and stored as a snapshot: say so.
  if (stat && !stat.isFile() && !stat.isDirectory())
    throw new SlipwayError(
      'BAD_FILE',
      `--${role} ${text}: is ${stat.isFIFO() ? 'a named pipe (FIFO)' : stat.isSocket() ? 'a socket' : 'a device'}, not a regular file; save the data to a CSV or Parquet file first`,
    )
  if (/^\d+$/.test(text)) return { dataset: Number(text) }
  if (text.includes('@')) {
    if (role === 'current')
      throw new SlipwayError(
        'INVALID_INPUT',
        `--current ${text}: takes a file or a dataset, not a model version`,
      )
    const { model, ref } = parseModelRef(text)
    return { version: { model, ref } }
  }
  if (/[\\/]|\.(csv|parquet|pq)$/i.test(text))
    throw new SlipwayError('BAD_FILE', `${text}: no such file`)
  return { dataset: text }
}

const parseNumber = (text: string, what: string, shown = text): number => {
  const n = Number(text)
  if (!text.trim() || !Number.isFinite(n))
    throw new SlipwayError(
      'INVALID_INPUT',
      text.trim()
        ? `${what} "${shown}": "${text}" is not a number`
        : `${what} "${shown}": give a number`,
    )
  return n
}

/** A number for a flag, within the range the settings accept, or a message naming the flag. */
function parseIn(text: string, flag: string, schema: z.ZodNumber, shown = text): number {
  const n = parseNumber(text, flag, shown)
  if (!schema.safeParse(n).success)
    throw new SlipwayError('INVALID_INPUT', `${flag} "${shown}": use ${numberRange(schema).words}`)
  return n
}

/** Splits COLUMN=VALUE at its last "="; a bare VALUE applies to every column. */
function columnAndValue(text: string, flag: string): [string | null, string] {
  const eq = text.lastIndexOf('=')
  if (eq < 0) return [null, text]
  const column = text.slice(0, eq)
  if (!column)
    throw new SlipwayError(
      'INVALID_INPUT',
      `${flag} "${text}": name a column before "=", or give the value alone for every column`,
    )
  return [column, text.slice(eq + 1)]
}

const parseTest = (text: string): DriftTest => {
  const parsed = DriftTestSchema.safeParse(text.trim().toLowerCase())
  if (!parsed.success)
    throw new SlipwayError(
      'INVALID_INPUT',
      `Unknown test "${text}"; use one of ${DriftTestSchema.options.join(', ')}`,
    )
  return parsed.data
}

export function settingsFromOptions(o: DriftOptions): DriftSettingsInput {
  const settings: DriftSettingsInput = { columns: {} }
  const columns: Record<string, { method?: DriftTest; threshold?: number }> = {}
  for (const m of o.method ?? []) {
    const [column, test] = columnAndValue(m, '--method')
    if (column === null) settings.method = parseTest(test)
    else columns[column] = { ...columns[column], method: parseTest(test) }
  }
  for (const t of o.threshold ?? []) {
    const [column, value] = columnAndValue(t, '--threshold')
    if (column === null) settings.threshold = parseIn(value, '--threshold', DriftThreshold)
    else
      columns[column] = {
        ...columns[column],
        threshold: parseIn(value, '--threshold', DriftThreshold, t),
      }
  }
  settings.columns = columns
  if (o.bins !== undefined) settings.bins = parseIn(o.bins, '--bins', DriftBins)
  if (o.driftShare !== undefined)
    settings.driftShare = parseIn(o.driftShare, '--drift-share', DriftShare)
  if (o.chunks !== undefined && (o.timestamp || o.window))
    throw new SlipwayError(
      'INVALID_INPUT',
      '--chunks splits current data in row order, --timestamp/--window by time; choose one',
    )
  if (o.timestamp) settings.timestampColumn = o.timestamp
  if (o.window) {
    const unit = WindowUnit.safeParse(o.window)
    if (!unit.success)
      throw new SlipwayError(
        'INVALID_INPUT',
        `--window "${o.window}": use hour, day, week or month`,
      )
    settings.window = unit.data
    if (!o.timestamp) throw new SlipwayError('INVALID_INPUT', '--window needs --timestamp COL')
  } else if (o.timestamp) settings.window = 'day'
  if (o.chunks !== undefined) settings.chunks = parseIn(o.chunks, '--chunks', DriftChunks)
  // Without --model, --label names the target: compared in its own section, never as a feature.
  if (o.label) settings.label = o.label
  if (o.failOnDegradation && !o.model)
    throw new SlipwayError(
      'INVALID_INPUT',
      '--fail-on-degradation needs --model MODEL@REF: performance is the model’s, measured or estimated',
    )
  if (o.performanceDrop !== undefined)
    settings.performanceDrop = parseIn(
      o.performanceDrop,
      '--performance-drop',
      DriftPerformanceDrop,
    )
  if (o.referenceChunks !== undefined)
    settings.referenceChunks = parseIn(
      o.referenceChunks,
      '--reference-chunks',
      DriftReferenceChunks,
    )
  const log = {
    prediction: o.logPrediction ?? null,
    score: o.logScore ?? null,
    latency: o.latency ?? null,
    value: o.businessValue ?? null,
  }
  if (Object.values(log).some((v) => v !== null)) settings.log = log
  return settings
}

/** The JSON a pipeline reads: the verdict and, per column, every statistic. */
export function driftJson(report: DriftReport): Record<string, unknown> {
  const column = (c: ColumnDrift): Record<string, unknown> => ({
    name: c.name,
    kind: c.kind,
    test: c.test,
    statistic: c.statistic,
    pValue: c.pValue,
    threshold: c.threshold,
    drifted: c.drifted,
    why: c.why,
    missingShare: { reference: c.reference.missingShare, current: c.current.missingShare },
    stats: c.stats,
    notes: c.notes,
  })
  return {
    runId: report.id,
    datasetDrift: report.datasetDrift,
    driftShare: report.driftShare,
    driftedColumns: report.driftedColumns,
    testedColumns: report.testedColumns,
    referenceRows: report.referenceRows,
    currentRows: report.currentRows,
    reference: report.reference,
    current: report.current,
    model: report.model,
    columns: report.columns.map(column),
    onlyInReference: report.onlyInReference,
    onlyInCurrent: report.onlyInCurrent,
    skipped: report.skipped,
    prediction: report.prediction
      ? {
          columns: report.prediction.columns.map(column),
          metricsNote: report.prediction.metricsNote,
          metrics: report.prediction.metrics ?? null,
        }
      : null,
    windows: report.windows,
    headline: report.headline ?? null,
    performance: report.performance ?? null,
    estimatedPerformance: report.estimatedPerformance ?? null,
    performanceNote: report.performanceNote ?? null,
    target: report.target
      ? {
          column: report.target.column,
          test: report.target.test,
          statistic: report.target.statistic,
          pValue: report.target.pValue,
          drifted: report.target.drifted,
          why: report.target.why,
        }
      : null,
    multivariate: report.multivariate ?? null,
    multivariateNote: report.multivariateNote ?? null,
    log: report.log ?? null,
  }
}

/** Performance (measured or estimated) fell outside its bounds. */
export const performanceDegraded = (report: DriftReport): boolean =>
  Boolean(report.performance?.degraded || report.estimatedPerformance?.degraded)

/** Not tested: no test applies, or its statistic is undefined here (as the drift share counts). */
const untested = (c: ColumnDrift): boolean => c.test === null || c.statistic === null

const cell = (x: number | null): string =>
  x === null ? '' : Math.abs(x) >= 1e-3 || x === 0 ? x.toPrecision(4) : x.toExponential(3)

/** Performance, target, multivariate and log sections: the answers before the columns. */
function printMonitoring(report: DriftReport): void {
  const out = process.stdout
  const metricRow = (
    name: string,
    reference: Record<string, number | null>,
    current: Record<string, number | null>,
    bounds: Record<string, { lower: number | null; upper: number | null }>,
    degraded: string[],
  ): Record<string, unknown>[] =>
    Object.keys(bounds).length || Object.keys(current).length
      ? Object.keys(current)
          .filter((m) => m !== 'labelled')
          .map((m) => ({
            metric: m,
            reference: cell(reference[m] ?? null),
            [name]: cell(current[m] ?? null),
            bounds: bounds[m] ? `${cell(bounds[m].lower)} – ${cell(bounds[m].upper)}` : '',
            verdict: degraded.includes(m) ? 'DEGRADED' : 'ok',
          }))
      : []
  const p = report.performance
  if (p) {
    out.write(`Performance (labels in "${safe(p.labelColumn)}"):\n`)
    printTable(metricRow('current', p.reference, p.current, p.thresholds, p.degradedMetrics), [
      'metric',
      'reference',
      'current',
      'bounds',
      'verdict',
    ])
    out.write(`${safe(p.why, 1000)}\n\n`)
  }
  const e = report.estimatedPerformance
  if (e) {
    out.write('Estimated performance (CBPE, current data has no labels):\n')
    printTable(metricRow('estimated', e.reference, e.metrics, e.thresholds, e.degradedMetrics), [
      'metric',
      'reference',
      'estimated',
      'bounds',
      'verdict',
    ])
    out.write(`${safe(e.why, 1000)}\n\n`)
  }
  if (report.performanceNote) out.write(`${safe(report.performanceNote, 1000)}\n\n`)
  if (report.target)
    out.write(
      `Target "${safe(report.target.column)}": ${report.target.drifted ? 'DRIFT' : 'no drift'} — ${safe(report.target.why, 1000)}\n\n`,
    )
  if (report.multivariate)
    out.write(
      `Multivariate: ${report.multivariate.drifted ? 'DRIFT' : 'no drift'} — ${safe(report.multivariate.why, 1000)}\n\n`,
    )
  const log = report.log
  if (log) {
    out.write('Production log:\n')
    printTable(
      [log.overall, ...log.windows].map((w) => ({
        window: w.label,
        rows: w.rows,
        agreement: cell(w.agreement),
        'latency p50': cell(w.latencyP50),
        'latency p95': cell(w.latencyP95),
        'value total': cell(w.valueTotal),
      })),
      ['window', 'rows', 'agreement', 'latency p50', 'latency p95', 'value total'],
    )
    for (const note of log.notes) out.write(`${safe(note, 1000)}\n`)
    out.write('\n')
  }
}

function printReport(report: DriftReport): void {
  const out = process.stdout
  if (report.headline) out.write(`${safe(report.headline, 1000)}\n\n`)
  printMonitoring(report)
  out.write(
    `Reference: ${safe(report.reference.name)} (${report.referenceRows} rows)   Current: ${safe(report.current.name)} (${report.currentRows} rows)\n`,
  )
  const rows = (list: ColumnDrift[]): Record<string, unknown>[] =>
    [...list]
      .sort((a, b) => b.severity - a.severity)
      .map((c) => ({
        column: c.name,
        kind: c.kind,
        test: c.test ?? '-',
        statistic: cell(c.statistic),
        'p-value': cell(c.pValue),
        threshold: cell(c.threshold),
        drift: untested(c) ? 'not tested' : c.drifted ? 'DRIFT' : 'ok',
        missing: `${cell(c.reference.missingShare)} → ${cell(c.current.missingShare)}`,
      }))
  const columns = [
    'column',
    'kind',
    'test',
    'statistic',
    'p-value',
    'threshold',
    'drift',
    'missing',
  ]
  printTable(rows(report.columns), columns)
  if (report.prediction?.columns.length) {
    out.write('\nPrediction drift:\n')
    printTable(rows(report.prediction.columns), columns)
    const metrics = report.prediction.metrics
    if (metrics)
      out.write(
        `Metrics on current data: ${Object.entries(metrics)
          .map(
            ([name, value]) =>
              `${safe(name)} ${value === null ? 'n/a' : Number.isInteger(value) ? value : cell(value)}`,
          )
          .join(', ')}\n`,
      )
  }
  if (report.onlyInReference.length)
    out.write(`\nOnly in the reference: ${safe(report.onlyInReference.join(', '), 1000)}\n`)
  if (report.onlyInCurrent.length)
    out.write(`Only in current data: ${safe(report.onlyInCurrent.join(', '), 1000)}\n`)
  if (report.windows) {
    out.write(
      `\nWindows (${report.windows.by === 'time' ? `${report.windows.unit} by ${report.windows.timestampColumn}` : 'equal chunks'}):\n`,
    )
    printTable(
      report.windows.items.map((w) => ({
        window: w.label,
        rows: w.rows,
        'drift share': cell(w.driftShare),
        drifted: w.columns
          .filter((c) => c.drifted)
          .map((c) => c.name)
          .join(', '),
      })),
      ['window', 'rows', 'drift share', 'drifted'],
    )
    const without = report.windows.rowsWithoutTimestamp
    if (without)
      out.write(
        `${without} row${without === 1 ? '' : 's'} without a timestamp ${without === 1 ? 'is' : 'are'} in no window.\n`,
      )
  }
  out.write('\n')
  for (const c of report.columns.filter((c) => c.drifted || untested(c)))
    out.write(`${safe(c.name)}: ${safe(c.why, 1000)}\n`)
  out.write(
    `\n${report.datasetDrift ? 'DATASET DRIFT' : 'No dataset drift'}: ${report.driftedColumns} of ${report.testedColumns} feature columns drifted (share ${cell(report.driftShare)}, threshold ${report.settings.driftShare})${report.id ? ` — run #${report.id}` : ''}\n`,
  )
}

export function registerDriftCommands(program: Command): void {
  program
    .command('drift')
    .description(
      'Compare current data with a reference: per column, per time window, and the model outputs',
    )
    .requiredOption(
      '--reference <source>',
      'reference: a CSV/Parquet FILE, a DATASET (id, name or sha256), or MODEL@REF (its training dataset)',
    )
    .requiredOption('--current <source>', 'current data: a CSV/Parquet FILE or a DATASET')
    .option(
      '--model <model@ref>',
      'also run this model version on both and compare its outputs (prediction drift)',
    )
    .option('--timestamp <column>', 'split current data by this timestamp column into windows')
    .option('--window <unit>', 'window length: hour, day, week or month (default day)')
    .option('--chunks <n>', 'split current data into N equal chunks in row order instead')
    .option(
      '--method <column=test>',
      'test for a column (or TEST for all): ks, wasserstein, psi, jensenshannon, chisquare, z',
      collect,
    )
    .option('--threshold <x>', 'threshold for every test (or COLUMN=X for one column)', collect)
    .option(
      '--bins <n>',
      'bins for PSI and Jensen–Shannon on numeric columns (default 10); a column with at most 5 values gets a bin per value',
    )
    .option('--drift-share <x>', 'dataset drift when this share of columns drifted (default 0.5)')
    .option(
      '--label <column>',
      'the label (target) column: its own target-drift section, never a feature; with --model, the performance is measured (or estimated by CBPE when current data has none)',
    )
    .option(
      '--performance-drop <x>',
      "degraded when a metric worsens by more than X from the reference (default: outside the reference chunks' mean ± 3 std)",
    )
    .option(
      '--reference-chunks <n>',
      'chunks of the reference whose spread sets the performance and multivariate bounds (default 10)',
    )
    .option('--log-prediction <column>', 'production log: the output the model served')
    .option('--log-score <column>', 'production log: the score (probability) the model served')
    .option('--latency <column>', 'production log: latency per request (p50/p95 per window)')
    .option('--business-value <column>', 'production log: business value per row (sum per window)')
    .option('--fail-on-drift', `exit with code ${EXIT_DRIFT} when dataset drift is found`)
    .option(
      '--fail-on-degradation',
      `exit with code ${EXIT_DRIFT} when the model's performance (measured or estimated) degraded`,
    )
    .option('--html <file>', 'also write the report as a self-contained HTML file')
    .action(async (_opts: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<DriftOptions>()
      await withSlipway(o, async (slipway) => {
        checkHtmlTarget(o.html)
        const input = {
          reference: parseSource(o.reference, 'reference'),
          current: parseSource(o.current, 'current'),
          model: o.model ? parseModelRef(o.model) : undefined,
          settings: settingsFromOptions(o),
        }
        const job = await slipway.call('drift:start', input)
        const report = await waitForJob(
          slipway,
          job,
          'drift',
          !o.json && process.stderr.isTTY === true,
        )
        if (o.html && report.id) await writeHtmlReport(slipway, 'drift', report.id, o.html)
        if (o.json) printJson(driftJson(report))
        else printReport(report)
        if (o.failOnDrift && report.datasetDrift) process.exitCode = EXIT_DRIFT
        if (o.failOnDegradation && performanceDegraded(report)) process.exitCode = EXIT_DRIFT
      })
    })
}
