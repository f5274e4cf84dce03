// "Is it still working?" through the service with the real linear_binary ONNX model: performance
// first (concept drift degrades it), the target kept out of the features, CBPE's estimate on
// unlabelled data (close on covariate shift, blind to concept drift), PCA multivariate drift, and
// a production log. Numbers from test/fixtures/monitoring/generate.py (sklearn).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DriftReport } from '../../src/api/drift'
import { Slipway } from '../../src/core/service'
import { runCli } from '../helpers/cli'

const fixtures = path.join(__dirname, '..', 'fixtures')
const mon = (name: string): { file: { path: string } } => ({
  file: { path: path.join(fixtures, 'monitoring', name) },
})
interface Metrics {
  accuracy: number
  f1: number
  rocAuc: number
}
interface Side {
  reference: Metrics
  current: Metrics
  cbpe: Metrics
  bands: Record<string, { lower: number; upper: number }>
}
const refs = JSON.parse(
  fs.readFileSync(path.join(fixtures, 'monitoring', 'refs.json'), 'utf8'),
) as {
  concept: Side
  covariate: Side
  rotated: { currentError: number; referenceError: number; components: number }
}

/**
 * How close CBPE's estimated accuracy must be to the realised accuracy under covariate shift only
 * (also in the README): 0.03.
 */
const CBPE_TOLERANCE = 0.03
/** The ONNX model computes in float32; the reference script in float32 numpy. */
const FLOAT32 = 1e-4

let home: string
let slipway: Slipway

beforeEach(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-monitoring-'))
  slipway = new Slipway({ home, actor: 'tester' })
  await slipway.call('registry:register', {
    file: { path: path.join(fixtures, 'models', 'linear_binary.onnx') },
    model: 'churn',
  })
})
afterEach(() => {
  slipway.close()
  fs.rmSync(home, { recursive: true, force: true })
})

async function runDrift(input: unknown): Promise<DriftReport> {
  const job = await slipway.call('drift:start', input)
  const done = await slipway.core.jobs.wait(job.id)
  if (done.status !== 'done') throw new Error(`${done.status}: ${done.error?.message}`)
  return done.result as DriftReport
}

const near = (actual: number | null | undefined, want: number, tol: number): void => {
  expect(actual).not.toBeNull()
  expect(Math.abs(actual! - want), `${actual} vs ${want}`).toBeLessThanOrEqual(tol)
}

describe('performance first', () => {
  it('says "Performance degraded" under concept drift, and the label is the target, not a feature', async () => {
    const report = await runDrift({
      reference: mon('concept_reference.csv'),
      current: mon('concept_current.csv'),
      model: { model: 'churn', ref: 1 },
      settings: { chunks: 4 },
    })
    const p = report.performance!
    expect(p.task).toBe('classification')
    for (const m of ['accuracy', 'f1', 'rocAuc'] as const) {
      near(p.reference[m], refs.concept.reference[m], FLOAT32)
      near(p.current[m], refs.concept.current[m], FLOAT32)
      near(p.thresholds[m]!.lower, refs.concept.bands[m]!.lower, FLOAT32)
    }
    expect(p.degraded).toBe(true)
    expect(p.degradedMetrics[0]).toBe('accuracy')
    near(
      p.change.accuracy,
      refs.concept.current.accuracy - refs.concept.reference.accuracy,
      FLOAT32,
    )
    expect(report.headline).toBe('Performance degraded: accuracy 0.99 → 0.70')
    expect(p.why).toMatch(
      /^Accuracy fell from 0\.99 to 0\.70, beyond the reference chunks' mean ± 3 std/,
    )
    expect(p.windows).toHaveLength(4)
    expect(p.windows.every((w) => w.degraded)).toBe(true)
    // The label is never a feature: its own section, and out of the drift share.
    expect(report.columns.map((c) => c.name)).toEqual(['age', 'income', 'tenure', 'balance'])
    expect(report.testedColumns).toBe(4)
    expect(report.target!.column).toBe('label')
    expect(report.target!.why).toMatch(/decided/)
    // The features kept their distribution: only the relation to the label changed.
    expect(report.datasetDrift).toBe(false)
  })

  it('an absolute drop replaces the chunk rule when set', async () => {
    const report = await runDrift({
      reference: mon('concept_reference.csv'),
      current: mon('concept_current.csv'),
      model: { model: 'churn', ref: 1 },
      settings: { performanceDrop: 0.5 },
    })
    const p = report.performance!
    expect(p.threshold.rule).toBe('absolute-drop')
    expect(p.degraded).toBe(false)
    expect(report.headline).toBe('Performance stable: accuracy 0.99 → 0.70')
  })
})

describe('CBPE without labels', () => {
  it(`estimates accuracy within ${CBPE_TOLERANCE} of the realised one under covariate shift, and says degraded`, async () => {
    const report = await runDrift({
      reference: mon('covariate_reference.csv'),
      current: mon('covariate_current_unlabelled.csv'),
      model: { model: 'churn', ref: 1 },
    })
    expect(report.performance).toBeNull()
    const e = report.estimatedPerformance!
    expect(e.method).toBe('CBPE')
    for (const m of ['accuracy', 'f1', 'rocAuc'] as const)
      near(e.metrics[m], refs.covariate.cbpe[m], FLOAT32)
    near(e.metrics.accuracy, refs.covariate.current.accuracy, CBPE_TOLERANCE)
    near(e.lower, refs.covariate.bands.accuracy!.lower, FLOAT32)
    expect(e.degraded).toBe(true)
    expect(report.headline).toMatch(/^Estimated performance degraded: accuracy 0\.76 → ~0\.61/)
  })

  it('misses concept drift, as it must: the estimate stays at the reference while accuracy fell', async () => {
    const report = await runDrift({
      reference: mon('concept_reference.csv'),
      current: mon('concept_current_unlabelled.csv'),
      model: { model: 'churn', ref: 1 },
    })
    const e = report.estimatedPerformance!
    near(e.metrics.accuracy, refs.concept.cbpe.accuracy, FLOAT32)
    expect(e.degraded).toBe(false)
    // The realised accuracy on the same rows is far lower: CBPE cannot see it.
    expect(e.metrics.accuracy! - refs.concept.current.accuracy).toBeGreaterThan(0.25)
    expect(e.why).toMatch(/cannot see concept drift/)
  })
})

describe('multivariate drift', () => {
  it('catches rotated correlated columns that no univariate test flags', async () => {
    const report = await runDrift({
      reference: mon('rotated_reference.csv'),
      current: mon('rotated_current.csv'),
    })
    expect(report.driftedColumns).toBe(0)
    for (const c of report.columns) {
      expect(c.drifted, c.name).toBe(false)
      expect(c.stats.ks!.pValue, c.name).toBeGreaterThan(0.05)
      expect(c.stats.wassersteinNormed!, c.name).toBeLessThan(0.1)
      expect(c.stats.psi!, c.name).toBeLessThan(0.1)
      expect(c.stats.jensenShannon!, c.name).toBeLessThan(0.1)
    }
    const m = report.multivariate!
    expect(m.method).toBe('pca-reconstruction')
    expect(m.components).toBe(refs.rotated.components)
    near(m.currentError, refs.rotated.currentError, 1e-10)
    near(m.referenceError, refs.rotated.referenceError, 1e-10)
    expect(m.drifted).toBe(true)
  })
})

describe('slipway drift (CLI): the monitoring contract', () => {
  const modelPath = path.join(fixtures, 'models', 'linear_binary.onnx')
  const file = (name: string): string => path.join(fixtures, 'monitoring', name)

  it('prints the performance headline first, gives the JSON sections, and exits 4 on degradation', () => {
    const cliHome = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-monitoring-cli-'))
    try {
      const registered = runCli(['register', modelPath, '--model', 'churn', '--home', cliHome])
      expect(registered.status, registered.stderr).toBe(0)
      const args = [
        'drift',
        '--home',
        cliHome,
        '--reference',
        file('concept_reference.csv'),
        '--current',
        file('concept_current.csv'),
        '--model',
        'churn@1',
      ]
      const text = runCli([...args, '--fail-on-degradation'])
      expect(text.status, text.stderr).toBe(4)
      expect(text.stdout.split('\n')[0]).toBe('Performance degraded: accuracy 0.99 → 0.70')
      expect(text.stdout).toMatch(/No dataset drift: 0 of 4 feature columns drifted/)
      const json = runCli([...args, '--json'])
      expect(json.status, json.stderr).toBe(0)
      const out = json.json() as Record<string, unknown> & {
        performance: { metric: string; degraded: boolean; change: Record<string, number> }
        target: { column: string; test: string; why: string }
        columns: { name: string }[]
        multivariate: { method: string; drifted: boolean }
        estimatedPerformance: unknown
      }
      expect(out.performance.metric).toBe('accuracy')
      expect(out.performance.degraded).toBe(true)
      expect(out.performance.change.accuracy).toBeLessThan(-0.25)
      expect(out.target.column).toBe('label')
      expect(out.columns.map((c) => c.name)).not.toContain('label')
      expect(out.testedColumns).toBe(4)
      expect(out.multivariate.method).toBe('pca-reconstruction')
      expect(out.estimatedPerformance).toBeNull()
      // CBPE when the current data has no labels; --fail-on-degradation counts estimates too.
      const estimated = runCli([
        ...args.slice(0, 6),
        file('covariate_current_unlabelled.csv'),
        '--reference',
        file('covariate_reference.csv'),
        '--model',
        'churn@1',
        '--json',
        '--fail-on-degradation',
      ])
      expect(estimated.status, estimated.stderr).toBe(4)
      const e = (
        estimated.json() as { estimatedPerformance: { method: string; degraded: boolean } }
      ).estimatedPerformance
      expect(e).toMatchObject({ method: 'CBPE', degraded: true })
      // Target drift without a model: --label names the target, kept out of the features.
      const target = runCli([
        'drift',
        '--home',
        cliHome,
        '--reference',
        file('concept_reference.csv'),
        '--current',
        file('concept_current.csv'),
        '--label',
        'label',
        '--json',
      ])
      expect(target.status, target.stderr).toBe(0)
      const t = target.json() as { target: { column: string }; testedColumns: number }
      expect([t.target.column, t.testedColumns]).toEqual(['label', 4])
      // --html on drift and evaluate: the stored result as a self-contained page.
      const page = path.join(cliHome, 'drift.html')
      const withHtml = runCli([...args, '--html', page])
      expect(withHtml.status, withHtml.stderr).toBe(0)
      expect(fs.readFileSync(page, 'utf8')).toContain('Performance degraded: accuracy 0.99 → 0.70')
      const evalPage = path.join(cliHome, 'eval.html')
      const evaluated = runCli([
        'evaluate',
        'churn@1',
        '--home',
        cliHome,
        '--data',
        path.join(fixtures, 'data', 'linear_binary-eval.csv'),
        '--html',
        evalPage,
      ])
      expect(evaluated.status, evaluated.stderr).toBe(0)
      expect(fs.readFileSync(evalPage, 'utf8')).toMatch(/<title>Evaluation #1<\/title>/)
      // A missing folder is refused before any work, and nothing is stored.
      const runsBefore = (
        runCli(['drift', '--home', cliHome, ...args.slice(3), '--json']).json() as {
          runId: number
        }
      ).runId
      const refused = runCli([...args, '--html', path.join(cliHome, 'nowhere', 'r.html')])
      expect(refused.status).toBe(1)
      expect(refused.stderr).toMatch(/--html .*r\.html: the folder .*nowhere does not exist/)
      const after = (runCli([...args, '--json']).json() as { runId: number }).runId
      expect(after).toBe(runsBefore + 1)
    } finally {
      fs.rmSync(cliHome, { recursive: true, force: true })
    }
  })
})

describe('production logs', () => {
  it('gives served-vs-recomputed agreement, latency p50/p95 and business value per window', async () => {
    const want = (
      JSON.parse(fs.readFileSync(path.join(fixtures, 'monitoring', 'refs.json'), 'utf8')) as {
        log: {
          overall: Record<string, number>
          windows: Record<string, number>[]
          labelledRows: number
          accuracy: number
        }
      }
    ).log
    const report = await runDrift({
      reference: mon('covariate_reference.csv'),
      current: mon('log_current.csv'),
      model: { model: 'churn', ref: 1 },
      settings: {
        timestampColumn: 'ts',
        window: 'day',
        log: {
          prediction: 'served_label',
          score: 'served_score',
          latency: 'latency_ms',
          value: 'revenue',
        },
      },
    })
    const log = report.log!
    expect(log.columns).toEqual({
      prediction: 'served_label',
      score: 'served_score',
      latency: 'latency_ms',
      value: 'revenue',
    })
    const check = (got: (typeof log.windows)[number], w: Record<string, number>): void => {
      near(got.agreement, w.agreement!, 1e-12)
      near(got.latencyP50, w.latencyP50!, 1e-9)
      near(got.latencyP95, w.latencyP95!, 1e-9)
      near(got.valueTotal, w.valueTotal!, 1e-6)
    }
    check(log.overall, want.overall)
    expect(log.windows).toHaveLength(3)
    log.windows.forEach((w, i) => check(w, want.windows[i]!))
    // Untampered scores match the local run to float32 rounding; tampered ones do not.
    expect(log.windows[0]!.maxScoreDifference!).toBeLessThan(1e-5)
    expect(log.windows[1]!.maxScoreDifference!).toBeGreaterThan(0.01)
    // The log's columns are roles, not features; the late label measures performance where present.
    const features = report.columns.map((c) => c.name)
    expect(features).toEqual(['age', 'income', 'tenure', 'balance'])
    expect(report.onlyInCurrent).toEqual([])
    expect(report.performance!.current.labelled).toBe(want.labelledRows)
    near(report.performance!.current.accuracy, want.accuracy, FLOAT32)
  })

  it('refuses a log column the file does not have, naming it', async () => {
    await expect(
      runDrift({
        reference: mon('covariate_reference.csv'),
        current: mon('log_current.csv'),
        settings: { log: { latency: 'latency' } },
      }),
    ).rejects.toThrow(/log_current\.csv: has no column "latency" for the log's latency/)
  })
})

describe('reports people can keep', () => {
  const waitJob = async <T>(id: string): Promise<T> => {
    const done = await slipway.core.jobs.wait(id)
    if (done.status !== 'done') throw new Error(`${done.status}: ${done.error?.message}`)
    return done.result as T
  }
  const evalData = { path: path.join(fixtures, 'data', 'linear_binary-eval.csv') }
  /** A self-contained page: no script, no stylesheet link, no source to fetch, a CSP forbidding all. */
  const selfContained = (html: string): void => {
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`)
    // Attribute values emptied first: escaped text inside one (a label) is no attribute.
    const markup = html.replace(/"[^"]*"/g, '""')
    expect(markup).not.toMatch(
      /<(script|link|img|iframe|object|embed)\b|<[^>]+\ssrc=|url\(|@import/i,
    )
    for (const href of html.matchAll(/href="([^"]*)"/g)) expect(href[1]).toMatch(/^#\//)
  }

  it('exports a drift run, an evaluation, a shadow comparison and a gate report as HTML, JSON and CSV', async () => {
    await slipway.call('registry:register', {
      file: { path: path.join(fixtures, 'models', 'tree_ensemble.onnx') },
      model: 'churn',
    })
    const drift = await runDrift({
      reference: mon('concept_reference.csv'),
      current: mon('concept_current.csv'),
      model: { model: 'churn', ref: 1 },
      settings: { chunks: 4 },
    })
    const evaluation = await waitJob<{ id: number }>(
      (await slipway.call('eval:start', { model: 'churn', ref: 1, dataset: evalData })).id,
    )
    const shadow = await waitJob<{ id: number }>(
      (
        await slipway.call('shadow:start', {
          champion: { model: 'churn', ref: 1 },
          challenger: { model: 'churn', ref: 2 },
          dataset: evalData,
        })
      ).id,
    )
    await slipway.call('gates:set-policy', {
      model: 'churn',
      policy: { rules: [{ metric: 'accuracy', threshold: 0.99, greaterIsBetter: true }] },
    })
    const gate = await waitJob<{ id: number }>(
      (await slipway.call('gates:check', { model: 'churn', ref: 2, dataset: evalData })).id,
    )
    const cases = [
      ['drift', drift.id!, 'drift-run', 'Performance degraded: accuracy 0.99 → 0.70'],
      ['evaluation', evaluation.id, 'evaluation', 'churn v1 on linear_binary-eval'],
      ['shadow', shadow.id, 'shadow-comparison', 'churn v2 against churn v1'],
      ['gate', gate.id, 'gate-report', 'churn v2: gates FAILED'],
    ] as const
    for (const [kind, id, stem, headline] of cases) {
      const html = await slipway.call('report:export', { kind, id, format: 'html' })
      expect(html.fileName, kind).toBe(`${stem}-${id}.html`)
      expect(html.mimeType).toBe('text/html; charset=utf-8')
      selfContained(html.content)
      expect(html.content, kind).toContain(headline)
      // The model in the report names (and links) its version.
      expect(html.content, kind).toMatch(/data-model-version="churn@[12]"/)
      const json = await slipway.call('report:export', { kind, id, format: 'json' })
      expect((JSON.parse(json.content) as { id: number }).id, kind).toBe(id)
      const csv = await slipway.call('report:export', { kind, id, format: 'csv' })
      expect(csv.content, kind).toMatch(/^# [a-z ]+\n/)
    }
    const driftHtml = (
      await slipway.call('report:export', { kind: 'drift', id: drift.id!, format: 'html' })
    ).content
    // Charts drawn in: histograms and the per-window line, as inline SVG.
    expect((driftHtml.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(5)
    const csv = (
      await slipway.call('report:export', { kind: 'drift', id: drift.id!, format: 'csv' })
    ).content
    expect(csv).toMatch(
      /^# performance\nmetric,reference,current,change,lower bound,upper bound,degraded\naccuracy,0\.9925,/,
    )
    expect(csv).toContain('\n# columns\ncolumn,kind,test,statistic,p-value,threshold,drifted,why\n')
    await expect(
      slipway.call('report:export', { kind: 'shadow', id: 999, format: 'html' }),
    ).rejects.toThrow(/No shadow comparison with id 999/)
  })

  it('escapes names from files in the HTML and defuses formulas in the CSV', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-report-'))
    try {
      const evil = '<img src=x onerror=alert(1)>'
      const write = (name: string, shift: number): string => {
        const file = path.join(dir, name)
        const rows = Array.from(
          { length: 60 },
          (_, i) => `${i + shift},${i % 3 === 0 ? '=cmd()' : 'b'}`,
        )
        fs.writeFileSync(file, `"${evil}",=SUM(1)\n${rows.join('\n')}\n`)
        return file
      }
      const report = await runDrift({
        reference: { file: { path: write('ref.csv', 0) } },
        current: { file: { path: write('cur.csv', 30) } },
      })
      const html = (
        await slipway.call('report:export', { kind: 'drift', id: report.id!, format: 'html' })
      ).content
      selfContained(html)
      expect(html).not.toContain(evil)
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
      const csv = (
        await slipway.call('report:export', { kind: 'drift', id: report.id!, format: 'csv' })
      ).content
      expect(csv).toContain(`\n${evil},numeric,ks,`)
      // A cell starting with = is text for a spreadsheet, never a formula.
      expect(csv).toContain("\n'=SUM(1),categorical,")
      expect(csv).not.toMatch(/(^|,)=/m)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('regression performance', () => {
  it('compares MAE and RMSE with the reference, and says there is no estimate without labels', async () => {
    await slipway.call('registry:register', {
      file: { path: path.join(fixtures, 'models', 'regression.onnx') },
      model: 'house',
    })
    const sk = JSON.parse(
      fs.readFileSync(path.join(fixtures, 'models', 'regression.sklearn.json'), 'utf8'),
    ) as { predictions: number[]; targets: number[] }
    const n = sk.targets.length
    const mae = sk.predictions.reduce((s, p, i) => s + Math.abs(p - sk.targets[i]!), 0) / n
    const rmse = Math.sqrt(sk.predictions.reduce((s, p, i) => s + (p - sk.targets[i]!) ** 2, 0) / n)
    const data = (name: string): { file: { path: string } } => ({
      file: { path: path.join(fixtures, 'data', name) },
    })
    const report = await runDrift({
      reference: data('regression-train.csv'),
      current: data('regression-eval.csv'),
      model: { model: 'house', ref: 1 },
    })
    const p = report.performance!
    expect([p.task, p.metric]).toEqual(['regression', 'mae'])
    // sklearn's predictions in float64, the ONNX model's in float32.
    near(p.current.mae, mae, 1e-3)
    near(p.current.rmse, rmse, 1e-3)
    near(p.change.mae, p.current.mae! - p.reference.mae!, 1e-12)
    expect(p.threshold.higherIsBetter).toBe(false)
    expect(report.target!.column).toBe('target')
    expect(report.columns.map((c) => c.name)).not.toContain('target')
    expect(report.headline).toMatch(/^Performance (stable|degraded): MAE [\d.]+ → [\d.]+$/)
    // Without labels in current data: no estimate for a regression, and the report says so.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-regression-'))
    try {
      const lines = fs
        .readFileSync(path.join(fixtures, 'data', 'regression-eval.csv'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.slice(0, l.lastIndexOf(',')))
      const unlabelled = path.join(dir, 'unlabelled.csv')
      fs.writeFileSync(unlabelled, `${lines.join('\n')}\n`)
      const blind = await runDrift({
        reference: data('regression-train.csv'),
        current: { file: { path: unlabelled } },
        model: { model: 'house', ref: 1 },
      })
      expect(blind.performance).toBeNull()
      expect(blind.estimatedPerformance).toBeNull()
      expect(blind.performanceNote).toMatch(/for classifiers; a regression needs labels/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('multiclass CBPE end to end', () => {
  it('estimates a multiclass model on unlabelled data from the same population near its realised accuracy', async () => {
    await slipway.call('registry:register', {
      file: { path: path.join(fixtures, 'models', 'mlp_multiclass.onnx') },
      model: 'species',
    })
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-multiclass-'))
    try {
      const evalCsv = path.join(fixtures, 'data', 'mlp_multiclass-eval.csv')
      const lines = fs.readFileSync(evalCsv, 'utf8').trim().split('\n')
      const unlabelled = path.join(dir, 'unlabelled.csv')
      fs.writeFileSync(
        unlabelled,
        `${lines.map((l) => l.slice(0, l.lastIndexOf(','))).join('\n')}\n`,
      )
      const reference = { file: { path: path.join(fixtures, 'data', 'mlp_multiclass-train.csv') } }
      const model = { model: 'species', ref: 1 }
      const labelled = await runDrift({ reference, current: { file: { path: evalCsv } }, model })
      const blind = await runDrift({ reference, current: { file: { path: unlabelled } }, model })
      const e = blind.estimatedPerformance!
      expect(e.method).toBe('CBPE')
      for (const m of ['accuracy', 'f1', 'rocAuc'] as const) {
        expect(e.metrics[m], m).toBeGreaterThan(0)
        expect(e.metrics[m], m).toBeLessThanOrEqual(1)
      }
      // No shift at all: the estimate is within the covariate-shift tolerance of the truth.
      near(e.metrics.accuracy, labelled.performance!.current.accuracy!, CBPE_TOLERANCE)
      expect(e.degraded).toBe(false)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
