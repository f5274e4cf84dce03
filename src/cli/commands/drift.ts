// CLI: `slipway drift` compares current data with a reference, per column and over time windows.
import fs from 'node:fs'
import type { Command } from 'commander'
import type {
  ColumnDrift,
  DataSource,
  DriftReport,
  DriftSettingsInput,
  DriftTest,
} from '../../api/drift'
import { DriftTest as DriftTestSchema, WindowUnit } from '../../api/drift'
import { SlipwayError } from '../../api/errors'
import { collect, parseModelRef, withSlipway } from '../context'
import { printJson, printTable, safe, type GlobalOptions } from '../output'

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
}

/** FILE (an existing path), DATASET (id, name or sha256) or MODEL@REF (a version's training data). */
export function parseSource(text: string, role: 'reference' | 'current'): DataSource {
  try {
    if (fs.statSync(text).isFile()) return { file: { path: text } }
  } catch {
    // not a file: a dataset or a version
  }
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

const parseNumber = (text: string, what: string): number => {
  const n = Number(text)
  if (!Number.isFinite(n))
    throw new SlipwayError('INVALID_INPUT', `${what} "${text}" is not a number`)
  return n
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
    const eq = m.lastIndexOf('=')
    if (eq < 0) settings.method = parseTest(m)
    else
      columns[m.slice(0, eq)] = { ...columns[m.slice(0, eq)], method: parseTest(m.slice(eq + 1)) }
  }
  for (const t of o.threshold ?? []) {
    const eq = t.lastIndexOf('=')
    if (eq < 0) settings.threshold = parseNumber(t, '--threshold')
    else
      columns[t.slice(0, eq)] = {
        ...columns[t.slice(0, eq)],
        threshold: parseNumber(t.slice(eq + 1), '--threshold'),
      }
  }
  settings.columns = columns
  if (o.bins !== undefined) settings.bins = parseNumber(o.bins, '--bins')
  if (o.driftShare !== undefined) settings.driftShare = parseNumber(o.driftShare, '--drift-share')
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
  } else if (o.timestamp && !o.chunks) settings.window = 'day'
  if (o.chunks !== undefined) settings.chunks = parseNumber(o.chunks, '--chunks')
  if (o.label) settings.label = o.label
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
        }
      : null,
    windows: report.windows,
  }
}

const cell = (x: number | null): string =>
  x === null ? '' : Math.abs(x) >= 1e-3 || x === 0 ? x.toPrecision(4) : x.toExponential(3)

function printReport(report: DriftReport): void {
  const out = process.stdout
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
        drift: c.test === null ? 'not tested' : c.drifted ? 'DRIFT' : 'ok',
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
  }
  out.write('\n')
  for (const c of report.columns.filter((c) => c.drifted || c.test === null))
    out.write(`${safe(c.name)}: ${safe(c.why, 1000)}\n`)
  out.write(
    `\n${report.datasetDrift ? 'DATASET DRIFT' : 'No dataset drift'}: ${report.driftedColumns} of ${report.testedColumns} columns drifted (share ${cell(report.driftShare)}, threshold ${report.settings.driftShare})${report.id ? ` — run #${report.id}` : ''}\n`,
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
    .option('--bins <n>', 'bins for PSI and Jensen–Shannon on numeric columns (default 10)')
    .option('--drift-share <x>', 'dataset drift when this share of columns drifted (default 0.5)')
    .option('--label <column>', 'label column of the current data, for metrics per window')
    .option('--fail-on-drift', `exit with code ${EXIT_DRIFT} when dataset drift is found`)
    .action(async (_opts: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<DriftOptions>()
      await withSlipway(o, async (slipway) => {
        const input = {
          reference: parseSource(o.reference, 'reference'),
          current: parseSource(o.current, 'current'),
          model: o.model ? parseModelRef(o.model) : undefined,
          settings: settingsFromOptions(o),
        }
        const job = await slipway.call('drift:start', input)
        const done = await slipway.core.jobs.wait(job.id)
        if (done.status !== 'done' || !done.result) {
          throw new SlipwayError(
            done.error?.code ?? 'INTERNAL',
            done.error?.message ?? `${done.title}: ${done.status}`,
          )
        }
        const report = done.result as DriftReport
        if (o.json) printJson(driftJson(report))
        else printReport(report)
        if (o.failOnDrift && report.datasetDrift) process.exitCode = EXIT_DRIFT
      })
    })
}
