// A failed or cancelled evaluation, shadow or gate check stores nothing —
// neither its results nor the dataset it imported from a file for the run (the audit chain, being
// append-only, records that import and its removal, and nothing else).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DriftReport } from '../../src/api/drift'
import type { GateReport } from '../../src/api/evaluation'
import { runMonitorOnFile } from '../../src/core/drift/monitors'
import { getRun, storeRun } from '../../src/core/drift/service'
import { Slipway } from '../../src/core/service'
import { blobFiles, fixture, registerChurnPair, tempHome } from '../helpers/home'
import { held, withTestHold } from '../helpers/hold'

let home: ReturnType<typeof tempHome>
let slipway: Slipway

const count = (table: string): number =>
  (slipway.core.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n

const snapshot = (): Record<string, number> => ({
  datasets: count('datasets'),
  evaluations: count('evaluations'),
  shadows: count('shadow_comparisons'),
  gates: count('gate_reports'),
  blobs: blobFiles(home.dir).length,
})

const auditSince = (n: number): string[] =>
  (
    slipway.core.db
      .prepare('SELECT action FROM audit_events ORDER BY id LIMIT -1 OFFSET ?')
      .all(n) as {
      action: string
    }[]
  ).map((r) => r.action)

/** A copy of a fixture CSV with a unique trailing row, so its bytes are new to the registry. */
function freshCopy(name: string, fixtureFile: string, extraRows = 0): string {
  const file = path.join(home.dir, name)
  const text = fs.readFileSync(fixture('data', fixtureFile), 'utf8').trimEnd().split('\n')
  const [header, ...rows] = text
  const out = [header!, ...rows]
  for (let i = 0; i < extraRows; i++) out.push(rows[i % rows.length]!)
  fs.writeFileSync(file, out.join('\n') + `\n`)
  return file
}

beforeAll(async () => {
  home = tempHome('slipway-review-')
  slipway = new Slipway({ home: home.dir, actor: 'reviewer' })
  await registerChurnPair(slipway)
  // `mixed`: v1 (champion) has no feature names and takes 3 columns; v2 maps by feature names.
  await slipway.call('registry:register', {
    file: { path: fixture('models', 'linear_nometa.onnx') },
    model: 'mixed',
  })
  await slipway.call('registry:register', {
    file: { path: fixture('models', 'linear_binary.onnx') },
    model: 'mixed',
  })
  await slipway.call('registry:set-alias', { model: 'mixed', version: 1, alias: 'champion' })
  await slipway.call('gates:set-policy', {
    model: 'mixed',
    policy: { rules: [{ metric: 'accuracy', threshold: 0.5, greaterIsBetter: true }] },
  })
})
afterAll(() => {
  slipway.close()
  home.cleanup()
})

describe('failed runs leave nothing behind', () => {
  it('an evaluation from a file that fails on the mapping keeps neither dataset row nor blob', async () => {
    const file = freshCopy('nometa-on-churn.csv', 'linear_binary-eval.csv')
    const before = snapshot()
    const auditBefore = count('audit_events')
    const job = await slipway.call('eval:start', {
      model: 'mixed',
      ref: 1,
      dataset: { path: file },
    })
    const done = await slipway.core.jobs.wait(job.id)
    expect(done.status).toBe('failed')
    expect(done.error?.code).toBe('MAPPING_INVALID')
    expect(snapshot()).toEqual(before)
    // The file is imported from the run's own parse, once the run has succeeded: a run that fails
    // on its data never writes the dataset, so there is no import (nor removal) to record.
    expect(auditSince(auditBefore)).toEqual([])
  })

  it('an evaluation on a file whose label column is empty fails naming file and column', async () => {
    const file = path.join(home.dir, 'no-labels.csv')
    const lines = fs
      .readFileSync(fixture('data', 'linear_binary-eval.csv'), 'utf8')
      .trim()
      .split('\n')
    fs.writeFileSync(
      file,
      [lines[0], ...lines.slice(1, 40).map((l) => l.replace(/,[01]$/, ','))].join('\n') + '\n',
    )
    const before = snapshot()
    const job = await slipway.call('eval:start', {
      model: 'churn',
      ref: 1,
      dataset: { path: file },
    })
    const done = await slipway.core.jobs.wait(job.id)
    expect(done.status).toBe('failed')
    expect(done.error).toEqual({
      code: 'INVALID_INPUT',
      message:
        'no-labels: no row has a value in label column "label" (39 rows), so there is nothing to measure',
    })
    expect(snapshot()).toEqual(before)
  })

  it('a dataset that was already registered stays when an evaluation on it fails', async () => {
    const file = freshCopy('kept.csv', 'linear_binary-eval.csv', 1)
    const added = await slipway.core.jobs.wait(
      (await slipway.call('datasets:add', { file: { path: file } })).id,
    )
    expect(added.status).toBe('done')
    const before = snapshot()
    const auditBefore = count('audit_events')
    const job = await slipway.call('eval:start', {
      model: 'mixed',
      ref: 1,
      dataset: { path: file },
    })
    expect((await slipway.core.jobs.wait(job.id)).status).toBe('failed')
    expect(snapshot()).toEqual(before)
    expect(auditSince(auditBefore)).toEqual([])
  })

  it('a shadow comparison whose challenger cannot map the file keeps nothing', async () => {
    const file = freshCopy('shadow-bad.csv', 'linear_binary-eval.csv', 2)
    const before = snapshot()
    const job = await slipway.call('shadow:start', {
      champion: { model: 'mixed', ref: 2 },
      challenger: { model: 'mixed', ref: 1 },
      dataset: { path: file },
    })
    expect((await slipway.core.jobs.wait(job.id)).status).toBe('failed')
    expect(snapshot()).toEqual(before)
  })

  it('a gate check whose champion cannot be evaluated stores no evaluation of the candidate', async () => {
    const file = freshCopy('gate-bad.csv', 'linear_binary-eval.csv', 3)
    const before = snapshot()
    // v2 evaluates fine on these columns; the champion v1 takes 3 features and the file has 4.
    const job = await slipway.call('gates:check', {
      model: 'mixed',
      ref: 2,
      dataset: { path: file },
    })
    const done = await slipway.core.jobs.wait(job.id)
    expect(done.status).toBe('failed')
    expect(done.error?.message).toMatch(/takes 3 features/)
    expect(snapshot()).toEqual(before)
  })

  it('a gate check cancelled while the champion runs stores nothing and reports cancelled', async () => {
    const file = path.join(home.dir, 'gate-cancel.csv')
    const lines = ['age,income,tenure,balance,label']
    for (let i = 0; i < 3_000; i++)
      lines.push(`${(i % 97) / 50},${(i % 13) / 7},${(i % 31) / 9},${(i % 7) / 3},${i % 2}`)
    fs.writeFileSync(file, lines.join('\n') + '\n')
    const before = snapshot()
    // The champion's evaluation (after the candidate's) stops after its first batch until cancelled.
    const done = await withTestHold(/^churn v1: .* of 3,000 rows$/, async () => {
      const job = await slipway.call('gates:check', {
        model: 'churn',
        ref: 2,
        dataset: { path: file },
        batchSize: 8,
        policy: { rules: [{ metric: 'accuracy', threshold: 0.5, greaterIsBetter: true }] },
      })
      expect(await held(slipway, job.id)).toMatch(/^churn v1: 8 of 3,000 rows$/)
      await slipway.call('jobs:cancel', { jobId: job.id })
      return slipway.core.jobs.wait(job.id)
    })
    expect(done.status).toBe('cancelled')
    expect(snapshot()).toEqual(before)
  })

  it('a gate check of the champion itself evaluates it once and uses it as its own baseline', async () => {
    const before = snapshot()
    const job = await slipway.call('gates:check', {
      model: 'churn',
      ref: 1,
      dataset: { path: fixture('data', 'linear_binary-eval.csv') },
      policy: { rules: [{ metric: 'accuracy', minAbsoluteChange: 0, greaterIsBetter: true }] },
    })
    const done = await slipway.core.jobs.wait(job.id)
    expect(done.status).toBe('done')
    const report = done.result as GateReport
    expect(report.baseline).toEqual({ version: 1, evaluationId: report.evaluationId })
    expect(count('evaluations')).toBe((before.evaluations ?? NaN) + 1)
    expect(count('gate_reports')).toBe((before.gates ?? NaN) + 1)
  })
})

describe('writes that read first take the write lock first', () => {
  it('storing a drift run while another process writes waits for it instead of failing', async () => {
    const job = await slipway.call('drift:start', {
      reference: { file: { path: fixture('data', 'linear_binary-train.csv') } },
      current: { file: { path: fixture('data', 'linear_binary-drifted.csv') } },
      model: { model: 'churn', ref: 1 },
      settings: {},
    })
    const done = await slipway.core.jobs.wait(job.id)
    expect(done.status).toBe('done')
    const { report } = getRun(slipway.core, (done.result as DriftReport).id!)
    const runs = count('drift_runs')
    // Another process takes the write lock, writes, and commits 400 ms later. A deferred
    // transaction that read first would find its snapshot stale at its first write: SQLITE_BUSY.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const db = require('better-sqlite3')(process.argv[1]);
         db.pragma('busy_timeout = 5000');
         db.exec('BEGIN IMMEDIATE');
         db.prepare("UPDATE models SET updated_at = ? WHERE name = 'churn'").run(new Date().toISOString());
         process.stdout.write('locked\\n');
         const until = Date.now() + 400; while (Date.now() < until) {}
         db.exec('COMMIT');`,
        path.join(home.dir, 'registry.sqlite'),
      ],
      { cwd: path.join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    )
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
    const model = slipway.core.db.prepare("SELECT id FROM models WHERE name = 'churn'").get() as {
      id: number
    }
    const stored = storeRun(slipway.core, structuredClone(report), {
      actor: slipway.core.homeActor(),
      model: { modelId: model.id, versionId: null, name: 'churn' },
      monitorId: null,
    })
    await new Promise((resolve) => child.once('exit', resolve))
    expect(stored.id).toBeGreaterThan(0)
    expect(count('drift_runs')).toBe(runs + 1)
  })
})

describe('an upload consumed by a failed call is removed', () => {
  const uploads = (): string[] => fs.readdirSync(path.join(home.dir, 'uploads'))

  it('a dataset import that refuses the uploaded file removes the upload', async () => {
    const upload = await slipway.core.uploads.create(
      Readable.from([fs.readFileSync(fixture('csv', 'bad_numbers.csv'))]),
      'bad_numbers.csv',
    )
    expect(uploads()).toHaveLength(2)
    const before = snapshot()
    const job = await slipway.call(
      'datasets:add',
      { file: { uploadId: upload.uploadId } },
      { face: 'web', readLocalPaths: false },
    )
    const done = await slipway.core.jobs.wait(job.id)
    expect(done.status).toBe('failed')
    expect(done.error?.message).toMatch(/bad_numbers\.csv/)
    expect(snapshot()).toEqual(before)
    expect(uploads()).toEqual([])
  })

  it('an evaluation whose uploaded dataset is refused removes the upload', async () => {
    const upload = await slipway.core.uploads.create(
      Readable.from([fs.readFileSync(fixture('csv', 'bad_numbers.csv'))]),
      'bad_numbers.csv',
    )
    const before = snapshot()
    const job = await slipway.call(
      'eval:start',
      { model: 'churn', ref: 1, dataset: { uploadId: upload.uploadId } },
      { face: 'web', readLocalPaths: false },
    )
    expect((await slipway.core.jobs.wait(job.id)).status).toBe('failed')
    expect(snapshot()).toEqual(before)
    expect(uploads()).toEqual([])
  })

  it('a refused model file removes its training data upload too, and imports nothing', async () => {
    const model = await slipway.core.uploads.create(
      Readable.from([fs.readFileSync(fixture('bad', 'truncated.onnx'))]),
      'truncated.onnx',
    )
    const data = await slipway.core.uploads.create(
      Readable.from([fs.readFileSync(fixture('data', 'linear_binary-train.csv'))]),
      'train.csv',
    )
    const before = snapshot()
    await expect(
      slipway.call(
        'registry:register',
        {
          file: { uploadId: model.uploadId },
          model: 'refused',
          trainingData: { uploadId: data.uploadId },
        },
        { face: 'web', readLocalPaths: false },
      ),
    ).rejects.toThrow(/truncated\.onnx/)
    expect(snapshot()).toEqual(before)
    expect(uploads()).toEqual([])
  })
})

describe('the contract refuses what would silently check nothing', () => {
  it('a gate rule without threshold or minimum change is refused, naming the rule', async () => {
    const before = count('gate_policies')
    const error = await slipway
      .call('gates:set-policy', {
        model: 'churn',
        policy: { rules: [{ metric: 'accuracy', greaterIsBetter: true }] },
      })
      .then(
        () => null,
        (e: unknown) => e as { code: string; message: string },
      )
    expect(error?.code).toBe('INVALID_INPUT')
    expect(error?.message).toMatch(/rules\.0.*checks nothing|checks nothing.*rules\.0/s)
    expect(count('gate_policies')).toBe(before)
    await expect(
      slipway.call('gates:check', {
        model: 'churn',
        ref: 2,
        dataset: { path: fixture('data', 'linear_binary-eval.csv') },
        policy: { rules: [{ metric: 'rocAuc', greaterIsBetter: true }] },
      }),
    ).rejects.toThrow(/checks nothing/)
  })

  it('drift settings refuse column names longer than any real column', async () => {
    const long = 'x'.repeat(5000)
    for (const settings of [
      { timestampColumn: long },
      { label: long },
      { columns: { [long]: {} } },
    ])
      await expect(
        slipway.call('drift:start', {
          reference: { file: { path: fixture('data', 'linear_binary-train.csv') } },
          current: { file: { path: fixture('data', 'linear_binary-drifted.csv') } },
          settings,
        }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })
})

describe('two processes watching one monitor', () => {
  it('a file both found pending is run once: the second finds it claimed', async () => {
    const folder = path.join(home.dir, 'incoming')
    fs.mkdirSync(folder)
    const monitor = await slipway.call('monitors:create', {
      model: 'churn',
      reference: { file: { path: fixture('data', 'linear_binary-train.csv') } },
      source: { kind: 'folder', path: folder },
    })
    const day1 = path.join(folder, 'day1.csv')
    fs.copyFileSync(fixture('data', 'linear_binary-drifted.csv'), day1)
    const stat = fs.statSync(day1)
    const pending = { file: day1, size: stat.size, mtimeMs: stat.mtimeMs }
    // The window and web mode on one home: both scanned the folder before either claimed day1.csv.
    const other = new Slipway({ home: home.dir, actor: 'other' })
    try {
      const first = runMonitorOnFile(slipway.core, monitor, pending)
      const second = runMonitorOnFile(other.core, monitor, pending)
      expect(first).not.toBeNull()
      expect(second).toBeNull()
      expect((await slipway.core.jobs.wait(first!.id)).status).toBe('done')
      const runs = () =>
        (
          slipway.core.db
            .prepare('SELECT COUNT(*) AS n FROM drift_runs WHERE monitor_id = ?')
            .get(monitor.id) as { n: number }
        ).n
      expect(runs()).toBe(1)
      // "Run now" with nothing new still runs the newest file again, on purpose.
      const again = await slipway.call('monitors:run-now', { monitorId: monitor.id })
      expect(again).toHaveLength(1)
      expect((await slipway.core.jobs.wait(again[0]!.id)).status).toBe('done')
      expect(runs()).toBe(2)
    } finally {
      other.close()
    }
  })
})

describe('a monitor deleted by another process while its run is in flight', () => {
  it('keeps the finished run as a run of the model, without the monitor', async () => {
    const monitor = await slipway.call('monitors:create', {
      model: 'churn',
      reference: { file: { path: fixture('data', 'linear_binary-train.csv') } },
      source: { kind: 'file', path: fixture('data', 'linear_binary-drifted.csv') },
    })
    const job = await slipway.call('drift:start', {
      reference: { file: { path: fixture('data', 'linear_binary-train.csv') } },
      current: { file: { path: fixture('data', 'linear_binary-drifted.csv') } },
      settings: {},
    })
    const done = await slipway.core.jobs.wait(job.id)
    const { report } = getRun(slipway.core, (done.result as DriftReport).id!)
    // The other process (another window, web mode) deletes the monitor; this one then stores.
    const other = new Slipway({ home: home.dir, actor: 'other' })
    try {
      await other.call('monitors:delete', { monitorId: monitor.id })
    } finally {
      other.close()
    }
    const model = slipway.core.db.prepare("SELECT id FROM models WHERE name = 'churn'").get() as {
      id: number
    }
    const stored = storeRun(slipway.core, structuredClone(report), {
      actor: slipway.core.homeActor(),
      model: { modelId: model.id, versionId: null, name: 'churn' },
      monitorId: monitor.id,
    })
    expect(stored.id).toBeGreaterThan(0)
    expect(
      slipway.core.db
        .prepare('SELECT monitor_id, model_id FROM drift_runs WHERE id = ?')
        .get(stored.id),
    ).toEqual({ monitor_id: null, model_id: model.id })
  })
})

describe('aliases that version references would shadow', () => {
  it('refuses "v2", "V10" and "latest" as alias names, moving nothing', async () => {
    const events = count('alias_events')
    for (const alias of ['v2', 'V10', 'latest'])
      await expect(
        slipway.call('registry:set-alias', { model: 'churn', version: 1, alias }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/latest/) })
    expect(count('alias_events')).toBe(events)
    // a name that merely starts like one is fine
    await slipway.call('registry:set-alias', { model: 'churn', version: 1, alias: 'v2-candidate' })
    const shown = await slipway.call('registry:get-version', {
      model: 'churn',
      ref: 'v2-candidate',
    })
    expect(shown.version).toBe(1)
  })
})
