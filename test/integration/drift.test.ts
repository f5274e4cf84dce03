// Drift through the service on real SQLite and the worker: results against scipy references
// (test/fixtures/drift/generate_refs.py), stored runs, prediction drift with a real ONNX model,
// alerts into the audit trail, monitors watching a folder, bad input and cancellation.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ApiEvent } from '../../src/api/calls'
import type { DriftAlert, DriftReport } from '../../src/api/drift'
import { startMonitors, stopMonitors } from '../../src/core/drift/monitors'
import { Slipway } from '../../src/core/service'
import { held, withTestHold } from '../helpers/hold'

const fixtures = path.join(__dirname, '..', 'fixtures')
const drift = (name: string): string => path.join(fixtures, 'drift', name)
const expected = JSON.parse(fs.readFileSync(drift('datasets.json'), 'utf8')) as {
  current: DatasetExpected
  current_nodrift: DatasetExpected
  current_daily: {
    day: number
    rows: number
    columns: Record<string, { statistic: number; pValue: number }>
  }[]
}
interface ColumnExpected {
  test: string
  drifted: boolean
  ks?: { statistic: number; pValue: number }
  wasserstein?: number
  wassersteinNormed?: number
  psi: number
  jensenShannon: number
  chi2?: { statistic: number; pValue: number; dof: number }
  z?: { statistic: number; pValue: number }
  unseenCategories?: string[]
  referenceMissing: number
  currentMissing: number
  categoryView?: {
    chi2: { statistic: number; pValue: number; dof: number }
    z?: { statistic: number; pValue: number }
  }
}
interface DatasetExpected {
  referenceRows: number
  currentRows: number
  driftShare: number
  datasetDrift: boolean
  columns: Record<string, ColumnExpected>
}

const close = (actual: number | null | undefined, want: number, rel = 1e-10): void => {
  expect(actual).not.toBeNull()
  expect(Math.abs(actual! - want) <= 1e-15 + rel * Math.abs(want), `${actual} vs ${want}`).toBe(
    true,
  )
}

let home: string
let slipway: Slipway
let events: ApiEvent[]

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-drift-'))
  slipway = new Slipway({ home, actor: 'tester' })
  events = []
  slipway.onEvent((e) => events.push(e))
})
afterEach(() => {
  stopMonitors(slipway.core)
  slipway.close()
  fs.rmSync(home, { recursive: true, force: true })
})

async function runDrift(input: unknown): Promise<DriftReport> {
  const job = await slipway.call('drift:start', input)
  const done = await slipway.core.jobs.wait(job.id)
  if (done.status !== 'done') throw new Error(`${done.status}: ${done.error?.message}`)
  return done.result as DriftReport
}

const file = (p: string): { file: { path: string } } => ({ file: { path: p } })

describe('drift:start on two CSV files', () => {
  it('matches scipy per column, decides like Evidently, and splits by day', async () => {
    const report = await runDrift({
      reference: file(drift('reference.csv')),
      current: file(drift('current.csv')),
      settings: { timestampColumn: 'ts', window: 'day' },
    })
    const want = expected.current
    expect(report.referenceRows).toBe(want.referenceRows)
    expect(report.currentRows).toBe(want.currentRows)
    expect(report.driftShare).toBe(want.driftShare)
    expect(report.datasetDrift).toBe(want.datasetDrift)
    expect(report.onlyInReference).toEqual(['ref_only'])
    expect(report.onlyInCurrent).toEqual(['cur_only'])
    // The timestamp column splits windows; it is neither compared nor listed as current-only.
    expect(report.skipped).toEqual([])
    for (const [name, e] of Object.entries(want.columns)) {
      const c = report.columns.find((x) => x.name === name)!
      expect(c.test, name).toBe(e.test)
      expect(c.drifted, name).toBe(e.drifted)
      expect([c.reference.missing, c.current.missing], name).toEqual([
        e.referenceMissing,
        e.currentMissing,
      ])
      if (e.unseenCategories) expect(c.stats.unseenCategories, name).toEqual(e.unseenCategories)
      close(c.stats.psi, e.psi)
      close(c.stats.jensenShannon, e.jensenShannon)
      if (e.ks) {
        close(c.stats.ks!.statistic, e.ks.statistic)
        close(c.stats.ks!.pValue, e.ks.pValue)
        close(c.stats.wasserstein, e.wasserstein!)
        close(c.stats.wassersteinNormed, e.wassersteinNormed!)
      }
      const chi2 = e.chi2 ?? e.categoryView?.chi2
      if (chi2 && c.kind === 'categorical') {
        close(c.stats.chi2!.statistic, chi2.statistic)
        close(c.stats.chi2!.pValue, chi2.pValue)
        expect(c.stats.chi2!.dof).toBe(chi2.dof)
      }
      if (e.categoryView) close(c.stats.chi2!.pValue, e.categoryView.chi2.pValue)
      if (e.z) close(c.stats.z!.pValue, e.z.pValue)
    }
    expect(report.columns.find((c) => c.name === 'plan')!.stats.unseenCategories).toEqual(
      want.columns.plan!.unseenCategories,
    )
    const income = report.columns.find((c) => c.name === 'income')!
    const incomeRef = want.columns.income!
    expect(income.current.missing).toBe(incomeRef.currentMissing)
    expect(income.current.missingShare).toBe(incomeRef.currentMissing / want.currentRows)
    expect([incomeRef.referenceMissing, incomeRef.currentMissing / want.currentRows]).toEqual([
      0, 0.05,
    ])
    expect(income.notes).toContain(
      'Missing values rose from 0% of the reference to 5% of current data.',
    )
    // Histograms for both datasets, for the UI: every non-missing row counted once.
    expect(income.histogram.kind).toBe('numeric')
    if (income.histogram.kind === 'numeric') {
      expect(income.histogram.reference.reduce((a, b) => a + b, 0)).toBe(
        want.referenceRows - incomeRef.referenceMissing,
      )
      expect(income.histogram.current.reduce((a, b) => a + b, 0)).toBe(
        want.currentRows - incomeRef.currentMissing,
      )
    }
    // Windows: one per day, KS per column against scipy.
    const windows = report.windows!
    expect(windows.by).toBe('time')
    expect(windows.items.map((w) => w.rows)).toEqual(expected.current_daily.map((d) => d.rows))
    windows.items.forEach((w, i) => {
      for (const [name, ks] of Object.entries(expected.current_daily[i]!.columns)) {
        const col = w.columns.find((c) => c.name === name)!
        close(col.statistic, ks.statistic)
        close(col.pValue, ks.pValue)
      }
    })
    // The drift grows over the days in the generator: later days drift on age.
    expect(windows.items[0]!.columns.find((c) => c.name === 'age')!.drifted).toBe(false)
    expect(windows.items[3]!.columns.find((c) => c.name === 'age')!.drifted).toBe(true)
  })

  it('stores each run and lists and gets it', async () => {
    const report = await runDrift({
      reference: file(drift('reference.csv')),
      current: file(drift('current_nodrift.csv')),
    })
    expect(report.id).toBeGreaterThan(0)
    expect(report.datasetDrift).toBe(expected.current_nodrift.datasetDrift)
    const list = await slipway.call('drift:list', {})
    expect(list).toHaveLength(1)
    const drifted = Object.values(expected.current_nodrift.columns).filter((c) => c.drifted).length
    expect(list[0]!.driftedColumns).toBe(drifted)
    expect(list[0]!.status).toBe(
      expected.current_nodrift.datasetDrift
        ? 'dataset-drift'
        : drifted
          ? 'drifting-columns'
          : 'no-drift',
    )
    const sha256 = (name: string): string =>
      createHash('sha256')
        .update(fs.readFileSync(drift(name)))
        .digest('hex')
    expect(list[0]!.referenceSha256).toBe(sha256('reference.csv'))
    expect(list[0]!.id).toBe(report.id)
    const run = await slipway.call('drift:get', { runId: report.id! })
    // read back whole, exactly as the job returned it
    expect(run.report).toEqual(report)
    await expect(slipway.call('drift:get', { runId: 999 })).rejects.toThrow(/No drift run #999/)
  })

  it('fails with a message naming the column, and stores nothing, on a bad timestamp column', async () => {
    const job = await slipway.call('drift:start', {
      reference: file(drift('reference.csv')),
      current: file(drift('current.csv')),
      settings: { timestampColumn: 'plan', window: 'day' },
    })
    const done = await slipway.core.jobs.wait(job.id)
    expect(done.status).toBe('failed')
    expect(done.error!.message).toMatch(
      /current\.csv: column "plan" holds categorical values, not timestamps/,
    )
    expect(await slipway.call('drift:list', {})).toHaveLength(0)
    await expect(
      slipway.call('drift:start', {
        reference: file(drift('nope.csv')),
        current: file(drift('current.csv')),
      }),
    ).rejects.toThrow(/nope\.csv: no such file/)
    await expect(
      slipway.call('drift:start', {
        reference: { dataset: 'missing' },
        current: file(drift('current.csv')),
      }),
    ).rejects.toThrow(/No dataset "missing"/)
  })

  it('skips free-text columns (ids) with a reason and compares low-cardinality text as categories', async () => {
    const ref = path.join(home, 'ref.csv')
    const cur = path.join(home, 'cur.csv')
    const rows = (n: number, offset: number): string =>
      [
        'id,grp,x',
        ...Array.from({ length: n }, (_, i) => `u${i + offset},${'abc'[i % 3]},${(i * 37) % 101}`),
      ].join('\n')
    fs.writeFileSync(ref, rows(300, 0))
    fs.writeFileSync(cur, rows(200, 1000))
    const report = await runDrift({ reference: file(ref), current: file(cur) })
    expect(report.skipped).toEqual([
      {
        name: 'id',
        reason: 'free text in the reference (300 distinct values), not compared as categories',
      },
    ])
    expect(report.columns.map((c) => [c.name, c.kind])).toEqual([
      ['grp', 'categorical'],
      ['x', 'numeric'],
    ])
  })

  it('can be cancelled while running; a cancelled run is not stored', async () => {
    const big = path.join(home, 'big.csv')
    const lines = ['a,b']
    for (let i = 0; i < 3_000; i++) lines.push(`${(i * 7919) % 10007},${(i * 31) % 977}`)
    fs.writeFileSync(big, lines.join('\n'))
    // The worker stops before comparing its first column until cancelled.
    const done = await withTestHold(/^Comparing /, async () => {
      const job = await slipway.call('drift:start', { reference: file(big), current: file(big) })
      expect(await held(slipway, job.id)).toBe('Comparing a')
      await slipway.call('jobs:cancel', { jobId: job.id })
      return slipway.core.jobs.wait(job.id)
    })
    expect(done.status).toBe('cancelled')
    expect(await slipway.call('drift:list', {})).toHaveLength(0)
  })
})

describe('reference from the registry', () => {
  it("uses a version's training dataset from its lineage, or a dataset by name", async () => {
    await slipway.call('registry:register', {
      file: { path: path.join(fixtures, 'models', 'linear_binary.onnx') },
      model: 'churn',
      trainingData: { path: path.join(fixtures, 'data', 'linear_binary-train.csv') },
    })
    const current = file(path.join(fixtures, 'data', 'linear_binary-drifted.csv'))
    const byVersion = await runDrift({
      reference: { version: { model: 'churn', ref: 'latest' } },
      current,
    })
    expect(byVersion.reference.name).toBe('linear_binary-train')
    expect(byVersion.reference.datasetId).toBeGreaterThan(0)
    expect(byVersion.referenceRows).toBe(1200)
    const byFile = await runDrift({
      reference: file(path.join(fixtures, 'data', 'linear_binary-train.csv')),
      current,
    })
    expect(byVersion.reference.sha256).toBe(byFile.reference.sha256)
    expect(byVersion.columns.map((c) => c.statistic)).toEqual(
      byFile.columns.map((c) => c.statistic),
    )
    const byName = await runDrift({
      reference: { dataset: byVersion.reference.datasetId! },
      current,
    })
    expect(byName.columns.map((c) => c.statistic)).toEqual(byFile.columns.map((c) => c.statistic))
    // A run against a version's training data counts for that model.
    const runs = await slipway.call('drift:list', { model: 'churn' })
    expect(runs.map((r) => r.id)).toEqual([byVersion.id])
  })
})

describe('prediction drift, model status and alerts', () => {
  it('runs the ONNX model on both datasets, compares its outputs, and alerts on crossing to drift', async () => {
    await slipway.call('registry:register', {
      file: { path: path.join(fixtures, 'models', 'linear_binary.onnx') },
      model: 'churn',
    })
    expect(await slipway.call('drift:model-status', {})).toEqual([
      {
        model: 'churn',
        status: 'unknown',
        driftShare: null,
        driftedColumns: [],
        lastRunId: null,
        lastRunAt: null,
      },
    ])
    const train = file(path.join(fixtures, 'data', 'linear_binary-train.csv'))
    const calm = await runDrift({
      reference: train,
      current: file(path.join(fixtures, 'data', 'linear_binary-eval.csv')),
      model: { model: 'churn', ref: 1 },
    })
    const calmStatus = (await slipway.call('drift:model-status', { model: 'churn' }))[0]!
    expect(calm.driftedColumns).toBe(0)
    expect(calmStatus.status).toBe('no-drift')
    expect(events.filter((e) => e.name === 'drift:alert')).toHaveLength(0)
    const report = await runDrift({
      reference: train,
      current: file(path.join(fixtures, 'data', 'linear_binary-drifted.csv')),
      model: { model: 'churn', ref: 1 },
      settings: { chunks: 4 },
    })
    expect(report.model).toEqual({ name: 'churn', version: 1 })
    const pred = report.prediction!.columns
    expect(pred.map((c) => [c.name, c.kind])).toEqual([
      ['predicted label', 'categorical'],
      ['probability of 1', 'numeric'],
    ])
    // 1,200 reference rows: the large-sample tests decide.
    expect(pred.map((c) => c.test)).toEqual(['jensenshannon', 'wasserstein'])
    const labels = pred[0]!
    expect(labels.reference.count).toBe(1200)
    expect(labels.current.count).toBe(800)
    expect(report.prediction!.metricsNote).toContain('"label"')
    // Over all current rows too, not only per window: accuracy as scikit-learn's predictions give it.
    const sk = JSON.parse(
      fs.readFileSync(path.join(fixtures, 'models', 'linear_binary.drifted.sklearn.json'), 'utf8'),
    ) as { labels: number[]; predict: number[] }
    const right = sk.labels.filter((label, i) => label === sk.predict[i]).length
    expect(report.prediction!.metrics).toEqual({
      accuracy: right / sk.labels.length,
      labelled: sk.labels.length,
    })
    const windows = report.windows!.items
    expect(windows).toHaveLength(4)
    for (const w of windows) {
      expect(w.metrics!.accuracy).toBeGreaterThan(0.5)
      expect(w.metrics!.labelled).toBe(w.rows)
      expect(w.prediction).toHaveLength(2)
    }
    const status = (await slipway.call('drift:model-status', { model: 'churn' }))[0]!
    expect(status.status).not.toBe('no-drift')
    expect(status.driftedColumns).toEqual(
      report.columns.filter((c) => c.drifted).map((c) => c.name),
    )
    const alerts = events
      .filter((e) => e.name === 'drift:alert')
      .map((e) => e.payload as DriftAlert)
    const audit = slipway.core.db
      .prepare("SELECT * FROM audit_events WHERE action = 'drift.alert' ORDER BY id")
      .all() as { model_id: number; details_json: string }[]
    // One alert per crossing from OK (or no run yet) to drift.
    expect(alerts.length).toBe(audit.length)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]!.previous).toBe('no-drift')
    expect(alerts[0]!.message).toMatch(/^churn: /)
    const last = alerts.at(-1)!
    expect(JSON.parse(audit.at(-1)!.details_json).runId).toBe(last.runId)
    expect(last.model).toBe('churn')
    // Still drifting: no new crossing, no new alert.
    await runDrift({
      reference: train,
      current: file(path.join(fixtures, 'data', 'linear_binary-drifted.csv')),
      model: { model: 'churn', ref: 1 },
    })
    expect((await slipway.call('drift:list', { model: 'churn' })).length).toBe(3)
    expect(events.filter((e) => e.name === 'drift:alert')).toHaveLength(1)
  })
})

describe('prediction drift of a multiclass model', () => {
  it('compares each class’s probability and the predicted labels, matching scipy', async () => {
    // References: test/fixtures/drift/generate_prediction_refs.py, from scikit-learn's own
    // probabilities (float64); onnxruntime computes them in float32, hence the tolerances.
    const want = JSON.parse(fs.readFileSync(drift('multiclass_refs.json'), 'utf8')) as {
      referenceRows: number
      currentRows: number
      classes: number[]
      probability: Record<
        string,
        {
          ks: { statistic: number; pValue: number }
          wasserstein: number
          wassersteinNormed: number
        }
      >
      predictedLabel: {
        referenceCounts: number[]
        currentCounts: number[]
        chi2: { statistic: number; pValue: number; dof: number }
      }
    }
    await slipway.call('registry:register', {
      file: { path: path.join(fixtures, 'models', 'mlp_multiclass.onnx') },
      model: 'species',
    })
    const report = await runDrift({
      reference: file(drift('multiclass_reference.csv')),
      current: file(drift('multiclass_current.csv')),
      model: { model: 'species', ref: 1 },
    })
    expect([report.referenceRows, report.currentRows]).toEqual([
      want.referenceRows,
      want.currentRows,
    ])
    const pred = report.prediction!.columns
    expect(pred.map((c) => [c.name, c.kind]).sort()).toEqual([
      ['predicted label', 'categorical'],
      ...want.classes.map((c) => [`probability of ${c}`, 'numeric']),
    ])
    for (const [cls, e] of Object.entries(want.probability)) {
      const c = pred.find((x) => x.name === `probability of ${cls}`)!
      // 400 reference rows: KS decides, as for any numeric feature of a small reference.
      expect(c.test, cls).toBe('ks')
      expect(c.stats.ks!.statistic, cls).toBeCloseTo(e.ks.statistic, 12)
      close(c.stats.ks!.pValue, e.ks.pValue, 1e-9)
      expect(c.drifted, cls).toBe(e.ks.pValue <= 0.05)
      close(c.stats.wasserstein, e.wasserstein, 1e-5)
      close(c.stats.wassersteinNormed, e.wassersteinNormed, 1e-5)
    }
    const labels = pred.find((c) => c.name === 'predicted label')!
    expect(labels.test).toBe('chisquare')
    const h = labels.histogram
    expect(h.kind).toBe('categorical')
    if (h.kind === 'categorical') {
      const order = want.classes.map((c) => h.categories.indexOf(String(c)))
      expect(order.map((i) => h.reference[i])).toEqual(want.predictedLabel.referenceCounts)
      expect(order.map((i) => h.current[i])).toEqual(want.predictedLabel.currentCounts)
    }
    close(labels.stats.chi2!.statistic, want.predictedLabel.chi2.statistic)
    close(labels.stats.chi2!.pValue, want.predictedLabel.chi2.pValue)
    expect(labels.stats.chi2!.dof).toBe(want.predictedLabel.chi2.dof)
  })
})

describe('monitors', () => {
  it('watches a folder: each new file runs the drift job and is stored under the monitor', async () => {
    await slipway.call('registry:register', {
      file: { path: path.join(fixtures, 'models', 'linear_binary.onnx') },
      model: 'churn',
    })
    const folder = path.join(home, 'incoming')
    fs.mkdirSync(folder)
    const monitor = await slipway.call('monitors:create', {
      model: 'churn',
      reference: file(drift('reference.csv')),
      source: { kind: 'folder', path: folder },
    })
    expect(monitor.reference).toEqual({ file: { path: drift('reference.csv') } })
    const watcher = startMonitors(slipway.core, 100)
    const alert = new Promise<DriftAlert>((resolve) => {
      slipway.onEvent((e) => {
        if (e.name === 'drift:alert') resolve(e.payload as DriftAlert)
      })
    })
    fs.copyFileSync(drift('current.csv'), path.join(folder, 'day1.csv'))
    const got = await alert
    expect(got.monitorId).toBe(monitor.id)
    expect(got.status).toBe('dataset-drift')
    expect(watcher.started).toHaveLength(1)
    await slipway.core.jobs.wait(watcher.started[0]!.id)
    const runs = await slipway.call('drift:list', { monitorId: monitor.id })
    expect(runs).toHaveLength(1)
    expect(runs[0]!.currentName).toBe('day1.csv')
    expect(runs[0]!.model).toBe('churn')
    const listed = await slipway.call('monitors:list', { model: 'churn' })
    expect(listed[0]!.filesSeen).toBe(1)
    expect(listed[0]!.lastRun!.id).toBe(runs[0]!.id)
    // Nothing new: run-now reruns the newest file.
    const jobs = await slipway.call('monitors:run-now', { monitorId: monitor.id })
    expect(jobs).toHaveLength(1)
    await slipway.core.jobs.wait(jobs[0]!.id)
    expect(await slipway.call('drift:list', { monitorId: monitor.id })).toHaveLength(2)
    expect(await slipway.call('monitors:delete', { monitorId: monitor.id })).toEqual({
      deleted: true,
    })
    expect(await slipway.call('monitors:list', {})).toEqual([])
    expect(await slipway.call('drift:list', { model: 'churn' })).toHaveLength(2)
  })

  it('refuses a monitor without a reference, on a missing folder, or a file reference from web mode', async () => {
    await slipway.call('registry:register', {
      file: { path: path.join(fixtures, 'models', 'linear_binary.onnx') },
      model: 'churn',
    })
    await expect(
      slipway.call('monitors:create', { model: 'churn', source: { kind: 'folder', path: home } }),
    ).rejects.toThrow(/needs a reference/)
    await expect(
      slipway.call('monitors:create', {
        model: 'churn',
        reference: file(drift('reference.csv')),
        source: { kind: 'folder', path: path.join(home, 'nope') },
      }),
    ).rejects.toThrow(/nope: no such folder/)
    // Web mode may name the watched folder (the server runs as this user), after the same checks.
    const added = await slipway.call('datasets:add', { file: { path: drift('reference.csv') } })
    const reference = (await slipway.core.jobs.wait(added.id)).result as { id: number }
    await expect(
      slipway.call(
        'monitors:create',
        {
          model: 'churn',
          reference: file(drift('reference.csv')),
          source: { kind: 'folder', path: home },
        },
        { face: 'web', readLocalPaths: false },
      ),
    ).rejects.toThrow(/web mode a monitor reference must be a registered dataset or a version/)
    await expect(
      slipway.call(
        'monitors:create',
        {
          model: 'churn',
          reference: { dataset: reference.id },
          source: { kind: 'folder', path: path.join(home, 'nope') },
        },
        { face: 'web', readLocalPaths: false },
      ),
    ).rejects.toThrow(/nope: no such folder/)
    await expect(
      slipway.call('monitors:create', {
        model: 'churn',
        versionRef: 1,
        source: { kind: 'folder', path: home },
      }),
    ).rejects.toThrow(/churn v1 has no training dataset in its lineage/)
    expect(slipway.core.db.prepare('SELECT COUNT(*) AS n FROM drift_monitors').get()).toEqual({
      n: 0,
    })
  })
})
