// The retraining CLI as a pipeline sees it (the built CLI in a child process): recipe set/show/
// remove, retrain's JSON and exit codes, runs and run show --log, monitors from the CLI, and
// `slipway watch` running a trigger in the foreground and stopping on SIGINT.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli'
import { fixture, tempHome } from '../helpers/home'
import { trainCommand, waitFor } from '../helpers/retrain'

let home: { dir: string; cleanup: () => void }
const cli = (...args: string[]) => runCli(['--home', home.dir, ...args])

beforeEach(() => {
  home = tempHome('slipway-retrain-cli-')
  expect(
    cli(
      'register',
      fixture('models', 'linear_binary.onnx'),
      '--model',
      'churn',
      '--alias',
      'champion',
    ).status,
  ).toBe(0)
  expect(
    cli('dataset', 'add', fixture('data', 'linear_binary-train.csv'), '--name', 'churn-train')
      .status,
  ).toBe(0)
})

afterEach(() => home.cleanup())

describe('slipway recipe and retrain', () => {
  it('sets a recipe (command after --), runs it, and prints the contract JSON', () => {
    const set = cli(
      '--json',
      'recipe',
      'set',
      'churn',
      '--train-data',
      'churn-train',
      '--eval-data',
      'holdout:0.25',
      '--param',
      'epochs=40',
      '--env',
      'TRAIN_SEED=7',
      '--timeout',
      '120',
      '--request',
      'champion',
      '--',
      ...trainCommand(),
    )
    expect(set.status, set.stderr).toBe(0)
    const recipe = set.json() as { version: number; recipe: Record<string, unknown> }
    expect(recipe.version).toBe(1)
    expect(recipe.recipe).toMatchObject({
      command: trainCommand(),
      env: { TRAIN_SEED: '7' },
      timeoutSec: 120,
      params: { epochs: 40 },
      trainData: { dataset: 'churn-train' },
      evalData: { holdout: 0.25 },
      after: { alias: 'challenger', gates: true, request: 'champion' },
    })
    // Changing one option keeps the rest and makes a new recipe version.
    const changed = cli('--json', 'recipe', 'set', 'churn', '--param', 'lr=0.2')
    expect(
      (changed.json() as { version: number; recipe: { params: object } }).recipe.params,
    ).toEqual({ epochs: 40, lr: 0.2 })
    expect(cli('recipe', 'show', 'churn').stdout).toContain(
      'holdout: last 25% of the training rows',
    )

    const run = cli('--json', 'retrain', 'churn')
    expect(run.status, run.stdout + run.stderr).toBe(0)
    const out = run.json() as {
      lineage: { trainingData: { sha256: string } }
      evaluation: { metrics: Record<string, number> }
      comparison: { agreementRate: number; deltas: Record<string, number> }
    }
    expect(out).toMatchObject({
      run: 1,
      status: 'succeeded',
      exitCode: 0,
      version: 2,
      lineage: { parent: 1, params: { epochs: '40', lr: '0.2', solver: 'gd' } },
      gate: null,
      // A solo home opens no request; the recipe's wish is kept next to it (and said in notes).
      request: null,
      requestAlias: 'champion',
    })
    expect(out.lineage.trainingData.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(out.evaluation.metrics.accuracy).toBeGreaterThan(0.5)
    expect(out.comparison.agreementRate).toBeGreaterThan(0.5)
    expect(Object.keys(out.comparison.deltas)).toContain('accuracy')

    const runs = cli('--json', 'runs', 'churn').json() as { id: number; status: string }[]
    expect(runs.map((r) => [r.id, r.status])).toEqual([[1, 'succeeded']])
    const log = cli('run', 'show', '1', '--log')
    expect(log.stdout).toContain('progress 40/40')
    expect(log.stdout).toContain('registered churn v2')
  })

  it('a failing run exits 1 with its reason; bad input exits 1 and changes nothing', () => {
    expect(
      cli(
        'recipe',
        'set',
        'churn',
        '--train-data',
        'churn-train',
        '--',
        ...trainCommand(),
        '--mode',
        'fail',
      ).status,
    ).toBe(0)
    const run = cli('--json', 'retrain', 'churn')
    expect(run.status).toBe(1)
    expect(run.json()).toMatchObject({
      status: 'failed',
      exitCode: 3,
      version: null,
      reason: 'The command exited with code 3',
    })
    const text = cli('retrain', 'churn')
    expect(text.status).toBe(1)
    expect(text.stderr).toContain('refusing on purpose')
    expect(text.stdout).toContain('FAILED — The command exited with code 3')

    const bad = cli('--json', 'recipe', 'set', 'churn', '--eval-data', 'holdout:2')
    expect(bad.status).toBe(1)
    expect(bad.json()).toEqual({
      error: {
        code: 'INVALID_INPUT',
        message: '--eval-data holdout:2: the holdout share must be a number from 0.05 to 0.9',
      },
    })
    const noCommand = cli('--json', 'recipe', 'set', 'other')
    expect(noCommand.status).toBe(1)
    const shown = cli('--json', 'recipe', 'show', 'churn').json() as { version: number }
    expect(shown.version).toBe(1)
    expect(cli('--json', 'recipe', 'remove', 'churn').json()).toEqual({ removed: true })
    expect(cli('recipe', 'show', 'churn').stderr).toContain('churn has no retraining recipe')
  })
})

describe('slipway monitor and watch', () => {
  it('adds, lists, pauses, resumes and removes monitors', () => {
    const dir = path.join(home.dir, 'incoming')
    fs.mkdirSync(dir)
    const add = cli(
      '--json',
      'monitor',
      'add',
      'churn',
      '--watch',
      dir,
      '--reference',
      'churn-train',
      '--retrain-on-drift',
    )
    expect(add.status, add.stdout).toBe(0)
    const monitor = add.json() as { id: number; retrainOnDrift: boolean; paused: boolean }
    expect(monitor).toMatchObject({ retrainOnDrift: true, paused: false })
    expect(cli('monitor', 'pause', String(monitor.id)).stdout).toContain('paused')
    expect(cli('--json', 'monitors').json()).toMatchObject([{ id: monitor.id, paused: true }])
    expect(cli('monitors').stdout).toMatch(/paused\s+on drift/)
    cli('monitor', 'resume', String(monitor.id))
    expect(cli('--json', 'monitors').json()).toMatchObject([{ paused: false }])
    const missing = cli(
      '--json',
      'monitor',
      'add',
      'churn',
      '--watch',
      path.join(dir, 'nope'),
      '--reference',
      'churn-train',
    )
    expect(missing.status).toBe(1)
    expect(JSON.stringify(missing.json())).toContain('nope: no such folder')
    expect(cli('monitor', 'remove', String(monitor.id)).status).toBe(0)
    expect(cli('--json', 'monitors').json()).toEqual([])
  })

  it('watch runs a new-data trigger in the foreground, as JSON lines, until SIGINT', async () => {
    const folder = path.join(home.dir, 'labelled')
    fs.mkdirSync(folder)
    fs.copyFileSync(fixture('data', 'linear_binary-train.csv'), path.join(folder, 'a.csv'))
    const minuteAgo = new Date(Date.now() - 60_000)
    fs.utimesSync(path.join(folder, 'a.csv'), minuteAgo, minuteAgo)
    expect(
      cli(
        'recipe',
        'set',
        'churn',
        '--train-data',
        `folder:${folder}`,
        '--on-new-data',
        '--param',
        'epochs=10',
        '--',
        ...trainCommand(),
      ).status,
    ).toBe(0)
    const child = spawn(
      process.execPath,
      [
        path.resolve(__dirname, '..', '..', 'out', 'node', 'cli.cjs'),
        '--home',
        home.dir,
        '--json',
        'watch',
        '--tick',
        '1',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    )
    try {
      await waitFor(() => stdout.includes('"kind":"start"'))
      const b = path.join(folder, 'b.csv')
      fs.copyFileSync(fixture('data', 'linear_binary-eval.csv'), b)
      const past = new Date(Date.now() - 10_000)
      fs.utimesSync(b, past, past)
      await waitFor(() => stdout.includes('"kind":"finished"'), 60_000)
    } finally {
      child.kill('SIGINT')
    }
    expect(await exited).toBe(0)
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; message: string; runId: number | null })
    expect(lines.map((l) => l.kind)).toEqual(['start', 'new-data', 'finished', 'stop'])
    expect(lines[1]!.message).toBe(`run #1 started: new file b.csv in ${folder}`)
    expect(lines[2]!.message).toBe('run #1 succeeded: churn v2')
  })
})
