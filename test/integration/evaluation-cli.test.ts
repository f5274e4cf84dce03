// The built CLI (out/node/cli.cjs): evaluate, shadow and gate with --json and their exit codes.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Slipway } from '../../src/core/service'
import { registerChurnPair } from '../helpers/home'
import { SCALAR_METRICS } from '../helpers/metrics'

const ROOT = path.join(__dirname, '../..')
const FIX = path.join(ROOT, 'test/fixtures')
const CLI = path.join(ROOT, 'out/node/cli.cjs')
const refs = JSON.parse(fs.readFileSync(path.join(FIX, 'eval/refs.json'), 'utf8')) as {
  models: Record<string, Record<string, number>>
  modelsOnOrt: Record<string, Record<string, number>>
  shadowOnOrt: {
    linear_binary_vs_tree_ensemble: {
      rows: number
      disagreements: number
      agreementRate: number
      meanAbsDiffPositive: number
      maxAbsDiffPositive: number
      mcnemar: { statistic: number; pValue: number }
    }
  }
}
let home: string

const cli = (
  ...args: string[]
): { code: number | null; stdout: string; stderr: string; json: () => Record<string, unknown> } => {
  const run = spawnSync(process.execPath, [CLI, '--home', home, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  })
  return {
    code: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    json: () => JSON.parse(run.stdout) as Record<string, unknown>,
  }
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-eval-cli-'))
  const slipway = new Slipway({ home })
  try {
    await registerChurnPair(slipway)
    await slipway.call('registry:register', {
      file: { path: path.join(FIX, 'models/regression.onnx') },
      model: 'prices',
    })
    await slipway.call('registry:register', {
      file: { path: path.join(FIX, 'models/mlp_multiclass.onnx') },
      model: 'species',
    })
  } finally {
    slipway.close()
  }
})
afterAll(() => fs.rmSync(home, { recursive: true, force: true }))

const CLASSIFICATION_KEYS = [...SCALAR_METRICS, 'confusionMatrix', 'labels']

describe('slipway evaluate', () => {
  it('prints task, rows, metrics and latency with the keys of the contract', () => {
    const run = cli(
      'evaluate',
      'churn@2',
      '--data',
      path.join(FIX, 'data/tree_ensemble-eval.csv'),
      '--json',
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const out = run.json()
    expect(out.task).toBe('classification')
    const tree = refs.models.tree_ensemble! as Record<string, unknown>
    expect(out.rows).toBe((tree.predicted as string[]).length)
    const metrics = out.metrics as Record<string, unknown>
    expect(Object.keys(metrics).sort()).toEqual([...CLASSIFICATION_KEYS].sort())
    expect(metrics.accuracy).toBeCloseTo(refs.models.tree_ensemble!.accuracy!, 12)
    expect(metrics.f1).toBeCloseTo(refs.models.tree_ensemble!.f1!, 12)
    expect(metrics.labels).toEqual(tree.labels)
    expect(metrics.confusionMatrix).toEqual(tree.confusionMatrix)
    expect(Object.keys(out.latency as object).sort()).toEqual([
      'p50Ms',
      'p95Ms',
      'p99Ms',
      'rowsPerSecond',
    ])
  })

  it('regression keys; a dataset by name', () => {
    const first = cli(
      'evaluate',
      'prices',
      '--data',
      path.join(FIX, 'data/regression-eval.csv'),
      '--json',
    )
    expect(first.code).toBe(0)
    const again = cli('evaluate', 'prices@latest', '--data', 'regression-eval', '--json')
    expect(again.code).toBe(0)
    const metrics = again.json().metrics as Record<string, number>
    expect(Object.keys(metrics).sort()).toEqual(['mae', 'mape', 'r2', 'rmse'])
    expect(Math.abs(metrics.r2! - refs.models.regression!.r2!)).toBeLessThan(1e-6)
    expect(again.json().metrics).toEqual(first.json().metrics)
  })

  it('--map with a column the data lacks: exit 1 and a message naming it', () => {
    const run = cli(
      'evaluate',
      'churn@1',
      '--data',
      path.join(FIX, 'data/linear_binary-eval.csv'),
      '--map',
      '0=age',
      '--map',
      '1=salary',
      '--map',
      '2=tenure',
      '--map',
      '3=balance',
    )
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/has no column "salary"/)
  })

  it('a missing data file or dataset: exit 1, JSON error with --json', () => {
    const run = cli('evaluate', 'churn@1', '--data', 'no-such-file.csv', '--json')
    expect(run.code).toBe(1)
    expect(run.json()).toMatchObject({
      error: {
        code: 'NOT_FOUND',
        message:
          '--data no-such-file.csv: no such file, and no imported dataset with that id or name',
      },
    })
  })
})

describe('slipway shadow', () => {
  it('prints the comparison keys', () => {
    const run = cli(
      'shadow',
      'churn@champion',
      'churn@2',
      '--data',
      path.join(FIX, 'data/linear_binary-eval.csv'),
      '--json',
    )
    expect(run.code).toBe(0)
    const out = run.json()
    for (const key of [
      'rows',
      'agreementRate',
      'disagreements',
      'meanAbsDiffPositive',
      'maxAbsDiffPositive',
      'mcnemar',
      'flipMatrix',
      'topDisagreements',
    ]) {
      expect(out, key).toHaveProperty(key)
    }
    expect(Object.keys(out.mcnemar as object).sort()).toEqual(['pValue', 'statistic'])
    // the numbers are scipy's on onnxruntime's outputs (eval/refs.json, shadowOnOrt)
    const ref = refs.shadowOnOrt.linear_binary_vs_tree_ensemble
    expect(out.rows).toBe(ref.rows)
    expect(out.disagreements).toBe(ref.disagreements)
    expect(out.agreementRate as number).toBeCloseTo(ref.agreementRate, 12)
    expect(out.meanAbsDiffPositive as number).toBeCloseTo(ref.meanAbsDiffPositive, 9)
    expect(out.maxAbsDiffPositive as number).toBeCloseTo(ref.maxAbsDiffPositive, 9)
    const mcnemar = out.mcnemar as { statistic: number; pValue: number }
    expect(mcnemar.statistic).toBe(ref.mcnemar.statistic)
    expect(Math.abs(mcnemar.pValue - ref.mcnemar.pValue)).toBeLessThanOrEqual(
      1e-9 * ref.mcnemar.pValue,
    )
    expect((out.topDisagreements as unknown[]).length).toBe(20)
  })

  it('multiclass gives total variation instead', () => {
    const run = cli(
      'shadow',
      'species@1',
      'species@1',
      '--data',
      path.join(FIX, 'data/mlp_multiclass-eval.csv'),
      '--json',
    )
    expect(run.code).toBe(0)
    expect(run.json()).toMatchObject({ agreementRate: 1, meanTotalVariation: 0, disagreements: 0 })
  })
})

describe('slipway gate', () => {
  const policyFile = (policy: unknown): string => {
    const file = path.join(home, `policy-${Math.random().toString(36).slice(2)}.json`)
    fs.writeFileSync(file, JSON.stringify(policy))
    return file
  }
  const data = path.join(FIX, 'data/linear_binary-eval.csv')

  it('exit 0 when every rule passes', () => {
    const file = policyFile({
      rules: [{ metric: 'accuracy', threshold: 0.5, greaterIsBetter: true }],
      latencyP95MaxMs: 5000,
    })
    const run = cli('gate', 'churn@2', '--data', data, '--policy', file, '--json')
    expect(run.code).toBe(0)
    expect(run.json()).toMatchObject({ passed: true, baseline: { version: 1 } })
  })

  it('exit 3 when a rule fails, with the rule, value, baseline and why', () => {
    const file = policyFile({
      rules: [{ metric: 'logLoss', minRelativeChange: 0.5, greaterIsBetter: false }],
    })
    const run = cli('gate', 'churn@2', '--data', data, '--policy', file, '--save-policy')
    expect(run.code).toBe(3)
    expect(run.stdout).toMatch(/FAILED/)
    expect(run.stdout).toMatch(/misses the champion's/)
    // the saved policy is used without --policy
    const stored = cli('gate', 'churn@2', '--data', data, '--json')
    expect(stored.code).toBe(3)
    const rules = stored.json().rules as {
      metric: string
      passed: boolean
      value: number
      baseline: number
    }[]
    expect(rules[0]).toMatchObject({ metric: 'logLoss', passed: false })
    // champion v1 and candidate v2 log loss: sklearn's on onnxruntime's outputs
    expect(rules[0]!.baseline).toBeCloseTo(refs.modelsOnOrt.linear_binary!.logLoss!, 9)
    expect(rules[0]!.value).toBeCloseTo(refs.modelsOnOrt.tree_ensemble!.logLoss!, 9)
  })

  it('exit 1 on a malformed policy file', () => {
    const file = policyFile({ rules: [{ metric: 'accuracy', threshold: 'high' }] })
    const run = cli('gate', 'churn@2', '--data', data, '--policy', file)
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/not a gate policy/)
  })
})
