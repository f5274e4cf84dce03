// CLI commands of the evaluation feature: `evaluate`, `shadow` and `gate` (exit 0 pass, 3 a rule
// failed, 1 error), each printing JSON with --json and progress on a terminal's stderr.
import fs from 'node:fs'
import type { Command } from 'commander'
import {
  GatePolicy,
  type ClassificationMetrics,
  type CostMatrix,
  type DatasetInput,
  type Evaluation,
  type GateReport,
  type ShadowComparison,
} from '../../api/evaluation'
import { classLabel, retiredDatasetNote } from '../../api/display'
import { SlipwayError } from '../../api/errors'
import { refuseUnknownMetrics } from '../../core/evaluation/gates'
import { describeZodError, type Slipway } from '../../core/service'
import { collect, parseKeyValues, parseModelRef, withSlipway } from '../context'
import { waitForJob } from '../jobs'
import { printJson, printTable, safe, when, type GlobalOptions } from '../output'
import { metricLabel } from '../../api/metrics'
import { checkHtmlTarget, writeHtmlReport } from '../report'

/** The metrics a slice table shows, per task (evaluate and shadow print the same ones). */
const SLICE_METRICS = {
  classification: ['accuracy', 'f1', 'f1Macro', 'rocAuc'],
  regression: ['mae', 'rmse', 'r2'],
} as const

export const EXIT_GATE_FAILED = 3
const MAX_MATRIX_LABELS = 30

interface RunOptions extends GlobalOptions {
  data: string
  label?: string
  slice?: string
  map?: string[]
  cost?: string
  batchSize?: string
  task?: 'classification' | 'regression'
  html?: string
}

/** `--data`: an existing file is imported (its sha256 recorded); otherwise a dataset id or name. */
export function datasetArgument(data: string): DatasetInput {
  if (fs.existsSync(data)) return { path: data }
  return { datasetId: /^\d+$/.test(data) ? Number(data) : data }
}

/**
 * Says both readings of `--data` when neither matched, and which one was used when both did (a
 * file beside the command and a dataset of the same name).
 */
async function withDataHint<T>(slipway: Slipway, data: string, run: () => Promise<T>): Promise<T> {
  if (fs.existsSync(data) && !/^\d+$/.test(data)) {
    const named = (await slipway.call('datasets:list', {})).find((d) => d.name === data)
    if (named)
      process.stderr.write(
        `--data ${safe(data, 80)}: both a file and dataset ${named.id} have this name; using the file (give --data ${named.id} for the dataset)\n`,
      )
  }
  try {
    return await run()
  } catch (error) {
    if (
      error instanceof SlipwayError &&
      error.code === 'NOT_FOUND' &&
      !fs.existsSync(data) &&
      error.message.includes(`"${data}"`)
    ) {
      throw new SlipwayError(
        'NOT_FOUND',
        `--data ${data}: no such file, and no imported dataset with that id or name`,
      )
    }
    throw error
  }
}

function parseCost(text: string | undefined): CostMatrix | undefined {
  if (text === undefined) return undefined
  const parts = text.split(',').map((p) => Number(p.trim()))
  if (parts.length !== 4 || parts.some((p) => !Number.isFinite(p))) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `--cost "${text}" must be four numbers TP,FP,TN,FN (the value of each outcome per row)`,
    )
  }
  const [tp, fp, tn, fn] = parts as [number, number, number, number]
  return { tp, fp, tn, fn }
}

function runSettings(opts: RunOptions): Record<string, unknown> {
  const mapping = Object.fromEntries(
    parseKeyValues(opts.map, 'Mapping').map(({ key, value }) => [key, value]),
  )
  const batchSize = opts.batchSize === undefined ? undefined : Number(opts.batchSize)
  return {
    ...(opts.label ? { label: opts.label } : {}),
    ...(opts.slice ? { slice: opts.slice } : {}),
    ...(Object.keys(mapping).length ? { mapping } : {}),
    ...(opts.cost ? { costMatrix: parseCost(opts.cost) } : {}),
    ...(batchSize !== undefined ? { batchSize } : {}),
    ...(opts.task ? { task: opts.task } : {}),
  }
}

const fmt = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toPrecision(6)
/** Timings are measurements, not results: three significant digits say all they can. */
const ms = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : `${Number(v.toPrecision(3))} ms`

/** The JSON `slipway evaluate` prints. */
export function evaluationJson(e: Evaluation): Record<string, unknown> {
  const { p50Ms, p95Ms, p99Ms, rowsPerSecond } = e.result.latency
  return {
    id: e.id,
    model: e.model,
    version: e.version,
    dataset: e.dataset,
    task: e.result.task,
    rows: e.result.rows,
    metrics: e.result.metrics,
    latency: { p50Ms, p95Ms, p99Ms, rowsPerSecond },
    // What --slice and --cost asked for: printed only then, so the plain keys stay as listed.
    ...(e.result.slices ? { slices: e.result.slices } : {}),
    ...(e.result.businessValue ? { businessValue: e.result.businessValue } : {}),
    // Label → the model's class_names entry, when the model names its classes.
    ...(e.result.classNames ? { classNames: e.result.classNames } : {}),
    reasons: e.result.reasons,
    warnings: e.result.warnings,
  }
}

const latencyJson = (l: Evaluation['result']['latency']): Record<string, number> => ({
  p50Ms: l.p50Ms,
  p95Ms: l.p95Ms,
  p99Ms: l.p99Ms,
  rowsPerSecond: l.rowsPerSecond,
})

const retiredLine = (dataset: { name: string; retiredAt?: string }): string =>
  dataset.retiredAt ? `(${retiredDatasetNote(dataset)})\n` : ''

export function printEvaluation(e: Evaluation): void {
  const r = e.result
  process.stdout.write(
    `Evaluation ${e.id}: ${safe(e.model)} v${e.version} on ${safe(e.dataset.name)} (${r.rows} rows, ${r.task}), ${when(e.createdAt)} by ${safe(e.createdBy, 60)}\n${retiredLine(e.dataset)}\n`,
  )
  const metrics = r.metrics as Record<string, unknown>
  const rows = Object.entries(metrics)
    .filter(([, v]) => typeof v === 'number' || v === null)
    .map(([k, v]) => ({
      metric: metricLabel(k),
      value: fmt(v as number | null),
      note: r.reasons[k] ?? '',
    }))
  printTable(rows, ['metric', 'value', 'note'])
  const cm = 'confusionMatrix' in metrics ? (metrics as ClassificationMetrics) : null
  // A label column of measurements (a wrong --label) makes one class per value: no terminal holds it.
  if (cm && cm.labels.length > MAX_MATRIX_LABELS) {
    process.stdout.write(
      `\nConfusion matrix: ${cm.labels.length} labels, too many to print (see --json)\n`,
    )
  } else if (cm) {
    const names = cm.labels.map((label) => classLabel(label, r.classNames))
    process.stdout.write('\nConfusion matrix (rows: actual, columns: predicted)\n')
    printTable(
      cm.confusionMatrix.map((row, i) => ({
        actual: names[i],
        ...Object.fromEntries(row.map((v, j) => [names[j] ?? '', v])),
      })),
      ['actual', ...names],
    )
  }
  if (r.businessValue) {
    const b = r.businessValue
    process.stdout.write(
      `\nValue per 1,000 predictions: ${fmt(b.atDefault)} at the model's labels; ${fmt(b.bestValue)} at threshold ${fmt(b.bestThreshold)}\n`,
    )
  }
  if (r.slices) {
    process.stdout.write(`\nSlices by ${safe(r.slices.column)}\n`)
    const keys = SLICE_METRICS[r.task]
    printTable(
      r.slices.rows.map((s) => ({
        value: s.value ?? '(missing)',
        rows: s.rows,
        ...Object.fromEntries(keys.map((k) => [k, fmt(s.metrics[k])])),
      })),
      ['value', 'rows', ...keys],
    )
  }
  const l = r.latency
  process.stdout.write(
    `\nLatency (one row): p50 ${ms(l.p50Ms)}, p95 ${ms(l.p95Ms)}, p99 ${ms(l.p99Ms)}; ${Math.round(l.rowsPerSecond).toLocaleString('en-US')} rows/s batched; model load ${ms(r.operational.modelLoadMs)}; peak memory ${Math.round(r.operational.peakRssBytes / 2 ** 20)} MiB\n`,
  )
  for (const w of r.warnings) process.stdout.write(`warning: ${safe(w, 300)}\n`)
}

/** The JSON `slipway shadow` prints. */
export function shadowJson(s: ShadowComparison): Record<string, unknown> {
  const r = s.result
  const base = {
    id: s.id,
    champion: s.champion,
    challenger: s.challenger,
    dataset: s.dataset,
    task: r.task,
    rows: r.rows,
    agreementRate: r.agreementRate,
    disagreements: r.disagreements,
  }
  const diffs =
    r.task === 'regression'
      ? { meanAbsDiff: r.meanAbsDiff, rmseDiff: r.rmseDiff, pearsonR: r.pearsonR }
      : r.meanTotalVariation !== null
        ? { meanTotalVariation: r.meanTotalVariation, maxTotalVariation: r.maxTotalVariation }
        : { meanAbsDiffPositive: r.meanAbsDiffPositive, maxAbsDiffPositive: r.maxAbsDiffPositive }
  return {
    ...base,
    ...diffs,
    mcnemar: r.mcnemar ? { statistic: r.mcnemar.statistic, pValue: r.mcnemar.pValue } : null,
    flipLabels: r.flipLabels,
    ...(r.classNames ? { classNames: r.classNames } : {}),
    flipMatrix: r.flipMatrix,
    topDisagreements: r.topDisagreements,
    metrics: r.metrics,
    ...(r.slices ? { slices: r.slices } : {}),
    latency: {
      champion: latencyJson(r.latency.champion),
      challenger: latencyJson(r.latency.challenger),
    },
    warnings: r.warnings,
  }
}

export function printShadow(s: ShadowComparison): void {
  const r = s.result
  process.stdout.write(
    `Shadow comparison ${s.id}: ${safe(s.champion.model)} v${s.champion.version} (champion) vs ${safe(s.challenger.model)} v${s.challenger.version} (challenger) on ${safe(s.dataset.name)}, ${r.rows} rows\n${retiredLine(s.dataset)}\n`,
  )
  if (r.task === 'classification') {
    process.stdout.write(`Agreement ${fmt(r.agreementRate)} (${r.disagreements} disagreements)\n`)
    if (r.meanAbsDiffPositive !== null)
      process.stdout.write(
        `Positive-class probability |Δ|: mean ${fmt(r.meanAbsDiffPositive)}, max ${fmt(r.maxAbsDiffPositive)}\n`,
      )
    if (r.meanTotalVariation !== null)
      process.stdout.write(
        `Total variation distance: mean ${fmt(r.meanTotalVariation)}, max ${fmt(r.maxTotalVariation)}\n`,
      )
    process.stdout.write('\nLabel flips (rows: champion, columns: challenger)\n')
    const names = r.flipLabels.map((label) => classLabel(label, r.classNames))
    printTable(
      r.flipMatrix.map((row, i) => ({
        champion: names[i],
        ...Object.fromEntries(row.map((v, j) => [names[j] ?? '', v])),
      })),
      ['champion', ...names],
    )
  } else {
    process.stdout.write(
      `Prediction Δ: mean |Δ| ${fmt(r.meanAbsDiff)}, RMSE ${fmt(r.rmseDiff)}, Pearson r ${fmt(r.pearsonR)}\n`,
    )
  }
  if (r.mcnemar)
    process.stdout.write(
      `\nMcNemar exact test: ${r.mcnemar.b} rows only the champion got right, ${r.mcnemar.c} only the challenger; the test counts the smaller (${r.mcnemar.statistic}), p = ${fmt(r.mcnemar.pValue)}\n`,
    )
  const metrics = r.metrics
  if (metrics) {
    process.stdout.write('\n')
    printTable(
      Object.keys(metrics.champion).map((k) => ({
        metric: k,
        champion: fmt(metrics.champion[k]),
        challenger: fmt(metrics.challenger[k]),
        delta: fmt(metrics.delta[k]),
      })),
      ['metric', 'champion', 'challenger', 'delta'],
    )
  }
  if (r.slices) {
    process.stdout.write(`\nSlices by ${safe(r.slices.column)} (challenger − champion)\n`)
    const keys = SLICE_METRICS[r.task]
    printTable(
      r.slices.rows.map((s) => ({
        value: s.value ?? '(missing)',
        rows: s.rows,
        ...Object.fromEntries(keys.map((k) => [`Δ ${k}`, fmt(s.delta[k])])),
      })),
      ['value', 'rows', ...keys.map((k) => `Δ ${k}`)],
    )
  }
  const lc = r.latency.champion
  const lh = r.latency.challenger
  process.stdout.write('\nLatency (one row)\n')
  printTable(
    [
      {
        side: 'champion',
        p50: ms(lc.p50Ms),
        p95: ms(lc.p95Ms),
        p99: ms(lc.p99Ms),
        rps: lc.rowsPerSecond,
      },
      {
        side: 'challenger',
        p50: ms(lh.p50Ms),
        p95: ms(lh.p95Ms),
        p99: ms(lh.p99Ms),
        rps: lh.rowsPerSecond,
      },
    ].map((x) => ({ ...x, rps: Math.round(x.rps).toLocaleString('en-US') })),
    ['side', 'p50', 'p95', 'p99', 'rps'],
  )
  for (const w of r.warnings) process.stdout.write(`warning: ${safe(w, 300)}\n`)
}

function readPolicy(file: string): GatePolicy {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    throw new SlipwayError('BAD_FILE', `${file}: cannot be read`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new SlipwayError('INVALID_INPUT', `${file}: not valid JSON (${(error as Error).message})`)
  }
  const parsed = GatePolicy.safeParse(raw)
  if (!parsed.success)
    throw new SlipwayError(
      'INVALID_INPUT',
      `${file}: not a gate policy: ${describeZodError(parsed.error)}`,
    )
  refuseUnknownMetrics(parsed.data, file)
  return parsed.data
}

function printGate(g: GateReport): void {
  process.stdout.write(
    `Gate report ${g.id}: ${safe(g.model)} v${g.version} on ${safe(g.dataset.name)} — ${g.passed ? 'PASSED' : 'FAILED'}${g.baseline ? ` (champion: v${g.baseline.version})` : ' (no champion)'}\n\n`,
  )
  printTable(
    g.rules.map((r) => ({
      result: r.passed ? 'pass' : 'FAIL',
      rule: r.rule,
      value: fmt(r.value),
      baseline: fmt(r.baseline),
      why: r.why,
    })),
    ['result', 'rule', 'value', 'baseline', 'why'],
  )
}

const addRunOptions = (cmd: Command): Command =>
  cmd
    .requiredOption(
      '--data <file|dataset>',
      'a CSV/Parquet file (imported) or an imported dataset id or name',
    )
    .option(
      '--label <column>',
      'label column (default: the model\'s label_column, else "label" or "target")',
    )
    .option('--slice <column>', 'also compute the metrics per value of this categorical column')
    .option(
      '--map <input=column>',
      'map a model input (or INPUT[i], or feature index i) to a column (repeatable)',
      collect,
    )
    .option(
      '--cost <tp,fp,tn,fn>',
      'value of each outcome per row, for the business-value threshold',
    )
    .option('--batch-size <rows>', 'rows per inference batch (default 4096)')
    .option('--task <task>', 'classification or regression, when the model does not say')
    .option('--html <file>', 'also write the result as a self-contained HTML report')

export function registerEvaluationCommands(program: Command): void {
  addRunOptions(
    program
      .command('evaluate')
      .description(
        'evaluate a model version on a dataset (metrics, curves, latency), stored in the registry',
      )
      .argument('<model@ref>', 'model and version: churn@3, churn@champion, churn (latest)'),
  ).action(async (target: string, _opts: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<RunOptions>()
    await withSlipway(opts, async (slipway) => {
      checkHtmlTarget(opts.html)
      const { model, ref } = parseModelRef(target)
      const job = await withDataHint(slipway, opts.data, () =>
        slipway.call('eval:start', {
          model,
          ref,
          dataset: datasetArgument(opts.data),
          ...runSettings(opts),
        }),
      )
      const evaluation = await waitForJob(
        slipway,
        job,
        'evaluate',
        !opts.json && process.stderr.isTTY === true,
      )
      if (opts.html) await writeHtmlReport(slipway, 'evaluation', evaluation.id, opts.html)
      if (opts.json) printJson(evaluationJson(evaluation))
      else printEvaluation(evaluation)
    })
  })

  addRunOptions(
    program
      .command('shadow')
      .description('run the champion and a challenger on the same rows and compare them')
      .argument('<champion>', 'MODEL@REF of the champion')
      .argument('<challenger>', 'MODEL@REF of the challenger'),
  ).action(async (champion: string, challenger: string, _opts: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<RunOptions>()
    await withSlipway(opts, async (slipway) => {
      checkHtmlTarget(opts.html)
      const job = await withDataHint(slipway, opts.data, () =>
        slipway.call('shadow:start', {
          champion: parseModelRef(champion),
          challenger: parseModelRef(challenger),
          dataset: datasetArgument(opts.data),
          ...runSettings(opts),
        }),
      )
      const comparison = await waitForJob(
        slipway,
        job,
        'shadow',
        !opts.json && process.stderr.isTTY === true,
      )
      if (opts.html) await writeHtmlReport(slipway, 'shadow', comparison.id, opts.html)
      if (opts.json) printJson(shadowJson(comparison))
      else printShadow(comparison)
    })
  })

  addRunOptions(
    program
      .command('gate')
      .description(
        'check a version against the promotion gates; exit 0 pass, 3 a rule failed, 1 error',
      )
      .argument('<model@ref>', 'model and version to check')
      .option('--policy <file>', 'gate policy JSON (default: the policy stored for the model)')
      .option('--save-policy', "store the --policy file as the model's policy"),
  ).action(async (target: string, _opts: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<RunOptions & { policy?: string; savePolicy?: boolean }>()
    await withSlipway(opts, async (slipway) => {
      checkHtmlTarget(opts.html)
      const { model, ref } = parseModelRef(target)
      if (opts.savePolicy && !opts.policy)
        throw new SlipwayError(
          'INVALID_INPUT',
          '--save-policy needs the policy file: --policy FILE',
        )
      const policy = opts.policy ? readPolicy(opts.policy) : undefined
      const job = await withDataHint(slipway, opts.data, () =>
        slipway.call('gates:check', {
          model,
          ref,
          dataset: datasetArgument(opts.data),
          ...(policy ? { policy } : {}),
          ...runSettings(opts),
        }),
      )
      const report = await waitForJob(
        slipway,
        job,
        'gate',
        !opts.json && process.stderr.isTTY === true,
      )
      // Stored once the check has run (passed or not): a check that fails on its data keeps nothing.
      if (policy && opts.savePolicy) await slipway.call('gates:set-policy', { model, policy })
      if (opts.html) await writeHtmlReport(slipway, 'gate', report.id, opts.html)
      if (opts.json) printJson(report)
      else printGate(report)
      if (!report.passed) process.exitCode = EXIT_GATE_FAILED
    })
  })
}
