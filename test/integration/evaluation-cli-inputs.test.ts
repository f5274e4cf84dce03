// Evaluate, shadow and gate as a user drives them: the built CLI on a real registry home,
// real ONNX fixtures; every number from scikit-learn (eval/generate_qa_refs.py, eval/refs.json).
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Slipway } from '../../src/core/service'
import { runCli, type CliRun } from '../helpers/cli'
import { fixture, registerChurnPair, storedCounts, tempHome } from '../helpers/home'

interface SliceRef {
  rows: number
  accuracy: number
  f1: number
  rocAuc: number
}
const qaRefs = JSON.parse(fs.readFileSync(fixture('eval', 'qa-refs.json'), 'utf8')) as {
  boolLabels: {
    accuracy: number
    f1: number
    rocAuc: number
    logLoss: number
    confusionMatrix: number[][]
  }
  slices: Record<string, SliceRef>
  shadowSliceDeltas: Record<string, SliceRef>
}
const refs = JSON.parse(fs.readFileSync(fixture('eval', 'refs.json'), 'utf8')) as {
  modelsOnOrt: Record<string, Record<string, number>>
  businessValueOnOrt: Record<
    string,
    {
      atDefault: number
      bestThreshold: number
      bestValue: number
      cost: { tp: number; fp: number; tn: number; fn: number }
    }
  >
}

let home: { dir: string; cleanup: () => void }
const cli = (...args: string[]): CliRun => runCli(['--home', home.dir, ...args])
const json = (run: CliRun): Record<string, unknown> => run.json() as Record<string, unknown>

/** Rows, blobs and results a failed command must not add. */
function stored(): Record<string, number> {
  return storedCounts(home.dir, {
    datasets: 'datasets',
    evaluations: 'evaluations',
    shadows: 'shadow_comparisons',
    gateReports: 'gate_reports',
    policies: 'gate_policies',
  })
}

/** linear_binary's eval rows with a column written in front: cell(i) for data row i (0-based). */
function evalCsvWith(
  name: string,
  header: string,
  cell: (i: number, label: string) => string,
): string {
  const [, ...rows] = fs
    .readFileSync(fixture('data', 'linear_binary-eval.csv'), 'utf8')
    .trimEnd()
    .split('\n')
  const file = path.join(home.dir, name)
  const lines = rows.map((r, i) => `${cell(i, r.slice(r.lastIndexOf(',') + 1))},${r}`)
  fs.writeFileSync(file, `${header},age,income,tenure,balance,label\n${lines.join('\n')}\n`)
  return file
}

/** The slice column generate_qa_refs.py describes: empty every 7th row, else a/b by parity. */
const sliceCell = (i: number): string => (i % 7 === 0 ? '' : 'ab'[i % 2]!)

beforeAll(async () => {
  home = tempHome('slipway-qa-eval-')
  const slipway = new Slipway({ home: home.dir })
  try {
    await registerChurnPair(slipway)
    await slipway.call('registry:register', {
      file: { path: fixture('models', 'regression.onnx') },
      model: 'prices',
    })
    await slipway.call('registry:register', {
      file: { path: fixture('models', 'mlp_multiclass.onnx') },
      model: 'species',
    })
  } finally {
    slipway.close()
  }
})
afterAll(() => home.cleanup())

describe('evaluate --json prints what --slice and --cost asked for', () => {
  it('per-slice metrics (missing cells as their own slice) and the business value', () => {
    const data = evalCsvWith('segments.csv', 'segment', sliceCell)
    const bv = refs.businessValueOnOrt.linear_binary!
    const { tp, fp, tn, fn } = bv.cost
    const run = cli(
      'evaluate',
      'churn@1',
      '--data',
      data,
      '--slice',
      'segment',
      '--cost',
      `${tp},${fp},${tn},${fn}`,
      '--json',
    )
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const out = json(run)
    const slices = out.slices as {
      column: string
      rows: { value: string | null; rows: number; metrics: Record<string, number> }[]
    }
    expect(slices.column).toBe('segment')
    expect(slices.rows.map((s) => s.value ?? '(missing)').sort()).toEqual(
      Object.keys(qaRefs.slices).sort(),
    )
    for (const s of slices.rows) {
      const ref = qaRefs.slices[s.value ?? '(missing)']!
      expect(s.rows).toBe(ref.rows)
      for (const k of ['accuracy', 'f1', 'rocAuc'] as const)
        expect(Math.abs(s.metrics[k]! - ref[k]), `${s.value} ${k}`).toBeLessThan(1e-12)
    }
    const value = out.businessValue as {
      atDefault: number
      bestValue: number
      bestThreshold: number
    }
    expect(value.atDefault).toBeCloseTo(bv.atDefault, 9)
    expect(value.bestValue).toBeCloseTo(bv.bestValue, 9)
    expect(value.bestThreshold).toBeCloseTo(bv.bestThreshold, 6)
  })
})

describe('shadow prints the per-slice deltas and both latency profiles', () => {
  it('--json carries slices with challenger − champion deltas and latency side by side', () => {
    const data = evalCsvWith('segments-shadow.csv', 'segment', sliceCell)
    const run = cli('shadow', 'churn@1', 'churn@2', '--data', data, '--slice', 'segment', '--json')
    expect(run.status).toBe(0)
    const out = json(run)
    const slices = out.slices as {
      rows: { value: string | null; rows: number; delta: Record<string, number> }[]
    }
    expect(slices.rows).toHaveLength(3)
    for (const s of slices.rows) {
      const ref = qaRefs.shadowSliceDeltas[s.value ?? '(missing)']!
      expect(s.rows).toBe(ref.rows)
      for (const k of ['accuracy', 'f1', 'rocAuc'] as const)
        expect(Math.abs(s.delta[k]! - ref[k]), `${s.value} ${k}`).toBeLessThan(1e-12)
    }
    const latency = out.latency as Record<string, Record<string, number>>
    for (const side of ['champion', 'challenger']) {
      expect(Object.keys(latency[side]!).sort()).toEqual([
        'p50Ms',
        'p95Ms',
        'p99Ms',
        'rowsPerSecond',
      ])
    }
    const text = cli('shadow', 'churn@1', 'churn@2', '--data', data, '--slice', 'segment')
    expect(text.status).toBe(0)
    expect(text.stdout).toMatch(/Slices by segment/)
    expect(text.stdout).toMatch(/^\(missing\)\s+115\s/m)
    expect(text.stdout).toMatch(/^champion\s+[\d.]+ ms/m)
    expect(text.stdout).toMatch(/^challenger\s+[\d.]+ ms/m)
  })
})

describe('a true/false label column against a model with classes 0 and 1', () => {
  it('reads true as 1 and false as 0, as scikit-learn compares bool with int labels', () => {
    const [header, ...rows] = fs
      .readFileSync(fixture('data', 'linear_binary-eval.csv'), 'utf8')
      .trimEnd()
      .split('\n')
    const file = path.join(home.dir, 'churned-bool.csv')
    const relabel = (r: string): string =>
      `${r.slice(0, r.lastIndexOf(','))},${r.endsWith(',1') ? 'true' : 'false'}`
    fs.writeFileSync(file, `${header}\n${rows.map(relabel).join('\n')}\n`)
    const run = cli('evaluate', 'churn@1', '--data', file, '--json')
    expect(run.status).toBe(0)
    const out = json(run)
    expect(out.warnings).toEqual([])
    const m = out.metrics as Record<string, unknown>
    const ref = qaRefs.boolLabels
    expect(m.labels).toEqual(['0', '1'])
    expect(m.confusionMatrix).toEqual(ref.confusionMatrix)
    expect(Math.abs((m.accuracy as number) - ref.accuracy)).toBeLessThan(1e-12)
    expect(Math.abs((m.f1 as number) - ref.f1)).toBeLessThan(1e-12)
    expect(Math.abs((m.rocAuc as number) - ref.rocAuc)).toBeLessThan(1e-12)
    expect(Math.abs((m.logLoss as number) - ref.logLoss)).toBeLessThan(1e-12)
  })
})

describe('gate policies naming something that is not a metric', () => {
  const data = fixture('data', 'linear_binary-eval.csv')
  it.each([
    ['confusionMatrix', 'confusionMatrix'],
    ['a key every object has', 'constructor'],
    ['__proto__', '__proto__'],
    ['a latency field that is not a figure', 'latency.batch'],
  ])('%s: exit 1 naming the file and the rule, nothing imported or stored', (_, metric) => {
    const before = stored()
    const file = path.join(home.dir, `policy-${metric.replace(/\W/g, '')}.json`)
    fs.writeFileSync(
      file,
      JSON.stringify({ rules: [{ metric, threshold: 0.5, greaterIsBetter: true }] }),
    )
    const run = cli('gate', 'churn@2', '--data', data, '--policy', file, '--save-policy')
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(
      `${file}: rule 1 names metric "${metric}", which no evaluation has`,
    )
    expect(stored()).toEqual(before)
  })

  it('the registry refuses to store such a policy, and a gate call with one fails at once', async () => {
    const slipway = new Slipway({ home: home.dir })
    try {
      const policy = { rules: [{ metric: 'labels', threshold: 1, greaterIsBetter: true }] }
      await expect(slipway.call('gates:set-policy', { model: 'churn', policy })).rejects.toThrow(
        /rule 1 names metric "labels", which no evaluation has/,
      )
      await expect(
        slipway.call('gates:check', {
          model: 'churn',
          ref: 2,
          dataset: { path: fixture('data', 'linear_binary-eval.csv') },
          policy,
        }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    } finally {
      slipway.close()
    }
  })
})

describe('a label column the model also takes as an input', () => {
  it('is refused naming file, column and input; the imported file is not kept', () => {
    const before = stored()
    const file = path.join(home.dir, 'ages.csv')
    fs.copyFileSync(fixture('data', 'linear_binary-eval.csv'), file)
    const run = cli('evaluate', 'churn@1', '--data', file, '--label', 'age', '--json')
    expect(run.status).toBe(1)
    expect(json(run)).toEqual({
      error: {
        code: 'MAPPING_INVALID',
        message:
          'ages: label column "age" is also fed to model input "input"; choose the column that holds the truth as the label column (--label in the CLI)',
      },
    })
    expect(stored()).toEqual(before)
  })
})

describe('regression truth that cannot be measured', () => {
  const regressionCsv = (name: string, target: (i: number, value: string) => string): string => {
    const [header, ...rows] = fs
      .readFileSync(fixture('data', 'regression-eval.csv'), 'utf8')
      .trimEnd()
      .split('\n')
    const file = path.join(home.dir, name)
    const lines = rows.map((r, i) => {
      const cut = r.lastIndexOf(',')
      return `${r.slice(0, cut)},${target(i, r.slice(cut + 1))}`
    })
    fs.writeFileSync(file, `${header}\n${lines.join('\n')}\n`)
    return file
  }

  it('an explicit NaN target is named as such, not as an infinity', () => {
    const file = regressionCsv('nan-target.csv', (i, v) => (i === 3 ? 'NaN' : v))
    const run = cli('evaluate', 'prices', '--data', file, '--json')
    expect(run.status).toBe(0)
    const out = json(run)
    expect(out.metrics).toEqual({ mae: null, rmse: null, r2: null, mape: null })
    expect((out.reasons as Record<string, string>).rmse).toBe('1 row(s) have NaN as their target')
  })

  it('a text target is refused naming the dataset and column, storing nothing', () => {
    const before = stored()
    const file = regressionCsv('words.csv', (i) => (i % 2 ? 'cheap' : 'dear'))
    const run = cli('evaluate', 'prices', '--data', file)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(
      'words: label column "target" is categorical; a regression model needs numbers',
    )
    expect(stored()).toEqual(before)
  })
})

describe('a header written with a space after each comma ("age, income, …")', () => {
  it('says which column only looks like the one it needs, and keeps nothing', () => {
    const before = stored()
    const text = fs.readFileSync(fixture('data', 'linear_binary-eval.csv'), 'utf8')
    const file = path.join(home.dir, 'spaced.csv')
    fs.writeFileSync(file, text.replace(/,/g, ', '))
    const run = cli('evaluate', 'churn@1', '--data', file, '--json')
    expect(run.status).toBe(1)
    expect((json(run).error as { message: string }).message).toBe(
      'spaced: no label column (the model\'s label_column "label" is not among the columns, and there is no "target" column either); column " label" differs from it only by spaces or case; choose the label column (--label in the CLI)',
    )
    const mapped = cli('evaluate', 'churn@1', '--data', file, '--label', ' label')
    expect(mapped.status).toBe(1)
    expect(mapped.stderr).toContain(
      'spaced: has no column "income" (needed for model input "input"); column " income" differs from it only by spaces or case',
    )
    expect(stored()).toEqual(before)
  })
})

describe('gate --save-policy', () => {
  it('stores nothing, the policy included, when the check fails on its data (exit 1)', () => {
    const before = stored()
    const policy = path.join(home.dir, 'policy-ok.json')
    fs.writeFileSync(
      policy,
      JSON.stringify({ rules: [{ metric: 'accuracy', threshold: 0.5, greaterIsBetter: true }] }),
    )
    const empty = path.join(home.dir, 'empty.csv')
    fs.writeFileSync(empty, '')
    const run = cli('gate', 'churn@2', '--data', empty, '--policy', policy, '--save-policy')
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('empty.csv: the file is empty')
    expect(stored()).toEqual(before)
    const alone = cli('gate', 'churn@2', '--data', empty, '--save-policy')
    expect(alone.status).toBe(1)
    expect(alone.stderr).toContain('--save-policy needs the policy file')
  })
})

describe('dataset show', () => {
  it('says how many infinities sit beside min/mean/max, which leave them out', () => {
    const file = path.join(home.dir, 'with-inf.csv')
    fs.writeFileSync(file, 'x,y\n1,0\n-inf,1\nInfinity,0\nNaN,1\n4,1\n')
    expect(cli('dataset', 'add', file).status).toBe(0)
    const run = cli('dataset', 'show', 'with-inf')
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/^x\s+numeric\s+0 \(\+1 NaN\) \(\+2 ±inf\)\s/m)
  })
})

describe('shadow of two models whose inputs differ', () => {
  it('says which side cannot read the data, and keeps nothing', () => {
    const before = stored()
    const file = path.join(home.dir, 'churn-rows.csv')
    fs.copyFileSync(fixture('data', 'linear_binary-eval.csv'), file)
    const run = cli('shadow', 'churn@1', 'species@1', '--data', file)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(
      'challenger species v1: churn-rows: has no column "f0" (needed for model input "input")',
    )
    expect(stored()).toEqual(before)
  })
})

describe('evaluate with a label column of measurements', () => {
  it('does not print a confusion matrix of hundreds of labels on the terminal', async () => {
    const slipway = new Slipway({ home: home.dir })
    try {
      await slipway.call('registry:register', {
        file: { path: fixture('models', 'linear_nometa.onnx') },
        model: 'nometa',
      })
    } finally {
      slipway.close()
    }
    // --label x0: the auto mapping then takes x1, x2 and the old label column (3 numeric columns)
    const run = cli(
      'evaluate',
      'nometa',
      '--data',
      fixture('data', 'linear_nometa-eval.csv'),
      '--label',
      'x0',
    )
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(
      /^Confusion matrix: \d{3} labels, too many to print \(see --json\)$/m,
    )
    expect(run.stdout.split('\n').every((line) => line.length < 400)).toBe(true)
  })
})

describe('gate baseline', () => {
  it('does not reuse a champion evaluation made with a hand-written column mapping', async () => {
    const own = tempHome('slipway-qa-gate-')
    try {
      const slipway = new Slipway({ home: own.dir })
      try {
        await registerChurnPair(slipway)
      } finally {
        slipway.close()
      }
      const data = fixture('data', 'linear_binary-eval.csv')
      const run = (...args: string[]): CliRun => runCli(['--home', own.dir, ...args])
      // the champion once evaluated with its columns in the wrong order, on purpose
      const swapped = ['0=balance', '1=tenure', '2=income', '3=age'].flatMap((m) => ['--map', m])
      expect(run('evaluate', 'churn@champion', '--data', data, ...swapped).status).toBe(0)
      const policy = path.join(own.dir, 'policy.json')
      fs.writeFileSync(
        policy,
        JSON.stringify({
          rules: [{ metric: 'accuracy', minAbsoluteChange: 0.01, greaterIsBetter: true }],
        }),
      )
      const gate = run('gate', 'churn@2', '--data', data, '--policy', policy, '--json')
      expect(gate.status).toBe(0)
      const rule = (json(gate).rules as { baseline: number }[])[0]!
      // linear_binary's accuracy with its own columns: sklearn on onnxruntime's outputs
      expect(Math.abs(rule.baseline - refs.modelsOnOrt.linear_binary!.accuracy!)).toBeLessThan(
        1e-12,
      )
    } finally {
      own.cleanup()
    }
  })
})
