// Evaluation, shadow and gates through the service: real registry home, real worker threads,
// real ONNX models; results stored and read back; bad input writes nothing.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  ClassificationMetrics,
  Evaluation,
  GateReport,
  ShadowComparison,
} from '../../src/api/evaluation'
import { readSnapshot, writeSnapshot } from '../../src/core/data/snapshot'
import { loadTable } from '../../src/core/data/load'
import { datasetSnapshot } from '../../src/core/data/import'
import { purgeTrash, TRASH_DAYS } from '../../src/core/trash/trash'
import { Slipway } from '../../src/core/service'
import { blobFiles, registerChurnPair } from '../helpers/home'
import { held, withTestHold } from '../helpers/hold'

const FIX = path.join(__dirname, '../fixtures')
const refs = JSON.parse(fs.readFileSync(path.join(FIX, 'eval/refs.json'), 'utf8')) as {
  models: Record<string, Record<string, number>>
  businessValueOnOrt: Record<
    string,
    { atDefault: number; bestThreshold: number | null; bestValue: number }
  >
  shadowOnOrt: {
    linear_binary_vs_tree_ensemble: {
      rows: number
      disagreements: number
      agreementRate: number
      meanAbsDiffPositive: number
      maxAbsDiffPositive: number
      mcnemar: { b: number; c: number; statistic: number; pValue: number }
    }
  }
}
let home: string
let slipway: Slipway

const waitJob = async <T>(jobId: string): Promise<T> => {
  const job = await slipway.core.jobs.wait(jobId)
  if (job.status !== 'done')
    throw new Error(`job ${job.status}: ${job.error?.code} ${job.error?.message}`)
  return job.result as T
}
const count = (table: string): number =>
  (slipway.core.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-eval-'))
  slipway = new Slipway({ home, actor: 'tester' })
  await registerChurnPair(slipway)
})
afterAll(() => {
  slipway.close()
  fs.rmSync(home, { recursive: true, force: true })
})

describe('evaluation service', () => {
  it('evaluates a version on a file, storing version, dataset sha256, mapping, runtime and settings', async () => {
    const job = await slipway.call('eval:start', {
      model: 'churn',
      ref: 2,
      dataset: { path: path.join(FIX, 'data/tree_ensemble-eval.csv') },
      costMatrix: { tp: 50, fp: -5, tn: 0, fn: -20 },
    })
    expect(job.kind).toBe('evaluate')
    const evaluation = await waitJob<Evaluation>(job.id)
    expect(evaluation.version).toBe(2)
    expect(evaluation.dataset.rows).toBe(800)
    expect(evaluation.dataset.sha256).toBe(
      createHash('sha256')
        .update(fs.readFileSync(path.join(FIX, 'data/tree_ensemble-eval.csv')))
        .digest('hex'),
    )
    expect(evaluation.mapping.source).toBe('feature_names')
    expect(evaluation.onnxruntimeVersion).toBe('1.30.0')
    expect(evaluation.settings).toMatchObject({ label: 'label', costMatrix: { tp: 50 } })
    const metrics = evaluation.result.metrics as ClassificationMetrics
    expect(metrics.accuracy).toBeCloseTo(refs.models.tree_ensemble!.accuracy!, 12)
    const bv = evaluation.result.businessValue!
    const bvRef = refs.businessValueOnOrt.tree_ensemble!
    expect(bv.costMatrix).toEqual({ tp: 50, fp: -5, tn: 0, fn: -20 })
    expect(bv.atDefault).toBeCloseTo(bvRef.atDefault, 9)
    expect(bv.bestValue).toBeCloseTo(bvRef.bestValue, 9)
    expect(bv.bestThreshold).toBeCloseTo(bvRef.bestThreshold!, 6)
    // stored: read back equal
    const again = await slipway.call('eval:get', { id: evaluation.id })
    expect(again).toEqual(evaluation)
    const list = await slipway.call('eval:list', { model: 'churn' })
    expect(list[0]!.id).toBe(evaluation.id)
    expect(list[0]!.headline.accuracy).toBe(metrics.accuracy)
    // the same inputs give the same numbers
    const second = await waitJob<Evaluation>(
      (
        await slipway.call('eval:start', {
          model: 'churn',
          ref: 2,
          dataset: { datasetId: evaluation.dataset.id },
          costMatrix: { tp: 50, fp: -5, tn: 0, fn: -20 },
        })
      ).id,
    )
    expect(second.result.metrics).toEqual(evaluation.result.metrics)
    expect(second.result.charts).toEqual(evaluation.result.charts)
    expect(second.dataset.sha256).toBe(evaluation.dataset.sha256)
  })

  it('a missing dataset file fails at once and writes nothing', async () => {
    const before = [count('evaluations'), count('datasets'), count('audit_events')]
    await expect(
      slipway.call('eval:start', {
        model: 'churn',
        ref: 2,
        dataset: { path: path.join(FIX, 'data/nope.csv') },
      }),
    ).rejects.toMatchObject({
      code: 'BAD_FILE',
      message: expect.stringMatching(/nope\.csv: no such file/),
    })
    await expect(
      slipway.call('eval:start', { model: 'churn', ref: 9, dataset: { datasetId: 1 } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect([count('evaluations'), count('datasets'), count('audit_events')]).toEqual(before)
  })

  it('a mapping error fails the job with MAPPING_INVALID and stores no evaluation', async () => {
    const before = count('evaluations')
    const job = await slipway.call('eval:start', {
      model: 'churn',
      ref: 1,
      dataset: { path: path.join(FIX, 'data/mlp_multiclass-eval.csv') },
    })
    const done = await slipway.core.jobs.wait(job.id)
    expect(done.status).toBe('failed')
    expect(done.error).toMatchObject({
      code: 'MAPPING_INVALID',
      message: expect.stringMatching(/no column "age"/),
    })
    expect(count('evaluations')).toBe(before)
  })

  it('shadow: champion v1 vs challenger v2, stored', async () => {
    const job = await slipway.call('shadow:start', {
      champion: { model: 'churn', ref: 'champion' },
      challenger: { model: 'churn', ref: 2 },
      dataset: { path: path.join(FIX, 'data/linear_binary-eval.csv') },
    })
    const shadow = await waitJob<ShadowComparison>(job.id)
    expect(shadow.champion.version).toBe(1)
    expect(shadow.challenger.version).toBe(2)
    const ref = refs.shadowOnOrt.linear_binary_vs_tree_ensemble
    expect(shadow.result.rows).toBe(ref.rows)
    expect(shadow.result.disagreements).toBe(ref.disagreements)
    expect(shadow.result.agreementRate).toBeCloseTo(ref.agreementRate, 12)
    expect(shadow.result.meanAbsDiffPositive).toBeCloseTo(ref.meanAbsDiffPositive, 12)
    expect(shadow.result.maxAbsDiffPositive).toBeCloseTo(ref.maxAbsDiffPositive, 12)
    const { pValue, ...counts } = shadow.result.mcnemar!
    expect(counts).toEqual({ b: ref.mcnemar.b, c: ref.mcnemar.c, statistic: ref.mcnemar.statistic })
    expect(Math.abs(pValue - ref.mcnemar.pValue)).toBeLessThanOrEqual(1e-9 * ref.mcnemar.pValue)
    // 107 label disagreements: the top 20 shown are all of them label flips, largest
    // probability gap first
    const top = shadow.result.topDisagreements
    expect(top).toHaveLength(Math.min(20, ref.disagreements))
    for (const d of top) expect(d.championLabel).not.toBe(d.challengerLabel)
    const gaps = top.map((d) => Math.abs(d.difference!))
    expect(gaps).toEqual([...gaps].sort((x, y) => y - x))
    expect(await slipway.call('shadow:get', { id: shadow.id })).toEqual(shadow)
    expect((await slipway.call('shadow:list', { model: 'churn' }))[0]!.id).toBe(shadow.id)
  })

  it('gates: a stored policy checked against the champion, dated report; latest per version', async () => {
    const policy = {
      rules: [
        { metric: 'accuracy', threshold: 0.8, greaterIsBetter: true },
        { metric: 'rocAuc', minAbsoluteChange: 0.01, greaterIsBetter: true },
        { metric: 'logLoss', minRelativeChange: 0.5, greaterIsBetter: false },
      ],
      latencyP95MaxMs: 1000,
    }
    const startedAt = Date.now()
    await slipway.call('gates:set-policy', { model: 'churn', policy })
    expect(await slipway.call('gates:get-policy', { model: 'churn' })).toEqual(policy)
    const job = await slipway.call('gates:check', {
      model: 'churn',
      ref: 2,
      dataset: { path: path.join(FIX, 'data/linear_binary-eval.csv') },
    })
    const report = await waitJob<GateReport>(job.id)
    const tree = refs.models.tree_ensemble!
    const lin = refs.models.linear_binary!
    expect(report.baseline!.version).toBe(1)
    expect(report.rules).toHaveLength(4)
    expect(report.rules[0]).toMatchObject({ metric: 'accuracy', passed: tree.accuracy! >= 0.8 })
    expect(report.rules[0]!.value).toBeCloseTo(tree.accuracy!, 12)
    expect(report.rules[1]!.baseline).toBeCloseTo(lin.rocAuc!, 5)
    expect(report.rules[1]!.passed).toBe(tree.rocAuc! >= lin.rocAuc! + 0.01)
    // log loss must halve: it does not
    expect(report.rules[2]!.passed).toBe(false)
    expect(report.rules[2]!.why).toMatch(/misses the champion's/)
    expect(report.rules[3]).toMatchObject({ metric: 'latency.p95Ms', passed: true })
    expect(report.passed).toBe(false)
    // dated now: between the start of this test and this line
    expect(Date.parse(report.createdAt)).toBeGreaterThanOrEqual(startedAt)
    expect(Date.parse(report.createdAt)).toBeLessThanOrEqual(Date.now())
    expect(report.createdBy).toBe('tester')
    expect(await slipway.call('gates:get-report', { id: report.id })).toEqual(report)
    const latest = await slipway.call('eval:latest-for-model', { model: 'churn' })
    expect(latest.map((v) => v.version)).toEqual([2, 1])
    expect(latest[0]!.latestGate).toMatchObject({ id: report.id, passed: false })
    // the failed rules listed are exactly the report's failed ones, the log loss rule among them
    const failed = report.rules.filter((r) => !r.passed).map((r) => r.rule)
    expect(failed).toContain(report.rules[2]!.rule)
    expect(latest[0]!.latestGate!.failedRules).toEqual(failed)
    expect(latest[1]!.latestEvaluation!.version).toBe(1)
    // every stored result has exactly one audit record, in the order it was stored: the two
    // evaluations of the first test, the shadow, then the policy, the candidate's and the champion's
    // evaluations on the gate's data, and the check itself; failed jobs left none
    const audit = slipway.core.db
      .prepare(
        "SELECT a.action, a.actor, v.version, a.details_json FROM audit_events a LEFT JOIN model_versions v ON v.id = a.version_id WHERE a.action IN ('evaluation.store','shadow.store','gate.check','gate-policy.set') ORDER BY a.id",
      )
      .all() as { action: string; actor: string; version: number | null; details_json: string }[]
    const evaluationIds = (
      slipway.core.db.prepare('SELECT id FROM evaluations ORDER BY id').all() as { id: number }[]
    ).map((r) => r.id)
    expect(evaluationIds).toHaveLength(4)
    expect(
      audit.map((a) => ({
        action: a.action,
        actor: a.actor,
        version: a.version,
        details: JSON.parse(a.details_json) as Record<string, unknown>,
      })),
    ).toEqual([
      {
        action: 'evaluation.store',
        actor: 'tester',
        version: 2,
        details: expect.objectContaining({ evaluationId: evaluationIds[0], version: 2 }),
      },
      {
        action: 'evaluation.store',
        actor: 'tester',
        version: 2,
        details: expect.objectContaining({ evaluationId: evaluationIds[1], version: 2 }),
      },
      {
        action: 'shadow.store',
        actor: 'tester',
        version: 2,
        details: expect.objectContaining({ champion: 'churn v1', challenger: 'churn v2' }),
      },
      {
        action: 'gate-policy.set',
        actor: 'tester',
        version: null,
        details: { model: 'churn', policy },
      },
      {
        action: 'evaluation.store',
        actor: 'tester',
        version: 2,
        details: expect.objectContaining({ evaluationId: report.evaluationId, version: 2 }),
      },
      {
        action: 'evaluation.store',
        actor: 'tester',
        version: 1,
        details: expect.objectContaining({
          evaluationId: report.baseline!.evaluationId,
          version: 1,
        }),
      },
      {
        action: 'gate.check',
        actor: 'tester',
        version: 2,
        details: expect.objectContaining({
          reportId: report.id,
          passed: false,
          evaluationId: report.evaluationId,
        }),
      },
    ])
  })

  it('a policy naming an unknown metric fails the gate job with a message naming it', async () => {
    const job = await slipway.call('gates:check', {
      model: 'churn',
      ref: 2,
      dataset: { datasetId: 'tree_ensemble-eval' },
      policy: { rules: [{ metric: 'mae', threshold: 1, greaterIsBetter: false }] },
    })
    const done = await slipway.core.jobs.wait(job.id)
    expect(done.error).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/metric "mae"/),
    })
  })

  it('saved column mapping per model is used when the automatic one does not fit', async () => {
    await slipway.call('registry:register', {
      file: { path: path.join(FIX, 'models/linear_nometa.onnx') },
      model: 'nometa',
    })
    // a CSV with an extra numeric column: the numeric-columns rule no longer fits
    const file = path.join(home, 'extra.csv')
    const lines = fs
      .readFileSync(path.join(FIX, 'data/linear_nometa-eval.csv'), 'utf8')
      .trim()
      .split('\n')
    fs.writeFileSync(file, lines.map((l, i) => `${l},${i === 0 ? 'extra' : i}`).join('\n') + '\n')
    const failed = await slipway.core.jobs.wait(
      (await slipway.call('eval:start', { model: 'nometa', ref: 1, dataset: { path: file } })).id,
    )
    expect(failed.error?.code).toBe('MAPPING_INVALID')
    expect(failed.error?.message).toMatch(
      /takes 3 features, but extra has 4 numeric non-label columns \(x0, x1, x2, extra\)/,
    )
    await slipway.call('eval:set-mapping', {
      model: 'nometa',
      mapping: { '0': 'x0', '1': 'x1', '2': 'x2' },
    })
    const ok = await waitJob<Evaluation>(
      (await slipway.call('eval:start', { model: 'nometa', ref: 1, dataset: { path: file } })).id,
    )
    expect(ok.mapping.source).toBe('saved')
    expect((ok.result.metrics as ClassificationMetrics).accuracy).toBeCloseTo(
      refs.models.linear_nometa!.accuracy!,
      12,
    )
  })

  it('cancelling a running evaluation stops the worker and stores nothing', async () => {
    const file = path.join(home, 'big.csv')
    const lines = ['age,income,tenure,balance,label']
    for (let i = 0; i < 4_000; i++)
      lines.push(`${(i % 97) / 50},${(i % 13) / 7},${(i % 31) / 9},${(i % 7) / 3},${i % 2}`)
    fs.writeFileSync(file, lines.join('\n') + '\n')
    const before = count('evaluations')
    // The worker stops after its first batch until cancelled: the cancel lands mid-inference.
    const done = await withTestHold(/of 4,000 rows$/, async () => {
      const job = await slipway.call('eval:start', {
        model: 'churn',
        ref: 1,
        dataset: { path: file },
        batchSize: 8,
      })
      expect(await held(slipway, job.id)).toMatch(/: 8 of 4,000 rows$/)
      await slipway.call('jobs:cancel', { jobId: job.id })
      return slipway.core.jobs.wait(job.id)
    })
    expect(done.status).toBe('cancelled')
    expect(done.error?.code).toBe('CANCELLED')
    expect(count('evaluations')).toBe(before)
  })
  it("a new file is imported from the run's own parse: the same profile as `dataset add`", async () => {
    const source = path.join(FIX, 'data/tree_ensemble-eval.csv')
    const file = path.join(home, 'one-parse.csv')
    // Bytes of their own (the last row left out): not a dataset the home already holds.
    const lines = fs.readFileSync(source, 'utf8').trimEnd().split('\n')
    fs.writeFileSync(file, `${lines.slice(0, -1).join('\n')}\n`)
    const job = await slipway.call('eval:start', {
      model: 'churn',
      ref: 1,
      dataset: { path: file },
    })
    const evaluation = await waitJob<Evaluation>(job.id)
    const viaRun = await slipway.call('datasets:get', { id: evaluation.dataset.id })
    expect(viaRun.name).toBe('one-parse')
    // The same bytes imported the ordinary way, in another home, describe the file identically.
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-eval-other-'))
    const second = new Slipway({ home: other, actor: 'tester' })
    try {
      const add = await second.call('datasets:add', { file: { path: file } })
      const viaImport = await second.jobResult(add.id, 'dataset-import')
      expect(viaRun.sha256).toBe(viaImport.sha256)
      expect(viaRun.rows).toBe(viaImport.rows)
      expect(viaRun.format).toBe('csv')
      expect(viaRun.profile).toEqual(viaImport.profile)
      expect(viaRun.profile.length).toBeGreaterThan(3)
      // The run wrote the dataset's snapshot too: the very one `dataset add` writes, which the
      // next run reads instead of parsing the file.
      const tableOf = (s: Slipway, id: number): string | null =>
        (
          s.core.db.prepare('SELECT table_sha256 FROM datasets WHERE id = ?').get(id) as {
            table_sha256: string | null
          }
        ).table_sha256
      const runTable = tableOf(slipway, viaRun.id)
      expect(runTable).toMatch(/^[0-9a-f]{64}$/)
      expect(runTable).toBe(tableOf(second, viaImport.id))
      const snapshot = { path: path.join(home, 'tables', `${runTable}.tbl`), sha256: runTable ?? '' }
      expect(readSnapshot(snapshot)).toEqual(await loadTable(file))
      expect(fs.readdirSync(path.join(home, 'tables')).filter((f) => f.endsWith('.tmp'))).toEqual(
        [],
      )
    } finally {
      second.close()
      fs.rmSync(other, { recursive: true, force: true })
    }
  })

  it("a stored dataset's runs read its snapshot; a snapshot altered, short or gone is not used", async () => {
    const source = path.join(FIX, 'data/tree_ensemble-eval.csv')
    const file = path.join(home, 'snapshotted.csv')
    const lines = fs.readFileSync(source, 'utf8').trimEnd().split('\n')
    fs.writeFileSync(file, `${lines.slice(0, -2).join('\n')}\n`)
    const add = await slipway.call('datasets:add', { file: { path: file } })
    const dataset = await slipway.jobResult(add.id, 'dataset-import')
    const row = slipway.core.db
      .prepare('SELECT table_sha256 FROM datasets WHERE id = ?')
      .get(dataset.id) as { table_sha256: string | null }
    expect(row.table_sha256).toMatch(/^[0-9a-f]{64}$/)
    const tables = path.join(home, 'tables')
    const snapshot = path.join(tables, `${row.table_sha256}.tbl`)
    const bytes = fs.readFileSync(snapshot)
    // Only the kept snapshot is left: no temporary file.
    expect(fs.readdirSync(tables).filter((f) => f.endsWith('.tmp'))).toEqual([])

    const evaluate = async (): Promise<{ evaluation: Evaluation }> => {
      const job = await slipway.call('eval:start', {
        model: 'churn',
        ref: 2,
        dataset: { datasetId: dataset.id },
        costMatrix: { tp: 50, fp: -5, tn: 0, fn: -20 },
      })
      const evaluation = await waitJob<Evaluation>(job.id)
      return { evaluation }
    }
    const fromSnapshot = (await evaluate()).evaluation
    const metrics = (e: Evaluation): unknown => e.result.metrics
    // Runs read the snapshot: one written with half its labels flipped, and named by the row,
    // changes the metrics (the file was not parsed).
    const table = readSnapshot({ path: snapshot, sha256: row.table_sha256 ?? '' })
    expect(table?.rowCount).toBe(lines.length - 3)
    const label = table?.columns.find((c) => c.name === 'label')
    if (!table || label?.kind !== 'numeric') throw new Error('no numeric label column')
    for (let i = 0; i < label.values.length; i += 2) label.values[i] = 1 - (label.values[i] ?? 0)
    const forged = path.join(tables, 'forged.tmp')
    const { sha256: forgedSha } = writeSnapshot(table, forged)
    fs.renameSync(forged, path.join(tables, `${forgedSha}.tbl`))
    const setTable = slipway.core.db.prepare('UPDATE datasets SET table_sha256 = ? WHERE id = ?')
    setTable.run(forgedSha, dataset.id)
    const relabelled = (await evaluate()).evaluation
    expect(metrics(relabelled)).not.toEqual(metrics(fromSnapshot))
    setTable.run(row.table_sha256, dataset.id)
    expect(metrics((await evaluate()).evaluation)).toEqual(metrics(fromSnapshot))

    // Altered by one bit: not used, the file is parsed, the result is the same.
    const flipped = Buffer.from(bytes)
    flipped[flipped.length - 20] = (flipped[flipped.length - 20] ?? 0) ^ 1
    fs.writeFileSync(snapshot, flipped)
    const altered = (await evaluate()).evaluation
    expect(metrics(altered)).toEqual(metrics(fromSnapshot))
    // Short, then gone: the same.
    fs.writeFileSync(snapshot, bytes.subarray(0, bytes.length - 8))
    expect(metrics((await evaluate()).evaluation)).toEqual(metrics(fromSnapshot))
    fs.rmSync(snapshot)
    expect(metrics((await evaluate()).evaluation)).toEqual(metrics(fromSnapshot))
    expect(fromSnapshot.dataset.rows).toBe(lines.length - 3)
  })

  it('a deleted dataset keeps its snapshot in the trash until the purge; a failed import leaves none', async () => {
    const file = path.join(home, 'to-delete.csv')
    const lines = fs
      .readFileSync(path.join(FIX, 'data/tree_ensemble-eval.csv'), 'utf8')
      .trimEnd()
      .split('\n')
    fs.writeFileSync(file, `${lines.slice(0, -3).join('\n')}\n`)
    const add = await slipway.call('datasets:add', { file: { path: file } })
    const dataset = await slipway.jobResult(add.id, 'dataset-import')
    const { table_sha256: sha } = slipway.core.db
      .prepare('SELECT table_sha256 FROM datasets WHERE id = ?')
      .get(dataset.id) as { table_sha256: string }
    const snapshot = path.join(home, 'tables', `${sha}.tbl`)
    expect(fs.existsSync(snapshot)).toBe(true)
    const removed = await slipway.call('datasets:remove', { id: dataset.id })
    // In the trash it can come back: its snapshot stays, the start-up sweep keeps it too.
    expect(fs.existsSync(snapshot)).toBe(true)
    new Slipway({ home, actor: 'tester' }).close()
    expect(fs.existsSync(snapshot)).toBe(true)
    await slipway.call('trash:restore', { id: removed.trashId })
    expect(datasetSnapshot(slipway.core, dataset.id)?.path).toBe(snapshot)
    const back = await slipway.call('eval:start', {
      model: 'churn',
      ref: 1,
      dataset: { datasetId: dataset.id },
    })
    expect((await waitJob<Evaluation>(back.id)).dataset.rows).toBe(lines.length - 4)
    // Retired now (its evaluation kept), then purged: the snapshot goes with the entry.
    await slipway.call('datasets:remove', { id: dataset.id, keepResults: true })
    expect(fs.existsSync(snapshot)).toBe(true)
    purgeTrash(slipway.core, Date.now() + (TRASH_DAYS + 1) * 86_400_000)
    expect(fs.existsSync(snapshot)).toBe(false)

    const before = fs.readdirSync(path.join(home, 'tables')).sort()
    const bad = path.join(home, 'ragged.csv')
    fs.writeFileSync(bad, 'a,b\n1,2\n3\n')
    const failed = await slipway.call('datasets:add', { file: { path: bad } })
    const job = await slipway.core.jobs.wait(failed.id)
    expect(job.status).toBe('failed')
    expect(fs.readdirSync(path.join(home, 'tables')).sort()).toEqual(before)

    // What a killed process leaves is removed at the next start: a temporary file of a dead
    // writer, and a snapshot no dataset names. A live dataset's snapshot and a running writer's
    // file stay.
    const tables = path.join(home, 'tables')
    const live = path.join(home, 'live.csv')
    fs.writeFileSync(live, `${lines.slice(0, -6).join('\n')}\n`)
    await slipway.jobResult(
      (await slipway.call('datasets:add', { file: { path: live } })).id,
      'dataset-import',
    )
    const named = new Set(
      (
        slipway.core.db
          .prepare('SELECT table_sha256 AS sha FROM datasets WHERE retired_at IS NULL')
          .all() as { sha: string | null }[]
      ).map((r) => `${r.sha}.tbl`),
    )
    const kept = fs.readdirSync(tables).filter((f) => named.has(f))
    expect(kept.length).toBeGreaterThan(0)
    const deadWriter = path.join(tables, 'p999999999-00ff00ff00ff00ff.tmp')
    const liveWriter = path.join(tables, `p${process.pid}-0123456789abcdef.tmp`)
    const orphan = path.join(tables, `${'ab'.repeat(32)}.tbl`)
    for (const f of [deadWriter, liveWriter, orphan]) fs.writeFileSync(f, 'x')
    const reopened = new Slipway({ home, actor: 'tester' })
    reopened.close()
    expect(fs.existsSync(deadWriter)).toBe(false)
    expect(fs.existsSync(orphan)).toBe(false)
    expect(fs.existsSync(liveWriter)).toBe(true)
    for (const f of kept) expect(fs.existsSync(path.join(tables, f)), f).toBe(true)
    fs.rmSync(liveWriter)
  })

  it('a file read while it is stored: bytes already a dataset are that dataset; a failed run keeps nothing', async () => {
    const source = path.join(FIX, 'data/tree_ensemble-eval.csv')
    const lines = fs.readFileSync(source, 'utf8').trimEnd().split('\n')
    const first = path.join(home, 'overlap-a.csv')
    fs.writeFileSync(first, `${lines.slice(0, -4).join('\n')}\n`)
    const add = await slipway.call('datasets:add', { file: { path: first }, name: 'kept-name' })
    const dataset = await slipway.jobResult(add.id, 'dataset-import')
    // The same bytes under another file name: evaluated as the dataset that holds them.
    const copy = path.join(home, 'overlap-b.csv')
    fs.copyFileSync(first, copy)
    const datasetsBefore = count('datasets')
    const job = await slipway.call('eval:start', {
      model: 'churn',
      ref: 1,
      dataset: { path: copy },
    })
    const evaluation = await waitJob<Evaluation>(job.id)
    expect(evaluation.dataset).toMatchObject({
      id: dataset.id,
      name: 'kept-name',
      sha256: dataset.sha256,
    })
    expect(count('datasets')).toBe(datasetsBefore)

    // New bytes, a run that fails on them (no such label): no dataset row, no blob, no evaluation.
    const fresh = path.join(home, 'overlap-c.csv')
    fs.writeFileSync(fresh, `${lines.slice(0, -5).join('\n')}\n`)
    const blobsBefore = blobFiles(home).sort()
    const evaluationsBefore = count('evaluations')
    const failing = await slipway.call('eval:start', {
      model: 'churn',
      ref: 1,
      dataset: { path: fresh },
      label: 'no_such_column',
    })
    const failed = await slipway.core.jobs.wait(failing.id)
    expect(failed.status).toBe('failed')
    expect(failed.error?.message).toContain('no_such_column')
    expect(count('datasets')).toBe(datasetsBefore)
    expect(count('evaluations')).toBe(evaluationsBefore)
    expect(blobFiles(home).sort()).toEqual(blobsBefore)
    // Neither run left a snapshot behind: each one there is a dataset's, and no temporary.
    const tables = fs.readdirSync(path.join(home, 'tables'))
    expect(tables.filter((f) => f.endsWith('.tmp'))).toEqual([])
    const named = new Set(
      (
        slipway.core.db
          .prepare('SELECT table_sha256 AS sha FROM datasets WHERE table_sha256 IS NOT NULL')
          .all() as { sha: string }[]
      ).map((r) => `${r.sha}.tbl`),
    )
    expect(tables.length).toBeGreaterThan(0)
    expect(tables.filter((f) => !named.has(f))).toEqual([])
  })
})
