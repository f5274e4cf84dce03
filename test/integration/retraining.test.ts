// Retraining through the service on real SQLite, real processes and real ONNX: a Node training
// program (test/fixtures/retrain/train.mjs) trains, the challenger is registered with lineage,
// evaluated, compared and gated; failures, a timeout and a cancel store no version and leave no
// process behind (checked by pid).
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RecipeInput, RetrainRun } from '../../src/api/retraining'
import { Slipway } from '../../src/core/service'
import { fixture, tempHome } from '../helpers/home'
import { processGone, pidsInLog, trainCommand, waitFor } from '../helpers/retrain'

let home: { dir: string; cleanup: () => void }
let slipway: Slipway

const sha256 = (file: string): string =>
  createHash('sha256').update(fs.readFileSync(file)).digest('hex')

async function addDataset(file: string, name: string): Promise<void> {
  const job = await slipway.call('datasets:add', { file: { path: fixture('data', file) }, name })
  const done = await slipway.core.jobs.wait(job.id)
  if (done.status !== 'done') throw new Error(done.error?.message)
}

async function setupChurn(recipe: Partial<RecipeInput> = {}): Promise<void> {
  await slipway.call('registry:register', {
    file: { path: fixture('models', 'linear_binary.onnx') },
    model: 'churn',
  })
  await slipway.call('registry:set-alias', { model: 'churn', version: 1, alias: 'champion' })
  await addDataset('linear_binary-train.csv', 'churn-train')
  await addDataset('linear_binary-eval.csv', 'churn-eval')
  await slipway.call('retrain:set-recipe', {
    model: 'churn',
    recipe: {
      command: trainCommand(),
      trainData: { dataset: 'churn-train' },
      evalData: { dataset: 'churn-eval' },
      params: { epochs: 150, lr: 0.5 },
      ...recipe,
    },
  })
}

async function retrain(extra: Record<string, unknown> = {}): Promise<RetrainRun> {
  const { run, job } = await slipway.call('retrain:start', { model: 'churn', ...extra })
  if (job) await slipway.core.jobs.wait(job.id)
  return slipway.call('retrain:get', { runId: run.id })
}

const versionCount = (): number =>
  (slipway.core.db.prepare('SELECT COUNT(*) AS n FROM model_versions').get() as { n: number }).n

beforeEach(() => {
  home = tempHome('slipway-retrain-')
  slipway = new Slipway({ home: home.dir, actor: 'tester' })
})

afterEach(() => {
  slipway.close()
  home.cleanup()
})

/** Accuracy of an ONNX classifier on the eval CSV, computed here with onnxruntime directly. */
async function referenceAccuracy(modelFile: string, csv: string): Promise<number> {
  const lines = fs.readFileSync(csv, 'utf8').trim().split('\n').slice(1)
  const rows = lines.map((l) => l.split(',').map(Number))
  const x = new Float32Array(rows.flatMap((r) => r.slice(0, 4)))
  const session = await ort.InferenceSession.create(modelFile)
  const out = await session.run({ input: new ort.Tensor('float32', x, [rows.length, 4]) })
  const labels = out.label!.data as BigInt64Array
  let right = 0
  rows.forEach((r, i) => {
    if (Number(labels[i]) === r[4]) right++
  })
  return right / rows.length
}

describe('a successful run', () => {
  it('registers a challenger with lineage, params, evaluation, shadow and gate verdict', async () => {
    // A git repository as the working directory: its HEAD is the code version, and it is dirty.
    const repo = path.join(home.dir, 'repo')
    fs.mkdirSync(repo)
    const git = (...args: string[]): string =>
      execFileSync('git', args, {
        cwd: repo,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@t',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@t',
        },
      })
        .toString()
        .trim()
    git('init', '-q')
    fs.writeFileSync(path.join(repo, 'train.txt'), 'v1\n')
    git('add', '.')
    git('commit', '-qm', 'first')
    const head = git('rev-parse', 'HEAD')
    fs.writeFileSync(path.join(repo, 'train.txt'), 'v2\n')
    await setupChurn({ cwd: repo })
    await slipway.call('gates:set-policy', {
      model: 'churn',
      policy: { rules: [{ metric: 'accuracy', threshold: 0.5, greaterIsBetter: true }] },
    })

    const run = await retrain()
    expect(run.status, run.reason ?? '').toBe('succeeded')
    expect(run.exitCode).toBe(0)
    expect(run.version).toBe(2)
    expect(run.lineage).toMatchObject({
      codeVersion: `${head}-dirty`,
      codeDirty: true,
      parent: 1,
      run: run.id,
      trainingData: { sha256: sha256(fixture('data', 'linear_binary-train.csv')) },
      // From slipway.json, which the program wrote, not from the recipe.
      params: { epochs: '150', lr: '0.5', solver: 'gd' },
    })
    expect(run.trainingMetrics).toHaveProperty('trainAccuracy')

    // The registry holds the same lineage, through the normal path.
    const v2 = await slipway.call('registry:get-version', { model: 'churn', ref: 2 })
    expect(v2.codeVersion).toBe(`${head}-dirty`)
    expect(v2.lineage.parentVersion).toBe(1)
    expect(v2.lineage.hyperparameters).toMatchObject({ epochs: '150', solver: 'gd' })
    expect(v2.tags).toMatchObject({ 'retrain.run': String(run.id) })
    expect(v2.aliases).toContain('challenger')
    expect(v2.lineage.trainingDataset?.sha256).toBe(
      sha256(fixture('data', 'linear_binary-train.csv')),
    )

    // Evaluation against onnxruntime run here on the same file and rows.
    const accuracy = await referenceAccuracy(
      slipway.core.blobs.pathFor(v2.sha256),
      fixture('data', 'linear_binary-eval.csv'),
    )
    expect(run.evaluation!.metrics.accuracy).toBeCloseTo(accuracy, 12)
    const champion = await referenceAccuracy(
      fixture('models', 'linear_binary.onnx'),
      fixture('data', 'linear_binary-eval.csv'),
    )
    expect(run.championEvaluation).toMatchObject({ version: 1 })
    expect(run.championEvaluation!.metrics.accuracy).toBeCloseTo(champion, 12)
    expect(run.comparison!.champion).toBe(1)
    expect(run.comparison!.agreementRate).toBeGreaterThan(0.5)
    expect(run.comparison!.deltas.accuracy).toBeCloseTo(accuracy - champion, 12)
    expect(run.gate).toMatchObject({ passed: accuracy >= 0.5 })
    expect(run.gate!.rules[0]!.value).toBeCloseTo(accuracy, 12)
    expect(run.request).toBeNull()

    // The log keeps what the program printed and what Slipway did.
    const log = await slipway.call('retrain:log', { runId: run.id })
    expect(log.text).toContain('progress 150/150')
    expect(log.text).toContain('registered churn v2')
    expect(log.finished).toBe(true)
    // The working directory is gone; the champion is untouched.
    expect(fs.existsSync(path.join(home.dir, 'retrain', 'work', String(run.id)))).toBe(false)
    const model = await slipway.call('registry:get-model', { model: 'churn' })
    expect(model.aliases.champion).toBe(1)
    const actions = (
      slipway.core.db.prepare('SELECT action FROM audit_events ORDER BY id').all() as {
        action: string
      }[]
    ).map((a) => a.action)
    expect(actions).toEqual(
      expect.arrayContaining(['recipe.set', 'retrain.start', 'version.register', 'retrain.finish']),
    )
  })

  it('holds out the last share of the training rows for evaluation and uses recipe params', async () => {
    await setupChurn({ evalData: { holdout: 0.25 }, params: { epochs: 50, lr: 0.3 } })
    const run = await retrain()
    expect(run.status, run.reason ?? '').toBe('succeeded')
    const evaluation = await slipway.call('eval:get', { id: run.evaluation!.id })
    // 1,200 rows: 900 to train on, the last 300 to evaluate on.
    expect(evaluation.dataset.rows).toBe(300)
    const train = fs.readFileSync(fixture('data', 'linear_binary-train.csv'), 'utf8').split('\n')
    const firstPart = `${train.slice(0, 901).join('\n')}\n`
    expect(run.lineage!.trainingData.sha256).toBe(
      createHash('sha256').update(firstPart).digest('hex'),
    )
  })
})

describe('runs that fail store no version and keep their log', () => {
  it.each([
    ['fail', 'The command exited with code 3', 'refusing on purpose'],
    ['no-output', 'wrote no model file', 'writing nothing'],
    ['bad-onnx', 'The model file was refused', 'command:'],
  ])('mode %s', async (mode, reason, inLog) => {
    await setupChurn({ command: [...trainCommand(), '--mode', mode] })
    const before = versionCount()
    const run = await retrain()
    expect(run.status).toBe('failed')
    expect(run.reason).toContain(reason)
    expect(run.version).toBeNull()
    expect(versionCount()).toBe(before)
    const log = await slipway.call('retrain:log', { runId: run.id })
    expect(log.text).toContain(inLog)
    expect(log.text).toContain(`failed: ${run.reason}`)
  })

  it('a program that does not exist fails with its name', async () => {
    await setupChurn({ command: ['/no/such/trainer', '{output}'] })
    const run = await retrain()
    expect(run.status).toBe('failed')
    expect(run.reason).toContain('/no/such/trainer: program not found')
  })

  it('a timeout ends the program and its child (by pid)', async () => {
    await setupChurn({ command: [...trainCommand(), '--mode', 'hang'], timeoutSec: 1 })
    const run = await retrain()
    expect(run.status).toBe('timed-out')
    expect(run.reason).toContain('timeout of 1 s')
    const log = await slipway.call('retrain:log', { runId: run.id })
    const pids = pidsInLog(log.text)
    expect(pids).toHaveLength(2)
    expect(pids[0]).toBe(run.pid)
    for (const pid of pids) expect(processGone(pid), `pid ${pid} still running`).toBe(true)
    expect(versionCount()).toBe(1)
  })

  it('cancel ends the program and its child (by pid); a trigger meanwhile is skipped', async () => {
    await setupChurn({ command: [...trainCommand(), '--mode', 'hang'] })
    const { run, job } = await slipway.call('retrain:start', { model: 'churn' })
    let text = ''
    await waitFor(async () => {
      text = (await slipway.call('retrain:log', { runId: run.id })).text
      return pidsInLog(text).length === 2
    })
    const pids = pidsInLog(text)
    for (const pid of pids) expect(processGone(pid)).toBe(false)
    // A second trigger while the first runs: recorded as skipped, nothing started.
    const second = await slipway.call('retrain:start', { model: 'churn' })
    expect(second.job).toBeNull()
    expect(second.run.status).toBe('skipped')
    expect(second.run.reason).toContain(`Run #${run.id}`)
    // Progress comes from the program's `progress 1/100 still training` lines.
    await waitFor(
      async () =>
        (await slipway.call('retrain:get', { runId: run.id })).progress.message ===
        'still training',
    )
    const live = await slipway.call('retrain:get', { runId: run.id })
    expect(live.status).toBe('running')
    expect(live.progress).toMatchObject({ done: 1, total: 100 })

    await slipway.call('retrain:cancel', { runId: run.id })
    await slipway.core.jobs.wait(job!.id)
    const done = await slipway.call('retrain:get', { runId: run.id })
    expect(done.status).toBe('cancelled')
    expect(done.version).toBeNull()
    for (const pid of pids) expect(processGone(pid), `pid ${pid} still running`).toBe(true)
    const runs = await slipway.call('retrain:list', { model: 'churn' })
    expect(runs.map((r) => r.status)).toEqual(['skipped', 'cancelled'])
  })

  it('caps the log, keeping its head and tail', async () => {
    await setupChurn({ command: [...trainCommand(), '--mode', 'noisy'], logLimitBytes: 8192 })
    const run = await retrain()
    expect(run.status, run.reason ?? '').toBe('succeeded')
    expect(run.log.truncated).toBe(true)
    expect(run.log.bytes).toBeLessThan(8192 + 1024)
    const log = await slipway.call('retrain:log', { runId: run.id })
    expect(log.text).toContain('bytes of output left out')
    expect(log.text).toContain('noise line 0 ')
    expect(log.text).toContain('noise line 19999 ')
  })
})

describe('recipes', () => {
  it('are versioned and audited; bad ones are refused and change nothing', async () => {
    await setupChurn()
    const first = await slipway.call('retrain:get-recipe', { model: 'churn' })
    expect(first!.version).toBe(1)
    expect(first!.recipe.after).toEqual({ alias: 'challenger', gates: true, request: null })
    const bad: [Partial<RecipeInput>, string][] = [
      [{ command: ['node', 'train.js'] }, 'never mentions {output}'],
      [{ cwd: '/no/such/dir' }, '/no/such/dir: no such folder'],
      [{ schedule: 'every tuesday' }, 'Schedule "every tuesday"'],
      [{ trainData: { dataset: 'nope' } }, 'No dataset "nope"'],
      [{ onNewData: true }, 'needs a training-data folder'],
      [{ command: [] }, 'command is empty'],
    ]
    for (const [change, message] of bad) {
      const result = await slipway.invoke(
        'retrain:set-recipe',
        { model: 'churn', recipe: { ...first!.recipe, ...change } },
        { face: 'cli', readLocalPaths: true },
      )
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.error.message).toContain(message)
    }
    expect((await slipway.call('retrain:get-recipe', { model: 'churn' }))!.version).toBe(1)
    const second = await slipway.call('retrain:set-recipe', {
      model: 'churn',
      recipe: { ...first!.recipe, timeoutSec: 60, schedule: '0 3 * * *' },
    })
    expect(second.version).toBe(2)
    expect(second.nextRunAt).not.toBeNull()
    expect(await slipway.call('retrain:remove-recipe', { model: 'churn' })).toEqual({
      removed: true,
    })
    expect(await slipway.call('retrain:get-recipe', { model: 'churn' })).toBeNull()
    const start = await slipway.invoke(
      'retrain:start',
      { model: 'churn' },
      { face: 'cli', readLocalPaths: true },
    )
    expect(start.ok).toBe(false)
    if (!start.ok) expect(start.error.message).toContain('has no retraining recipe')
    const audit = slipway.core.db
      .prepare("SELECT COUNT(*) AS n FROM audit_events WHERE action LIKE 'recipe.%'")
      .get() as { n: number }
    expect(audit.n).toBe(3)
  })
})
