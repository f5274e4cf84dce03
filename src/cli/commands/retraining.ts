// CLI: retraining recipes (`slipway recipe set|show|remove`), runs (`slipway retrain`, `runs`,
// `run show`), drift monitors (`slipway monitor add|pause|resume|remove`, `monitors`) and
// `slipway watch`, which runs monitors and retraining triggers in the foreground.
import fs from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import type { FileRef } from '../../api/common'
import type { Monitor } from '../../api/drift'
import { SlipwayError } from '../../api/errors'
import type {
  Recipe,
  RecipeEvalData,
  RecipeInput,
  RecipeRecord,
  RecipeTrainData,
  RetrainRun,
} from '../../api/retraining'
import { Recipe as RecipeSchema } from '../../api/retraining'
import { allRecipes } from '../../core/retraining/recipes'
import type { TriggerEvent } from '../../core/retraining/triggers'
import { collect, parseKeyValues, parseModelRef, withSlipway } from '../context'
import { EXIT_ERROR, printJson, printTable, safe, type GlobalOptions } from '../output'
import { parseSource } from './drift'

interface RecipeOptions extends GlobalOptions {
  command?: string[]
  cwd?: string
  env?: string[]
  timeout?: string
  trainData?: string
  evalData?: string
  label?: string
  param?: string[]
  schedule?: string
  onDrift?: boolean
  onNewData?: boolean
  alias?: string
  gates?: boolean
  request?: string
  logLimit?: string
}

const invalid = (message: string): never => {
  throw new SlipwayError('INVALID_INPUT', message)
}

/** `folder:DIR`, `monitor:ID`, an existing folder path, or a DATASET (id, name or sha256). */
export function parseTrainData(text: string): RecipeTrainData {
  if (text.startsWith('folder:')) return { folder: path.resolve(text.slice(7)) }
  const monitor = /^monitor:#?(\d+)$/.exec(text)
  if (monitor) return { monitor: Number(monitor[1]) }
  let stat: fs.Stats | undefined
  try {
    stat = fs.statSync(text)
  } catch {
    // a dataset
  }
  if (stat?.isDirectory()) return { folder: path.resolve(text) }
  if (stat?.isFile())
    invalid(
      `--train-data ${text}: a recipe trains on a dataset, a folder's newest file or a monitor's data; import the file with \`slipway datasets add\` or give its folder`,
    )
  if (/^\d+$/.test(text)) return { dataset: Number(text) }
  if (/[\\/]/.test(text)) invalid(`--train-data ${text}: no such folder`)
  return { dataset: text }
}

/** `holdout:0.2` or a DATASET. */
export function parseEvalData(text: string): RecipeEvalData {
  const holdout = /^holdout:(.*)$/.exec(text)
  if (holdout) {
    const shareText = holdout[1] ?? ''
    const share = Number(shareText)
    if (!shareText.trim() || !Number.isFinite(share) || share < 0.05 || share > 0.9)
      invalid(`--eval-data ${text}: the holdout share must be a number from 0.05 to 0.9`)
    return { holdout: share }
  }
  if (/^\d+$/.test(text)) return { dataset: Number(text) }
  return { dataset: text }
}

/** Param values keep their JSON type when they look like one (3, 0.5, true), else text. */
function paramValue(text: string): string | number | boolean {
  if (text === 'true' || text === 'false') return text === 'true'
  const n = Number(text)
  return text.trim() && Number.isFinite(n) && /^-?[\d.eE+-]+$/.test(text) ? n : text
}

function parsePositiveInt(text: string, flag: string): number {
  const n = Number(text)
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1)
    invalid(`${flag} "${text}": give a whole number of at least 1`)
  return n
}

/** Applies the given options over the current recipe (a new recipe needs --command). */
export function recipeFromOptions(
  current: Recipe | null,
  o: RecipeOptions,
  rest: string[],
): RecipeInput {
  const command = [...(o.command ?? []), ...rest]
  const base: RecipeInput = current ?? { command: [] }
  if (!current && command.length === 0)
    invalid(
      'Give the command: --command PROGRAM ARG… (or after --), with {data} {output} {workdir} {params} placeholders',
    )
  const env = Object.fromEntries(parseKeyValues(o.env, '--env').map((p) => [p.key, p.value]))
  const params = Object.fromEntries(
    parseKeyValues(o.param, '--param').map((p) => [p.key, paramValue(p.value)]),
  )
  const after = { ...(current?.after ?? { alias: 'challenger', gates: true, request: null }) }
  if (o.alias !== undefined) after.alias = o.alias === 'none' ? null : o.alias
  if (o.gates === false) after.gates = false
  if (o.request !== undefined) after.request = o.request
  return {
    ...base,
    ...(command.length ? { command } : {}),
    // A new recipe runs where it was set, so relative paths and `git rev-parse` mean the project.
    ...(o.cwd !== undefined ? { cwd: path.resolve(o.cwd) } : current ? {} : { cwd: process.cwd() }),
    ...(o.env ? { env: { ...(current?.env ?? {}), ...env } } : {}),
    ...(o.timeout !== undefined ? { timeoutSec: parsePositiveInt(o.timeout, '--timeout') } : {}),
    ...(o.trainData !== undefined ? { trainData: parseTrainData(o.trainData) } : {}),
    ...(o.evalData !== undefined ? { evalData: parseEvalData(o.evalData) } : {}),
    ...(o.label !== undefined ? { label: o.label } : {}),
    ...(o.param ? { params: { ...(current?.params ?? {}), ...params } } : {}),
    ...(o.schedule !== undefined ? { schedule: o.schedule === 'none' ? null : o.schedule } : {}),
    ...(o.onDrift ? { onDrift: true } : {}),
    ...(o.onNewData ? { onNewData: true } : {}),
    ...(o.logLimit !== undefined
      ? { logLimitBytes: parsePositiveInt(o.logLimit, '--log-limit') }
      : {}),
    after,
  }
}

function printRecipe(record: RecipeRecord): void {
  const r = record.recipe
  const where = (d: RecipeTrainData | RecipeEvalData | null): string =>
    !d
      ? '(none)'
      : 'dataset' in d
        ? `dataset ${d.dataset}`
        : 'folder' in d
          ? `newest file of ${d.folder}`
          : 'monitor' in d
            ? `monitor #${d.monitor} (reference + newest file)`
            : `holdout: last ${Math.round(d.holdout * 100)}% of the training rows`
  const lines = [
    `${record.model}: recipe v${record.version} (${record.updatedAt} by ${record.updatedBy})`,
    `command:    ${r.command.map((a) => JSON.stringify(a)).join(' ')}`,
    `cwd:        ${r.cwd ?? '(the run’s fresh working directory)'}`,
    `env:        ${
      Object.keys(r.env).length
        ? Object.entries(r.env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')
        : '(none)'
    }`,
    `timeout:    ${r.timeoutSec} s`,
    `train data: ${where(r.trainData)}`,
    `eval data:  ${where(r.evalData)}${r.label ? ` (label ${r.label})` : ''}`,
    `params:     ${Object.keys(r.params).length ? JSON.stringify(r.params) : '(none)'}`,
    `triggers:   ${[r.schedule ? `schedule "${r.schedule}" (next ${record.nextRunAt})` : null, r.onDrift ? 'drift' : null, r.onNewData ? 'new data' : null].filter(Boolean).join(', ') || 'manual only'}`,
    `after:      ${r.after.alias ? `alias ${r.after.alias}` : 'no alias'}, ${r.after.gates ? 'gates' : 'no gates'}${r.after.request ? `, request to ${r.after.request}` : ''}`,
  ]
  process.stdout.write(`${lines.map((l) => safe(l, 2000)).join('\n')}\n`)
}

/** The `retrain` command's JSON: the contract's shape. */
export function retrainJson(run: RetrainRun): Record<string, unknown> {
  return {
    run: run.id,
    status: run.status,
    reason: run.reason,
    exitCode: run.exitCode,
    version: run.version,
    lineage: run.lineage
      ? {
          codeVersion: run.lineage.codeVersion,
          codeDirty: run.lineage.codeDirty,
          trainingData: run.lineage.trainingData,
          params: run.lineage.params,
          parent: run.lineage.parent,
        }
      : null,
    evaluation: run.evaluation ? { id: run.evaluation.id, metrics: run.evaluation.metrics } : null,
    champion: run.championEvaluation,
    comparison: run.comparison
      ? {
          id: run.comparison.id,
          agreementRate: run.comparison.agreementRate,
          deltas: run.comparison.deltas,
        }
      : null,
    gate: run.gate ? { id: run.gate.id, passed: run.gate.passed, rules: run.gate.rules } : null,
    request: run.request,
    requestAlias: run.requestAlias,
    notes: run.notes,
    durationMs: run.durationMs,
    log: run.log,
  }
}

const num = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(4)

function printRun(run: RetrainRun): void {
  const out: string[] = [
    `run #${run.id} of ${run.model}: ${run.status.toUpperCase()}${run.reason ? ` — ${run.reason}` : ''}`,
    `trigger ${run.trigger}${run.triggerDetail ? ` (${run.triggerDetail})` : ''}; exit code ${run.exitCode ?? '—'}; ${run.durationMs !== null ? `${(run.durationMs / 1000).toFixed(1)} s` : 'running'}`,
  ]
  if (run.data)
    out.push(`data ${run.data.name}${run.data.sha256 ? ` (${run.data.sha256.slice(0, 12)})` : ''}`)
  if (run.version !== null) out.push(`registered ${run.model} v${run.version}`)
  if (run.lineage)
    out.push(
      `lineage: parent ${run.lineage.parent !== null ? `v${run.lineage.parent}` : '—'}, code ${run.lineage.codeVersion ?? '—'}, params ${JSON.stringify(run.lineage.params)}`,
    )
  if (run.evaluation) {
    const champion = run.championEvaluation?.metrics ?? {}
    out.push('', 'metric            challenger    champion     delta')
    for (const [k, v] of Object.entries(run.evaluation.metrics)) {
      const c = champion[k]
      out.push(
        `${k.padEnd(16)}  ${num(v).padStart(10)}  ${num(c).padStart(10)}  ${num(
          v !== null && c !== null && c !== undefined ? v - c : null,
        ).padStart(8)}`,
      )
    }
  }
  if (run.comparison)
    out.push(
      `shadow vs v${run.comparison.champion}: agreement ${num(run.comparison.agreementRate)}`,
    )
  if (run.gate) {
    out.push(`gates ${run.gate.passed ? 'PASSED' : 'FAILED'}`)
    for (const r of run.gate.rules) out.push(`  ${r.passed ? 'ok  ' : 'FAIL'} ${r.rule}: ${r.why}`)
  }
  out.push(
    run.requestAlias
      ? `request to ${run.requestAlias}: ${run.request ? JSON.stringify(run.request) : 'not opened'}`
      : 'request: none',
  )
  for (const note of run.notes) out.push(`note: ${note}`)
  process.stdout.write(`${out.map((l) => safe(l, 2000)).join('\n')}\n`)
}

/** FILE path or DATASET, for --data and --eval-data of one run. */
function parseRunData(text: string, flag: string): FileRef | { dataset: number | string } {
  const source = parseSource(text, 'current')
  if ('file' in source) return source.file
  if ('dataset' in source) return { dataset: source.dataset }
  return invalid(`${flag} ${text}: give a file or a dataset`)
}

function monitorRow(m: Monitor): Record<string, unknown> {
  return {
    id: m.id,
    model: m.model,
    name: m.name,
    watch: m.source.path,
    state: m.paused ? 'paused' : 'watching',
    retrain: m.retrainOnDrift ? 'on drift' : '',
    files: m.filesSeen,
    last: m.lastRun ? `${m.lastRun.status} (#${m.lastRun.id})` : '',
  }
}

export function registerRetrainingCommands(program: Command): void {
  registerRecipeCommands(program)
  registerRunCommands(program)
  registerMonitorCommands(program)
  registerWatchCommand(program)
}

/** `recipe set|show|remove`: the one recipe of a model. */
function registerRecipeCommands(program: Command): void {
  const recipe = program.command('recipe').description('Retraining recipes (one per model)')
  recipe
    .command('set')
    .description(
      'Set how MODEL is retrained: the command (run without a shell; placeholders {data} {output} {workdir} {params}), its data and triggers',
    )
    .argument('<model>', 'model name')
    .argument('[command...]', 'the command, after --, when its arguments start with -')
    .option('--command <arg...>', 'the program and its arguments, up to the next option')
    .option('--cwd <dir>', 'working directory (default for a new recipe: the current directory)')
    .option('--env <K=V>', 'environment variable for the command (repeatable)', collect)
    .option('--timeout <sec>', 'end the run (and all its processes) after this many seconds')
    .option(
      '--train-data <ref>',
      'DATASET (id or name), folder:DIR (its newest file) or monitor:ID (reference + newest file)',
    )
    .option('--eval-data <ref>', 'DATASET, or holdout:0.2 (the last share of the training rows)')
    .option('--label <column>', 'label column for the evaluation')
    .option('--param <K=V>', 'parameter written to {params} (repeatable)', collect)
    .option('--schedule <cron>', 'cron schedule, e.g. "0 3 * * *" ("none" removes it)')
    .option('--on-drift', 'retrain when a monitor of the model crosses into drift')
    .option('--on-new-data', 'retrain when a new file lands in the --train-data folder')
    .option('--alias <alias>', 'alias for the new version (default challenger; "none": no alias)')
    .option('--no-gates', 'do not check the gate policy after a run')
    .option('--request <alias>', 'open a promotion request to ALIAS after a run (team homes)')
    .option('--log-limit <bytes>', 'keep at most this much of the log (default 1 MiB)')
    .action(async (model: string, rest: string[], _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<RecipeOptions>()
      await withSlipway(o, async (slipway) => {
        const current = await slipway.call('retrain:get-recipe', { model })
        const input = recipeFromOptions(current?.recipe ?? null, o, rest)
        const parsed = RecipeSchema.safeParse(input)
        if (!parsed.success)
          invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
        const record = await slipway.call('retrain:set-recipe', { model, recipe: parsed.data })
        if (o.json) printJson(record)
        else printRecipe(record)
      })
    })
  recipe
    .command('show')
    .description("Show MODEL's retraining recipe")
    .argument('<model>', 'model name')
    .action(async (model: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(o, async (slipway) => {
        const record = await slipway.call('retrain:get-recipe', { model })
        if (!record)
          throw new SlipwayError(
            'NOT_FOUND',
            `${model} has no retraining recipe; set one with \`slipway recipe set ${model} --command …\``,
          )
        if (o.json) printJson(record)
        else printRecipe(record)
      })
    })
  recipe
    .command('remove')
    .description("Remove MODEL's retraining recipe (its history stays in the audit trail)")
    .argument('<model>', 'model name')
    .action(async (model: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(o, async (slipway) => {
        const result = await slipway.call('retrain:remove-recipe', { model })
        if (o.json) printJson(result)
        else
          process.stdout.write(
            result.removed ? `Removed the recipe of ${model}\n` : `${model} had no recipe\n`,
          )
      })
    })
}

/** `retrain`, `runs` and `run show`: starting and reading retraining runs. */
function registerRunCommands(program: Command): void {
  program
    .command('retrain')
    .description(
      "Run MODEL's recipe now and wait: register the challenger, evaluate, compare, check gates",
    )
    .argument('<model>', 'model name')
    .option('--data <ref>', 'train on this FILE or DATASET instead of the recipe’s data')
    .option('--eval-data <ref>', 'evaluate on this FILE or DATASET instead of the recipe’s')
    .action(async (model: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<GlobalOptions & { data?: string; evalData?: string }>()
      await withSlipway(o, async (slipway) => {
        const { run, job } = await slipway.call('retrain:start', {
          model,
          data: o.data ? parseRunData(o.data, '--data') : undefined,
          evalData: o.evalData ? parseRunData(o.evalData, '--eval-data') : undefined,
        })
        // Ctrl-C ends the run and its whole process tree, not only this command.
        const onSignal = (): void => {
          if (job) void slipway.call('jobs:cancel', { jobId: job.id }).catch(() => {})
        }
        process.once('SIGINT', onSignal)
        process.once('SIGTERM', onSignal)
        let offset = 0
        const follow = async (): Promise<void> => {
          if (o.json) return
          const log = await slipway.call('retrain:log', { runId: run.id, offset })
          if (log.text) process.stderr.write(log.text)
          offset = log.nextOffset
        }
        try {
          if (job) {
            const timer = setInterval(() => void follow(), 250)
            try {
              await slipway.waitJob(job.id)
            } finally {
              clearInterval(timer)
            }
            await follow()
          }
        } finally {
          process.off('SIGINT', onSignal)
          process.off('SIGTERM', onSignal)
        }
        const done = await slipway.call('retrain:get', { runId: run.id })
        if (o.json) printJson(retrainJson(done))
        else printRun(done)
        if (done.status !== 'succeeded') process.exitCode = EXIT_ERROR
      })
    })

  program
    .command('runs')
    .description('Retraining runs of MODEL, newest first')
    .argument('<model>', 'model name')
    .option('--limit <n>', 'at most this many (default 100)')
    .action(async (model: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<GlobalOptions & { limit?: string }>()
      await withSlipway(o, async (slipway) => {
        const runs = await slipway.call('retrain:list', {
          model,
          limit: o.limit ? parsePositiveInt(o.limit, '--limit') : 100,
        })
        if (o.json) {
          printJson(runs)
          return
        }
        if (!runs.length) {
          process.stdout.write(`${model} has no retraining runs yet\n`)
          return
        }
        printTable(
          runs.map((r) => ({
            id: r.id,
            status: r.status,
            trigger: r.trigger,
            started: r.startedAt,
            duration: r.durationMs !== null ? `${(r.durationMs / 1000).toFixed(1)} s` : '',
            data: r.data?.name ?? '',
            version: r.version !== null ? `v${r.version}` : '',
            reason: r.reason ?? '',
          })),
          ['id', 'status', 'trigger', 'started', 'duration', 'data', 'version', 'reason'],
        )
      })
    })

  program
    .command('run')
    .description('Retraining runs')
    .command('show')
    .description('One retraining run: status, lineage, evaluation, gates; --log prints its log')
    .argument('<id>', 'run id')
    .option('--log', 'print the run’s log')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<GlobalOptions & { log?: boolean }>()
      await withSlipway(o, async (slipway) => {
        const runId = parsePositiveInt(id.replace(/^#/, ''), 'run id')
        const run = await slipway.call('retrain:get', { runId })
        let text = ''
        if (o.log) {
          let offset = 0
          for (;;) {
            const part = await slipway.call('retrain:log', { runId, offset })
            text += part.text
            if (part.nextOffset >= part.size || !part.text) break
            offset = part.nextOffset
          }
        }
        if (o.json) printJson(o.log ? { ...run, logText: text } : run)
        else if (o.log) process.stdout.write(text)
        else printRun(run)
      })
    })
}

/** `monitor add|remove|pause|resume` and `monitors`: drift monitors. */
function registerMonitorCommands(program: Command): void {
  const monitor = program.command('monitor').description('Drift monitors')
  monitor
    .command('add')
    .description(
      'Watch a folder (or file) of current data for MODEL and run drift on each new file',
    )
    .argument('<model>', 'model name')
    .requiredOption('--watch <path>', 'folder (each new CSV/Parquet file) or one file')
    .option(
      '--reference <source>',
      'reference: FILE, DATASET or MODEL@REF (default: --version’s training data)',
    )
    .option('--ref <ref>', 'also compare this version’s predictions (e.g. champion)')
    .option('--name <name>', 'monitor name')
    .option('--label <column>', 'label column of the current data')
    .option('--retrain-on-drift', 'start the model’s recipe when this monitor crosses into drift')
    .action(async (model: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<
        GlobalOptions & {
          watch: string
          reference?: string
          ref?: string
          name?: string
          label?: string
          retrainOnDrift?: boolean
        }
      >()
      await withSlipway(o, async (slipway) => {
        let kind: 'file' | 'folder' = 'folder'
        try {
          kind = fs.statSync(o.watch).isFile() ? 'file' : 'folder'
        } catch {
          // The core names the missing folder.
        }
        const created = await slipway.call('monitors:create', {
          model,
          versionRef: o.ref ? parseModelRef(`${model}@${o.ref}`).ref : undefined,
          name: o.name,
          reference: o.reference ? parseSource(o.reference, 'reference') : undefined,
          source: { kind, path: o.watch },
          settings: o.label ? { label: o.label } : undefined,
          retrainOnDrift: o.retrainOnDrift ?? false,
        })
        if (o.json) printJson(created)
        else
          process.stdout.write(
            `Monitor #${created.id} "${safe(created.name)}" watches ${safe(created.source.path)}${created.retrainOnDrift ? '; retrains on drift' : ''}. It runs while the app, web mode or \`slipway watch\` is open.\n`,
          )
      })
    })
  for (const [verb, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const)
    monitor
      .command(verb)
      .description(`${verb === 'pause' ? 'Pause' : 'Resume'} a drift monitor`)
      .argument('<id>', 'monitor id')
      .action(async (id: string, _o: unknown, cmd: Command) => {
        const o = cmd.optsWithGlobals<GlobalOptions>()
        await withSlipway(o, async (slipway) => {
          const monitorId = parsePositiveInt(id.replace(/^#/, ''), 'monitor id')
          const m = await slipway.call('monitors:set-paused', { monitorId, paused })
          if (o.json) printJson(m)
          else process.stdout.write(`Monitor #${m.id} ${paused ? 'paused' : 'resumed'}\n`)
        })
      })
  monitor
    .command('remove')
    .description('Delete a drift monitor (its drift runs stay)')
    .argument('<id>', 'monitor id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(o, async (slipway) => {
        const monitorId = parsePositiveInt(id.replace(/^#/, ''), 'monitor id')
        const result = await slipway.call('monitors:delete', { monitorId })
        if (o.json) printJson({ id: monitorId, ...result })
        else process.stdout.write(`Monitor #${monitorId} removed\n`)
      })
    })
  program
    .command('monitors')
    .description('List drift monitors')
    .option('--model <model>', 'only this model’s')
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<GlobalOptions & { model?: string }>()
      await withSlipway(o, async (slipway) => {
        const monitors = await slipway.call('monitors:list', { model: o.model })
        if (o.json) printJson(monitors)
        else if (!monitors.length) process.stdout.write('No drift monitors\n')
        else
          printTable(monitors.map(monitorRow), [
            'id',
            'model',
            'name',
            'watch',
            'state',
            'retrain',
            'files',
            'last',
          ])
      })
    })
}

/** `watch`: drift monitors and retraining triggers in the foreground. */
function registerWatchCommand(program: Command): void {
  program
    .command('watch')
    .description(
      'Run drift monitors and retraining triggers (schedules, new data, drift) in the foreground until interrupted',
    )
    .option('--tick <sec>', 'how often schedules and folders are checked (default 5)')
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<GlobalOptions & { tick?: string }>()
      await withSlipway(o, async (slipway) => {
        const line = (event: TriggerEvent | Record<string, unknown>): void => {
          if (o.json) process.stdout.write(`${JSON.stringify(event)}\n`)
          else {
            const e = event as TriggerEvent
            process.stdout.write(
              `${e.at} ${e.kind.padEnd(8)} ${safe(e.model)}${e.runId ? ` #${e.runId}` : ''}: ${safe(e.message, 2000)}\n`,
            )
          }
        }
        const now = (): string => new Date().toISOString()
        slipway.onEvent((event) => {
          if (event.name === 'drift:alert')
            line({
              at: now(),
              kind: 'alert',
              model: event.payload.model,
              runId: null,
              message: event.payload.message,
            })
          else if (
            event.name === 'jobs:progress' &&
            event.payload.kind === 'drift' &&
            event.payload.finishedAt
          )
            line({
              at: now(),
              kind: 'monitor',
              model: '-',
              runId: null,
              message: `${event.payload.title}: ${event.payload.status}${event.payload.error ? ` (${event.payload.error.message})` : ''}`,
            })
        })
        const stopped = new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve())
          process.once('SIGTERM', () => resolve())
        })
        const monitors = await slipway.call('monitors:list', {})
        const recipes = allRecipes(slipway.core).length
        slipway.startMonitors({
          triggers: {
            tickMs: o.tick ? parsePositiveInt(o.tick, '--tick') * 1000 : 5000,
            onEvent: line,
          },
        })
        line({
          at: now(),
          kind: 'start',
          model: '-',
          runId: null,
          message: `watching ${monitors.filter((m) => !m.paused).length} monitor(s) and ${recipes} recipe(s) in ${slipway.home}; Ctrl-C to stop`,
        })
        // Monitors and triggers run on unref'd timers; this keeps the foreground process alive.
        const keepAlive = setInterval(() => {}, 60_000)
        await stopped
        clearInterval(keepAlive)
        line({ at: now(), kind: 'stop', model: '-', runId: null, message: 'stopping' })
      })
    })
}
