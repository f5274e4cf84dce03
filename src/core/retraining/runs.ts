// Retraining runs: a recipe's command run as a job (live size-capped log, progress, cancel and
// timeout ending the whole process tree), then, on success, the ONNX file registered through the
// normal path with lineage, evaluated, shadow-compared with the champion and checked by the gates.
// At most one run per model at a time; a trigger during a run is recorded as skipped.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import type { FileRef } from '../../api/common'
import type { DatasetRef } from '../../api/datasets'
import { SlipwayError, isSlipwayError } from '../../api/errors'
import type { Job } from '../../api/jobs'
import type {
  RecipeRecord,
  RetrainRun,
  RunLineage,
  RunLog,
  RunStatus,
  RunTrigger,
} from '../../api/retraining'
import { processAlive } from '../artifacts/blobs'
import type { Actor, CallContext, CoreContext } from '../context'
import { appendAudit } from '../governance/audit'
import type { JobContext } from '../jobs/manager'
import { checkGates } from '../evaluation/gates-service'
import { getPolicy } from '../evaluation/model-settings'
import { prepareDataset, type DatasetForRun } from '../evaluation/run-dataset'
import {
  evaluateVersion,
  getEvaluation,
  headline,
  listEvaluations,
  type RunSettings,
} from '../evaluation/service'
import { compareVersions } from '../shadow/service'
import { createRequest } from '../governance/requests'
import { teamRoot } from '../governance/store'
import { registerVersion } from '../registry/register'
import { requireModel, resolveModelFile, type ModelVersionFile } from '../registry/registry'
import { prepareRunData, resolveTrainData, type PreparedRunData, type RunDataSource } from './data'
import { RunLogWriter, parseProgressLine } from './log'
import { killTree, runCommand, type CommandOutcome } from './process'
import { requireRecipe } from './recipes'

interface RunRow {
  id: number
  model_id: number
  model_name: string
  recipe_version: number | null
  status: RunStatus
  trigger: RunTrigger
  trigger_detail: string | null
  reason: string | null
  started_at: string
  finished_at: string | null
  exit_code: number | null
  pid: number | null
  owner_pid: number | null
  job_id: string | null
  data_json: string | null
  eval_data_json: string | null
  version: number | null
  result_json: string | null
  log_bytes: number
  log_truncated: number
  request_alias: string | null
}

/** What a finished run stored besides its columns. */
interface RunResult {
  lineage: RunLineage | null
  trainingMetrics: Record<string, unknown> | null
  evaluation: RetrainRun['evaluation']
  championEvaluation: RetrainRun['championEvaluation']
  comparison: RetrainRun['comparison']
  gate: RetrainRun['gate']
  notes: string[]
  request: RetrainRun['request']
}

const emptyResult = (): RunResult => ({
  lineage: null,
  trainingMetrics: null,
  evaluation: null,
  championEvaluation: null,
  comparison: null,
  gate: null,
  notes: [],
  request: null,
})

const RUN_SELECT = `SELECT r.*, m.name AS model_name, v.version AS version
  FROM retrain_runs r JOIN models m ON m.id = r.model_id LEFT JOIN model_versions v ON v.id = r.version_id`

/** Live progress of runs this process is running, by run id. */
const liveProgress = new Map<number, RetrainRun['progress']>()

export const runsFolder = (core: CoreContext): string => path.join(core.home, 'retrain')
export const logPath = (core: CoreContext, runId: number): string =>
  path.join(runsFolder(core), 'logs', `${runId}.log`)
const workdirOf = (core: CoreContext, runId: number): string =>
  path.join(runsFolder(core), 'work', String(runId))

function toRun(core: CoreContext, row: RunRow): RetrainRun {
  const result = row.result_json
    ? { ...emptyResult(), ...(JSON.parse(row.result_json) as Partial<RunResult>) }
    : emptyResult()
  let logBytes = row.log_bytes
  if (row.status === 'running') {
    try {
      logBytes = fs.statSync(logPath(core, row.id)).size
    } catch {
      logBytes = 0
    }
  }
  const finished = row.finished_at ? Date.parse(row.finished_at) : null
  return {
    id: row.id,
    model: row.model_name,
    status: row.status,
    trigger: row.trigger,
    triggerDetail: row.trigger_detail,
    reason: row.reason,
    recipeVersion: row.recipe_version,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: finished !== null ? finished - Date.parse(row.started_at) : null,
    exitCode: row.exit_code,
    pid: row.pid,
    jobId: row.job_id,
    data: row.data_json ? (JSON.parse(row.data_json) as RetrainRun['data']) : null,
    evalData: row.eval_data_json
      ? (JSON.parse(row.eval_data_json) as RetrainRun['evalData'])
      : null,
    progress: liveProgress.get(row.id) ?? {
      done: row.status === 'running' ? 0 : 1,
      total: row.status === 'running' ? null : 1,
      message: row.status === 'running' ? 'Running' : row.status,
    },
    version: row.version,
    lineage: result.lineage,
    trainingMetrics: result.trainingMetrics,
    evaluation: result.evaluation,
    championEvaluation: result.championEvaluation,
    comparison: result.comparison,
    gate: result.gate,
    notes: result.notes,
    requestAlias: row.request_alias,
    request: result.request,
    log: { bytes: logBytes, truncated: row.log_truncated === 1 },
  }
}

export function getRun(core: CoreContext, runId: number): RetrainRun {
  const row = core.db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(runId) as RunRow | undefined
  if (!row) throw new SlipwayError('NOT_FOUND', `No retraining run #${runId}`)
  return toRun(core, row)
}

export function listRuns(
  core: CoreContext,
  filter: { model?: string; limit: number },
): RetrainRun[] {
  const rows = filter.model
    ? (core.db
        .prepare(`${RUN_SELECT} WHERE r.model_id = ? ORDER BY r.id DESC LIMIT ?`)
        .all(requireModel(core.db, filter.model).id, filter.limit) as RunRow[])
    : (core.db.prepare(`${RUN_SELECT} ORDER BY r.id DESC LIMIT ?`).all(filter.limit) as RunRow[])
  return rows.map((row) => toRun(core, row))
}

export function readLog(core: CoreContext, runId: number, offset: number): RunLog {
  const run = getRun(core, runId)
  const file = logPath(core, runId)
  let text = ''
  let size = 0
  try {
    const fd = fs.openSync(file, 'r')
    try {
      size = fs.fstatSync(fd).size
      const start = Math.min(offset, size)
      // One answer carries at most 256 KB; the caller asks again from nextOffset.
      const length = Math.min(size - start, 256 * 1024)
      const buf = Buffer.alloc(length)
      fs.readSync(fd, buf, 0, length, start)
      text = buf.toString('utf8')
      offset = start
    } finally {
      fs.closeSync(fd)
    }
  } catch {
    // A skipped run has no log.
  }
  return {
    runId,
    text,
    offset,
    nextOffset: offset + Buffer.byteLength(text),
    size,
    finished: run.status !== 'running',
  }
}

/**
 * A run left `running` by a Slipway process that is gone (a crash, a killed window) is marked
 * failed, and its command's process tree, if still there, is ended.
 */
export function sweepStaleRuns(core: CoreContext): void {
  const stale = (
    core.db
      .prepare("SELECT id, pid, owner_pid FROM retrain_runs WHERE status = 'running'")
      .all() as { id: number; pid: number | null; owner_pid: number | null }[]
  ).filter(
    (r) => r.owner_pid === null || (r.owner_pid !== process.pid && !processAlive(r.owner_pid)),
  )
  for (const run of stale) {
    if (run.pid !== null && processAlive(run.pid)) void killTree(run.pid)
    core.db
      .prepare(
        "UPDATE retrain_runs SET status = 'failed', reason = ?, finished_at = ? WHERE id = ? AND status = 'running'",
      )
      .run(
        'The Slipway process running it stopped before the run finished',
        new Date().toISOString(),
        run.id,
      )
  }
}

export interface StartRunOptions {
  trigger: RunTrigger
  triggerDetail?: string | null
  data?: FileRef | { dataset: DatasetRef }
  evalData?: FileRef | { dataset: DatasetRef }
  /** Record the trigger as a skipped run with this reason instead of running. */
  skipReason?: string
  /** Called when the run has finished (whatever its outcome), e.g. to remember a folder's file. */
  onFinished?: (run: RetrainRun, source: RunDataSource | null) => void
}

/**
 * Starts a run of the model's recipe, or records a skipped run when one is already in progress
 * (in this process or another one on the same home).
 */
export function startRun(
  core: CoreContext,
  model: string,
  options: StartRunOptions,
  call: CallContext = { face: 'cli', readLocalPaths: true, actor: core.homeActor() },
): { run: RetrainRun; job: Job | null } {
  const { actor } = call
  const modelRow = requireModel(core.db, model)
  const recipe = requireRecipe(core, modelRow.name)
  sweepStaleRuns(core)
  const now = new Date().toISOString()
  const { runId, busy } = core.db
    .transaction((): { runId: number; busy: string | null } => {
      const busyRun = core.db
        .prepare("SELECT id FROM retrain_runs WHERE model_id = ? AND status = 'running' LIMIT 1")
        .get(modelRow.id) as { id: number } | undefined
      const skip = busyRun
        ? `Run #${busyRun.id} of ${modelRow.name} was still in progress`
        : (options.skipReason ?? null)
      const info = core.db
        .prepare(
          `INSERT INTO retrain_runs (model_id, recipe_version, status, trigger, trigger_detail, reason, started_at, finished_at, owner_pid, request_alias, created_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          modelRow.id,
          recipe.version,
          skip ? 'skipped' : 'running',
          options.trigger,
          options.triggerDetail ?? null,
          skip,
          now,
          skip ? now : null,
          process.pid,
          recipe.recipe.after.request,
          actor.name,
        )
      const id = Number(info.lastInsertRowid)
      appendAudit(core, actor, {
        action: 'retrain.start',
        modelId: modelRow.id,
        details: {
          runId: id,
          trigger: options.trigger,
          triggerDetail: options.triggerDetail ?? null,
          recipeVersion: recipe.version,
          skipped: skip,
        },
      })
      return { runId: id, busy: skip }
    })
    .immediate()
  if (busy !== null) {
    const run = getRun(core, runId)
    options.onFinished?.(run, null)
    return { run, job: null }
  }
  const title = `Retraining ${modelRow.name} (run #${runId})`
  const job = core.jobs.start('retrain', title, async (ctx) => {
    await executeRun(core, runId, modelRow.name, recipe, options, call, ctx)
    return getRun(core, runId)
  })
  core.db.prepare('UPDATE retrain_runs SET job_id = ? WHERE id = ?').run(job.id, runId)
  return { run: getRun(core, runId), job }
}

/** Cancels a run of this process; a run of another process is cancelled there. */
export function cancelRun(core: CoreContext, runId: number): RetrainRun {
  const run = getRun(core, runId)
  if (run.status !== 'running') return run
  const owner = core.db.prepare('SELECT owner_pid FROM retrain_runs WHERE id = ?').get(runId) as {
    owner_pid: number | null
  }
  if (owner.owner_pid !== process.pid || !run.jobId)
    throw new SlipwayError(
      'CONFLICT',
      `Run #${runId} is run by another Slipway process (pid ${owner.owner_pid ?? 'unknown'}); cancel it there`,
    )
  core.jobs.cancel(run.jobId)
  return getRun(core, runId)
}

/** Waits for a run of this process to finish. */
export async function waitForRun(core: CoreContext, runId: number): Promise<RetrainRun> {
  const run = getRun(core, runId)
  if (run.status === 'running' && run.jobId) await core.jobs.wait(run.jobId)
  return getRun(core, runId)
}

const SlipwayJson = z
  .object({
    params: z.record(z.string(), z.unknown()).optional(),
    metrics: z.record(z.string(), z.unknown()).optional(),
    codeVersion: z.string().trim().min(1).max(512).optional(),
    description: z.string().max(10_000).optional(),
  })
  .passthrough()

const paramText = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value)

/** `git rev-parse HEAD` in the working directory, and whether the tree has changes. */
function gitVersion(cwd: string): { codeVersion: string | null; dirty: boolean | null } {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim()
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString()
    return { codeVersion: head, dirty: status.trim().length > 0 }
  } catch {
    return { codeVersion: null, dirty: null }
  }
}

const substitute = (arg: string, values: Record<string, string>): string =>
  arg.replace(/\{(data|output|workdir|params)\}/g, (match, key: string) => values[key] ?? match)

/** A failure that ends the run with this status and reason, storing no version. */
class RunFailure extends Error {
  constructor(
    readonly status: Exclude<RunStatus, 'running' | 'succeeded' | 'skipped'>,
    message: string,
  ) {
    super(message)
  }
}

type Recipe = RecipeRecord['recipe']

/** What one run works with, from its start to its stored row. */
interface RunScope {
  core: CoreContext
  runId: number
  model: string
  recipe: Recipe
  options: StartRunOptions
  call: CallContext
  ctx: JobContext
  workdir: string
  log: RunLogWriter
  progress: (done: number, total: number | null, message: string) => void
}

/** The training file (and holdout) in the working directory, and how eval data will be read. */
function prepareInputs(
  run: RunScope,
  source: RunDataSource,
): {
  data: PreparedRunData
  evalPrepare: AfterRun['evalPrepare']
} {
  const { core, recipe, options, call } = run
  const holdout =
    !options.evalData && recipe.evalData && 'holdout' in recipe.evalData
      ? recipe.evalData.holdout
      : null
  const data = prepareRunData(source, run.workdir, holdout)
  core.db
    .prepare('UPDATE retrain_runs SET data_json = ? WHERE id = ?')
    .run(JSON.stringify({ name: source.name, sha256: null }), run.runId)
  // Eval data is checked before training, so a typo does not cost a whole training run.
  const evalInput = options.evalData
    ? 'dataset' in options.evalData
      ? { datasetId: options.evalData.dataset }
      : options.evalData
    : data.holdout
      ? { path: data.holdout.path }
      : recipe.evalData && 'dataset' in recipe.evalData
        ? { datasetId: recipe.evalData.dataset }
        : null
  const evalPrepare = evalInput
    ? prepareDataset(
        core,
        evalInput,
        options.evalData ? call : { face: 'cli', readLocalPaths: true, actor: call.actor },
      )
    : null
  return { data, evalPrepare }
}

/** Runs the recipe's command on the training file; the model file it must write is `output`. */
async function runTraining(
  run: RunScope,
  trainPath: string,
): Promise<{ outcome: CommandOutcome; output: string; cwd: string }> {
  const { core, runId, recipe, workdir, log } = run
  const paramsFile = path.join(workdir, 'params.json')
  fs.writeFileSync(paramsFile, `${JSON.stringify(recipe.params, null, 2)}\n`)
  const output = path.join(workdir, 'model.onnx')
  const values = { data: trainPath, output, workdir, params: paramsFile }
  const argv = recipe.command.map((arg) => substitute(arg, values))
  const cwd = recipe.cwd ?? workdir
  log.note(`command: ${JSON.stringify(argv)}`)
  log.note(`working directory: ${cwd}; timeout ${recipe.timeoutSec} s`)
  run.progress(0, null, `Training ${run.model}`)
  const outcome = await runCommand(argv, {
    cwd,
    env: {
      ...(process.env as Record<string, string>),
      ...recipe.env,
      SLIPWAY_RUN_ID: String(runId),
      SLIPWAY_WORKDIR: workdir,
    },
    timeoutMs: recipe.timeoutSec * 1000,
    signal: run.ctx.signal,
    onSpawn: (pid) => {
      core.db.prepare('UPDATE retrain_runs SET pid = ? WHERE id = ?').run(pid, runId)
      log.note(`started, pid ${pid}`)
    },
    onOutput: (chunk) => log.write(chunk),
  })
  return { outcome, output, cwd }
}

/** Throws the run's failure when the command did not end well or wrote no model file. */
function checkOutcome(outcome: CommandOutcome, recipe: Recipe, output: string): void {
  if (outcome.spawnError) throw new RunFailure('failed', outcome.spawnError)
  if (outcome.cancelled)
    throw new RunFailure('cancelled', 'Cancelled; the command and all its processes were ended')
  if (outcome.timedOut)
    throw new RunFailure(
      'timed-out',
      `Ran longer than the recipe's timeout of ${recipe.timeoutSec} s; the command and all its processes were ended`,
    )
  if (outcome.exitCode !== 0)
    throw new RunFailure(
      'failed',
      outcome.signal
        ? `The command was ended by ${outcome.signal}`
        : `The command exited with code ${outcome.exitCode}`,
    )
  if (!fs.existsSync(output))
    throw new RunFailure(
      'failed',
      'The command succeeded but wrote no model file at {output}; the program must write its ONNX file there',
    )
  if (fs.statSync(output).size === 0)
    throw new RunFailure('failed', 'The command wrote an empty model file at {output}')
}

/** Registers the model file the command wrote as a new version, with the run's lineage. */
async function registerCandidate(
  run: RunScope,
  trained: { output: string; cwd: string; trainPath: string },
  source: RunDataSource,
  parent: ModelVersionFile | null,
  result: RunResult,
): Promise<ModelVersionFile> {
  const { core, runId, model, recipe, options, call, log } = run
  const written = readSlipwayJson(run.workdir)
  const git = written.codeVersion ? null : gitVersion(trained.cwd)
  const codeVersion =
    written.codeVersion ??
    (git?.codeVersion ? `${git.codeVersion}${git.dirty ? '-dirty' : ''}` : null)
  const params = Object.fromEntries(
    Object.entries(written.params ?? recipe.params).map(([k, v]) => [k, paramText(v)]),
  )
  result.trainingMetrics = (written.metrics as Record<string, unknown> | undefined) ?? null
  run.progress(0, null, 'Registering the new version')
  let registered
  try {
    registered = await registerVersion(
      core,
      {
        model,
        file: { path: trained.output },
        fileName: `${model}-run${runId}.onnx`,
        description: written.description ?? `Retrained by run #${runId} (${options.trigger})`,
        codeVersion: codeVersion ?? undefined,
        hyperparameters: Object.entries(params).map(([key, value]) => ({ key, value })),
        trainingData: { path: trained.trainPath },
        parentVersion: parent?.version,
        alias: recipe.after.alias ?? undefined,
        tags: [
          { key: 'retrain.run', value: String(runId) },
          { key: 'retrain.trigger', value: options.trigger },
        ],
      },
      { face: 'cli', readLocalPaths: true, actor: call.actor },
    )
  } catch (error) {
    throw new RunFailure(
      'failed',
      `The model file was refused: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
  const candidate = resolveModelFile(core, model, registered.version)
  const trainingRow = core.db
    .prepare(
      'SELECT d.id, d.name, d.sha256 FROM model_versions v JOIN datasets d ON d.id = v.training_dataset_id WHERE v.id = ?',
    )
    .get(candidate.versionId) as { id: number; name: string; sha256: string } | undefined
  if (registered.existing)
    result.notes.push(
      `The program wrote the same bytes as ${model} v${registered.version}; that version's lineage stays as first recorded`,
    )
  result.lineage = {
    codeVersion,
    codeDirty: written.codeVersion ? null : (git?.dirty ?? null),
    trainingData: {
      name: source.name,
      sha256: trainingRow?.sha256 ?? '',
      datasetId: trainingRow?.id ?? null,
    },
    params,
    parent: parent?.version ?? null,
    run: runId,
  }
  core.db
    .prepare('UPDATE retrain_runs SET data_json = ?, version_id = ? WHERE id = ?')
    .run(
      JSON.stringify({ name: source.name, sha256: trainingRow?.sha256 ?? null }),
      candidate.versionId,
      runId,
    )
  log.note(`registered ${model} v${registered.version} (${registered.sha256.slice(0, 12)})`)
  return candidate
}

/** How the run ended, as stored on its row. */
interface RunEnd {
  status: RunStatus
  reason: string | null
  exitCode: number | null
  versionId: number | null
  source: RunDataSource | null
  result: RunResult
}

/** Closes the log, removes the working directory, and stores the run's end with its audit. */
function finishRun(run: RunScope, end: RunEnd, started: number): void {
  const { core, runId, model, call, log } = run
  const { status, reason, exitCode, versionId, result } = end
  if (reason) log.note(`${status}: ${reason}`)
  else log.note(`${status} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  const kept = log.close()
  liveProgress.delete(runId)
  fs.rmSync(run.workdir, { recursive: true, force: true })
  if (!core.db.open) return
  core.db
    .transaction(() => {
      core.db
        .prepare(
          `UPDATE retrain_runs SET status = ?, reason = ?, exit_code = ?, finished_at = ?, version_id = ?, result_json = ?,
               log_bytes = ?, log_truncated = ? WHERE id = ?`,
        )
        .run(
          status,
          reason,
          exitCode,
          new Date().toISOString(),
          status === 'succeeded' ? versionId : null,
          JSON.stringify(result),
          kept.bytes,
          kept.truncated ? 1 : 0,
          runId,
        )
      appendAudit(core, call.actor, {
        action: 'retrain.finish',
        modelId: requireModel(core.db, model).id,
        versionId: status === 'succeeded' ? versionId : null,
        details: { runId, status, reason, exitCode },
      })
    })
    .immediate()
  run.options.onFinished?.(getRun(core, runId), end.source)
}

async function executeRun(
  core: CoreContext,
  runId: number,
  model: string,
  record: RecipeRecord,
  options: StartRunOptions,
  call: CallContext,
  ctx: JobContext,
): Promise<void> {
  const recipe = record.recipe
  const started = Date.now()
  fs.mkdirSync(path.dirname(logPath(core, runId)), { recursive: true })
  const workdir = workdirOf(core, runId)
  fs.rmSync(workdir, { recursive: true, force: true })
  fs.mkdirSync(workdir, { recursive: true })
  const progress = (done: number, total: number | null, message: string): void => {
    liveProgress.set(runId, { done, total, message })
    ctx.progress(done, total, message)
  }
  const log = new RunLogWriter(logPath(core, runId), recipe.logLimitBytes, (line) => {
    const p = parseProgressLine(line)
    if (p) progress(p.done, p.total, p.message || `Training ${model}`)
  })
  const run: RunScope = { core, runId, model, recipe, options, call, ctx, workdir, log, progress }
  const end: RunEnd = {
    status: 'failed',
    reason: null,
    exitCode: null,
    versionId: null,
    source: null,
    result: emptyResult(),
  }
  try {
    log.note(
      `run #${runId} of ${model}, recipe v${record.version}, trigger ${options.trigger}${options.triggerDetail ? ` (${options.triggerDetail})` : ''}`,
    )
    progress(0, null, 'Preparing the data')
    const trainRef = options.data ?? recipe.trainData
    if (!trainRef)
      throw new RunFailure(
        'failed',
        'No training data: the recipe names none (--train-data) and none was given for this run (--data)',
      )
    const source = resolveTrainData(core, model, trainRef, options.data ? call : 'internal')
    end.source = source
    const { data, evalPrepare } = prepareInputs(run, source)

    const parent = championOf(core, model)
    const { outcome, output, cwd } = await runTraining(run, data.train.path)
    end.exitCode = outcome.exitCode
    checkOutcome(outcome, recipe, output)

    const candidate = await registerCandidate(
      run,
      { output, cwd, trainPath: data.train.path },
      source,
      parent,
      end.result,
    )
    end.versionId = candidate.versionId
    end.status = 'succeeded'
    await afterRegistration({
      core,
      actor: call.actor,
      model,
      candidate,
      champion: parent,
      evalPrepare,
      recipe,
      result: end.result,
      ctx,
      log,
    })
  } catch (error) {
    if (error instanceof RunFailure) {
      end.status = error.status
      end.reason = error.message
    } else if (end.status !== 'succeeded') {
      end.status = ctx.signal.aborted ? 'cancelled' : 'failed'
      end.reason = ctx.signal.aborted
        ? 'Cancelled'
        : isSlipwayError(error) || error instanceof Error
          ? error.message
          : String(error)
    } else {
      end.result.notes.push(
        `After registration: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
  } finally {
    finishRun(run, end, started)
  }
}

function readSlipwayJson(workdir: string): z.infer<typeof SlipwayJson> {
  const file = path.join(workdir, 'slipway.json')
  if (!fs.existsSync(file)) return {}
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    throw new RunFailure(
      'failed',
      `{workdir}/slipway.json is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    )
  }
  const parsed = SlipwayJson.safeParse(raw)
  if (!parsed.success)
    throw new RunFailure(
      'failed',
      `{workdir}/slipway.json: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'top level'}: ${i.message}`).join('; ')}`,
    )
  return parsed.data
}

function championOf(core: CoreContext, model: string): ModelVersionFile | null {
  try {
    return resolveModelFile(core, model, 'champion')
  } catch {
    return null
  }
}

/** What the steps after registration work on. */
interface AfterRun {
  core: CoreContext
  actor: Actor
  model: string
  candidate: ModelVersionFile
  champion: ModelVersionFile | null
  evalPrepare: ((job: JobContext) => Promise<DatasetForRun>) | null
  recipe: RecipeRecord['recipe']
  result: RunResult
  ctx: JobContext
  log: RunLogWriter
}

/** Evaluation, champion side by side, shadow, gates, request; what cannot be done is noted. */
async function afterRegistration(run: AfterRun): Promise<void> {
  await evaluateAndCompare(run)
  openRequest(run)
}

/**
 * Opens the promotion request the recipe asks for, when the home is in a team and the gates did
 * not fail; otherwise says why not. A human approves it; nothing is promoted here.
 */
function openRequest({ core, actor, candidate, recipe, result, log }: AfterRun): void {
  const alias = recipe.after.request
  if (!alias) return
  if (!teamRoot(core.db)) {
    result.notes.push(
      `This home is not in a team: no promotion request to "${alias}" opened (the recipe asks for one)`,
    )
    return
  }
  if (result.gate && !result.gate.passed) {
    result.notes.push(`The gates failed: no promotion request to "${alias}" opened`)
    return
  }
  try {
    const request = createRequest(core, actor, {
      model: candidate.model,
      ref: candidate.version,
      alias,
      comment: `Retrained by run #${result.lineage?.run ?? '?'}${result.gate ? ' (gates passed)' : ''}`,
    })
    result.request = request
    log.note(`promotion request ${request.id.slice(0, 12)} to "${alias}" opened`)
  } catch (error) {
    result.notes.push(
      `Promotion request to "${alias}" not opened: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
}

/** Evaluation, champion side by side, shadow and gates. */
async function evaluateAndCompare(run: AfterRun): Promise<void> {
  const { core, actor, model, candidate, champion, evalPrepare, recipe, result, ctx, log } = run
  if (!evalPrepare) {
    result.notes.push(
      'No evaluation data (recipe --eval-data: a dataset or holdout:FRACTION): not evaluated, compared or gated',
    )
    return
  }
  const dataset = await evalPrepare(ctx)
  const settings: RunSettings = { label: recipe.label ?? undefined }
  const policy = recipe.after.gates ? getPolicy(core, candidate.modelId) : null
  ctx.progress(0, null, `Evaluating ${candidate.label} on ${dataset.name}`)
  if (policy) {
    const report = await checkGates(core, actor, candidate, dataset, policy, settings, ctx)
    const evaluation = getEvaluation(core, report.evaluationId)
    result.evaluation = { id: evaluation.id, metrics: headline(evaluation.result) }
    result.gate = { id: report.id, passed: report.passed, rules: report.rules }
    if (report.baseline && champion && report.baseline.version === champion.version) {
      const base = getEvaluation(core, report.baseline.evaluationId)
      result.championEvaluation = {
        id: base.id,
        version: champion.version,
        metrics: headline(base.result),
      }
    }
    log.note(`gates ${report.passed ? 'passed' : 'failed'} (report #${report.id})`)
  } else {
    const evaluation = await evaluateVersion(core, actor, candidate, dataset, settings, ctx)
    result.evaluation = { id: evaluation.id, metrics: headline(evaluation.result) }
    result.notes.push(
      recipe.after.gates
        ? `${model} has no gate policy: gates not checked`
        : 'The recipe does not check gates',
    )
  }
  log.note(`evaluated on ${dataset.name} (evaluation #${result.evaluation.id})`)
  if (!champion) {
    result.notes.push(`${model} has no champion: nothing to compare with`)
    return
  }
  if (champion.versionId === candidate.versionId) {
    result.notes.push('The new version is the champion itself: nothing to compare with')
    return
  }
  if (!result.championEvaluation) {
    const stored = listEvaluations(core, { model, version: champion.version }).find(
      (e) =>
        e.dataset.sha256 === dataset.sha256 &&
        e.settings.label === (recipe.label ?? e.settings.label),
    )
    const evaluation = stored
      ? getEvaluation(core, stored.id)
      : await evaluateVersion(core, actor, champion, dataset, settings, ctx)
    result.championEvaluation = {
      id: evaluation.id,
      version: champion.version,
      metrics: headline(evaluation.result),
    }
  }
  ctx.progress(0, null, `Comparing with the champion (${champion.label})`)
  const shadow = await compareVersions(core, actor, champion, candidate, dataset, settings, ctx)
  result.comparison = {
    id: shadow.id,
    champion: champion.version,
    agreementRate: shadow.result.agreementRate,
    deltas: shadow.result.metrics?.delta ?? {},
  }
  log.note(`shadow comparison #${shadow.id} with ${champion.label}`)
}
