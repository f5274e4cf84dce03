// The evaluation runner on the real fixture models (onnxruntime-node, float32) against the
// scikit-learn metrics of the same models (test/fixtures/eval/refs.json, models section).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ClassificationMetrics, RegressionMetrics } from '../../src/api/evaluation'
import { evaluate, readDataset, buildResult, mappingFor } from '../../src/core/evaluation/evaluate'
import { positiveClassOf, resolveLabel } from '../../src/core/evaluation/mapping'
import { runModel } from '../../src/core/evaluation/run'
import { inspectOnnxFile } from '../../src/core/onnx'
import { shadow } from '../../src/core/shadow/compare'
import { LABEL_METRICS, PROBA_METRICS } from '../helpers/metrics'

const FIX = path.join(__dirname, '../fixtures')
const refs = JSON.parse(fs.readFileSync(path.join(FIX, 'eval/refs.json'), 'utf8')) as {
  models: Record<string, Record<string, unknown>>
  modelsOnOrt: Record<string, Record<string, unknown>>
  shadowOnOrt: {
    linear_binary_vs_tree_ensemble: {
      meanAbsDiffPositive: number
      maxAbsDiffPositive: number
      mcnemar: { b: number; c: number; pValue: number }
    }
  }
  businessValueOnOrt: Record<
    string,
    { atDefault: number; bestThreshold: number | null; bestValue: number }
  >
}
const ctx = { progress: () => {}, cancelled: () => false }

const model = async (name: string) => {
  const modelPath = path.join(FIX, 'models', `${name}.onnx`)
  return {
    modelPath,
    modelLabel: `${name} v1`,
    onnx: await inspectOnnxFile(modelPath, `${name}.onnx`),
  }
}
const csv = (name: string) => ({
  datasetPath: path.join(FIX, 'data', `${name}-eval.csv`),
  datasetName: `${name}-eval.csv`,
})

/** float32 inference against sklearn's float64: relative 1e-6, absolute 1e-6 near zero. */
const near = (actual: number | null, expected: unknown, tol = 1e-6): void => {
  expect(actual).not.toBeNull()
  const e = expected as number
  expect(Math.abs(actual! - e)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)))
}

const CLASSIFIERS = ['linear_binary', 'linear_nometa', 'tree_ensemble', 'mlp_multiclass']

describe('fixture models evaluated with onnxruntime equal scikit-learn', () => {
  it.each(CLASSIFIERS)('%s', async (name) => {
    const expected = refs.models[name]!
    const m = await model(name)
    const { table } = await readDataset(csv(name).datasetPath, csv(name).datasetName, ctx)
    const label = resolveLabel(table, m.onnx, undefined, 'eval.csv')!
    const mapping = mappingFor(table, m, label, null, 'eval.csv')
    // One batch, as dump_ort_outputs.mjs ran it: ORT's tree ensemble sums in a batch-size
    // dependent order, so float32 probabilities can differ in the last bit between batchings.
    const run = await runModel(table, { ...m, mapping, batchSize: 4096 }, ctx)
    // Predicted labels are identical to sklearn's predict.
    const predicted = Array.from(run.predicted!.codes, (c) => run.predicted!.names[c])
    expect(predicted).toEqual(expected.predicted)
    const result = buildResult(
      table,
      run,
      { label, positiveLabel: positiveClassOf(m.onnx) },
      { readMs: 0, startedAt: 0 },
    )
    const metrics = result.metrics as ClassificationMetrics
    // Label metrics depend only on labels: exact.
    for (const key of LABEL_METRICS) {
      if (key in expected && expected[key] !== null)
        expect(metrics[key], key).toBeCloseTo(expected[key] as number, 12)
      else expect(metrics[key], key).toBeNull()
    }
    // On exactly ORT's float32 outputs, sklearn and Slipway agree to the last digits.
    const onOrt = refs.modelsOnOrt[name]!
    for (const key of PROBA_METRICS) near(metrics[key], onOrt[key], 1e-12)
    // Against sklearn's own float64 predictions: float32 rounding moves log loss and Brier by
    // ~1e-7, and can turn near-equal scores into ties, which moves rank metrics a little more.
    for (const key of PROBA_METRICS) {
      near(metrics[key], expected[key], key === 'rocAuc' || key === 'prAuc' ? 5e-4 : 1e-6)
    }
    expect(metrics.confusionMatrix).toEqual(expected.confusionMatrix)
    expect(metrics.labels).toEqual(expected.labels)
    expect(result.rows).toBe(table.rowCount)
    expect(result.latency.p95Ms).toBeGreaterThan(0)
    expect(result.latency.batch.count).toBe(1)
    expect(result.operational.modelLoadMs).toBeGreaterThan(0)
    expect(result.operational.peakRssBytes).toBeGreaterThan(0)
    if (name === 'mlp_multiclass') {
      expect(result.charts.roc).toHaveLength(3)
      expect(result.reasons.f1).toMatch(/binary only/)
    } else {
      expect(result.positiveLabel).toBe('1')
      // sklearn's roc_curve (drop_intermediate) on ORT's own outputs, point for point
      const roc = onOrt.rocCurve as { fpr: number[]; tpr: number[] }
      const drawn = result.charts.roc[0]!
      expect(drawn.thinned).toBe(false)
      expect(drawn.x).toHaveLength(roc.fpr.length)
      drawn.x.forEach((x, i) => expect(Math.abs(x - roc.fpr[i]!)).toBeLessThanOrEqual(1e-12))
      drawn.y.forEach((y, i) => expect(Math.abs(y - roc.tpr[i]!)).toBeLessThanOrEqual(1e-12))
      expect(result.charts.calibration!.counts.reduce((a, b) => a + b, 0)).toBe(table.rowCount)
    }
  })

  it('regression', async () => {
    const expected = refs.models.regression!
    const out = await evaluate({ ...(await model('regression')), ...csv('regression') }, ctx)
    expect(out.result.task).toBe('regression')
    expect(out.mapping.label).toBe('target')
    const metrics = out.result.metrics as RegressionMetrics
    for (const key of ['mae', 'rmse', 'r2', 'mape'] as const)
      near(metrics[key], expected[key], 1e-5)
    expect(out.result.charts.residualHistogram!.counts.reduce((a, b) => a + b, 0)).toBe(600)
    expect(out.result.charts.predictedVsActual!.actual).toHaveLength(600)
  })

  it('a model without metadata takes the numeric non-label columns in file order', async () => {
    const out = await evaluate({ ...(await model('linear_nometa')), ...csv('linear_nometa') }, ctx)
    expect(out.mapping.source).toBe('numeric_columns')
    expect(out.mapping.inputs[0]!.columns).toEqual(['x0', 'x1', 'x2'])
    expect(out.mapping.label).toBe('label')
    // its int64 labels 0/1 agree with the probability columns 0..1: nothing to warn about
    expect(out.result.warnings).toEqual([])
  })

  it('an explicit mapping naming a missing column is refused, naming it', async () => {
    const m = await model('linear_nometa')
    await expect(
      evaluate(
        { ...m, ...csv('linear_nometa'), mapping: { '0': 'x0', '1': 'x1', '2': 'nope' } },
        ctx,
      ),
    ).rejects.toThrow(/no column "nope"/)
    await expect(
      evaluate({ ...m, ...csv('linear_nometa'), mapping: { '0': 'x0', '1': 'x1' } }, ctx),
    ).rejects.toThrow(/Feature 2 of model input "float_input" is not mapped/)
    // a reversed explicit mapping is used as given: worse accuracy than the right one
    const reversed = await evaluate(
      { ...m, ...csv('linear_nometa'), mapping: { '0': 'x2', '1': 'x1', '2': 'x0' } },
      ctx,
    )
    expect(reversed.mapping.source).toBe('explicit')
    expect((reversed.result.metrics as ClassificationMetrics).accuracy).not.toBe(
      refs.models.linear_nometa!.accuracy,
    )
  })

  it('a dataset missing a feature column is refused with MAPPING_INVALID naming it', async () => {
    // the multiclass data has f0..f5, not the binary model's age/income/…
    await expect(
      evaluate({ ...(await model('linear_binary')), ...csv('mlp_multiclass') }, ctx),
    ).rejects.toMatchObject({
      code: 'MAPPING_INVALID',
      message: expect.stringMatching(/no column "age"/),
    })
  })

  it('slices a regression: one slice of every row has the metrics of the whole', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-eval-slices-'))
    try {
      const lines = fs
        .readFileSync(path.join(FIX, 'data', 'regression-eval.csv'), 'utf8')
        .trim()
        .split('\n')
      const file = path.join(dir, 'regression-sliced.csv')
      fs.writeFileSync(
        file,
        lines
          .map(
            (line, i) => `${line},${i === 0 ? 'everyone,parity' : `all,${i % 2 ? 'odd' : 'even'}`}`,
          )
          .join('\n') + '\n',
      )
      const run = async (slice: string) =>
        (
          await evaluate(
            { ...(await model('regression')), datasetPath: file, datasetName: 'r.csv', slice },
            ctx,
          )
        ).result
      const whole = await run('everyone')
      expect(whole.slices!.rows).toHaveLength(1)
      expect(whole.slices!.rows[0]!.rows).toBe(whole.rows)
      const metrics = whole.metrics as RegressionMetrics
      for (const key of ['mae', 'rmse', 'r2'] as const)
        expect(whole.slices!.rows[0]!.metrics[key]).toBe(metrics[key])
      const halves = await run('parity')
      expect(halves.slices!.rows.map((row) => row.value).sort()).toEqual(['even', 'odd'])
      expect(halves.slices!.rows.reduce((sum, row) => sum + row.rows, 0)).toBe(whole.rows)
      expect(halves.slices!.rows[0]!.metrics.mae).not.toBe(metrics.mae)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('slices and business value on the binary model', async () => {
    const out = await evaluate(
      {
        ...(await model('linear_binary')),
        ...csv('linear_binary'),
        slice: 'label',
        costMatrix: { tp: 100, fp: -10, tn: 0, fn: -40 },
      },
      ctx,
    )
    const slices = out.result.slices!
    expect(slices.rows.map((r) => r.value)).toEqual(['0', '1'])
    expect(slices.rows.reduce((a, r) => a + r.rows, 0)).toBe(800)
    expect(slices.rows[1]!.metrics.recall).toBeCloseTo(
      refs.models.linear_binary!.recall as number,
      12,
    )
    const bv = out.result.businessValue!
    const bvRef = refs.businessValueOnOrt.linear_binary!
    expect(bv.atDefault).toBeCloseTo(bvRef.atDefault, 9)
    expect(bv.bestValue).toBeCloseTo(bvRef.bestValue, 9)
    expect(bv.bestThreshold).toBeCloseTo(bvRef.bestThreshold!, 6)
    expect(bv.curve).toHaveLength(101)
  })

  it('cancellation stops between batches', async () => {
    let batches = 0
    const cancelling = { progress: () => void batches++, cancelled: () => batches >= 2 }
    await expect(
      evaluate(
        { ...(await model('linear_binary')), ...csv('linear_binary'), batchSize: 50 },
        cancelling,
      ),
    ).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(batches).toBeLessThan(10)
  })
})

describe('shadow comparison on real models', () => {
  it('linear vs tree ensemble on the same rows', async () => {
    const out = await shadow(
      {
        champion: await model('linear_binary'),
        challenger: await model('tree_ensemble'),
        ...csv('linear_binary'),
        slice: 'label',
      },
      ctx,
    )
    const r = out.result
    const lin = refs.models.linear_binary!.predicted as string[]
    const tree = refs.models.tree_ensemble!.predicted as string[]
    const truth = fs
      .readFileSync(csv('linear_binary').datasetPath, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').at(-1)!)
    const disagreements = lin.filter((v, i) => v !== tree[i]).length
    expect(r.disagreements).toBe(disagreements)
    expect(r.agreementRate).toBeCloseTo(1 - disagreements / 800, 12)
    expect(r.flipMatrix[0]![1]! + r.flipMatrix[1]![0]!).toBe(disagreements)
    let b = 0
    let c = 0
    lin.forEach((v, i) => {
      if (v === truth[i] && tree[i] !== truth[i]) b++
      if (v !== truth[i] && tree[i] === truth[i]) c++
    })
    expect(r.mcnemar).toMatchObject({ b, c, statistic: Math.min(b, c) })
    // scipy's exact binomial p-value and the probability gaps, on onnxruntime's own outputs
    const ref = refs.shadowOnOrt.linear_binary_vs_tree_ensemble
    expect({ b, c }).toEqual({ b: ref.mcnemar.b, c: ref.mcnemar.c })
    expect(Math.abs(r.mcnemar!.pValue - ref.mcnemar.pValue)).toBeLessThanOrEqual(
      1e-9 * ref.mcnemar.pValue,
    )
    expect(r.topDisagreements).toHaveLength(20)
    expect(r.topDisagreements[0]!.championLabel).not.toBe(r.topDisagreements[0]!.challengerLabel)
    expect(Object.keys(r.topDisagreements[0]!.features)).toEqual([
      'age',
      'income',
      'tenure',
      'balance',
    ])
    expect(r.metrics!.delta.accuracy).toBeCloseTo(
      (refs.models.tree_ensemble!.accuracy as number) -
        (refs.models.linear_binary!.accuracy as number),
      12,
    )
    near(r.meanAbsDiffPositive, ref.meanAbsDiffPositive, 1e-9)
    near(r.maxAbsDiffPositive, ref.maxAbsDiffPositive, 1e-9)
    expect(r.deltaHistogram!.counts.reduce((a, x) => a + x, 0)).toBe(800)
    // sliced by the label: rows per slice are the confusion matrix's row sums
    const cm = refs.models.linear_binary!.confusionMatrix as number[][]
    expect(r.slices!.rows.map((s) => [s.value, s.rows])).toEqual([
      ['0', cm[0]![0]! + cm[0]![1]!],
      ['1', cm[1]![0]! + cm[1]![1]!],
    ])
    expect(r.latency.champion.p50Ms).toBeGreaterThan(0)
  })

  it('a model compared with itself agrees everywhere', async () => {
    const m = await model('mlp_multiclass')
    const out = await shadow({ champion: m, challenger: m, ...csv('mlp_multiclass') }, ctx)
    expect(out.result.agreementRate).toBe(1)
    expect(out.result.meanTotalVariation).toBe(0)
    expect(out.result.mcnemar).toMatchObject({ statistic: 0, pValue: 1 })
    expect(out.result.topDisagreements).toHaveLength(0)
  })
})
