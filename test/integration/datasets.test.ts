// Dataset import through the service (a job, parsing in the worker thread) and through the built
// CLI, against a real registry home: rows, blobs, audit, re-import, failures that leave nothing.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DatasetImported } from '../../src/api/datasets'
import type { Job } from '../../src/api/jobs'
import { DuckDBInstance } from '@duckdb/node-api'
import { describeFile, startProfiles, writeAndProfile } from '../../src/core/data/describe'
import {
  createSnapshotFile,
  finishSnapshot,
  readSnapshot,
  snapshotLayout,
} from '../../src/core/data/snapshot'
import { profileTable } from '../../src/core/data/profile'
import { datasetPath, importDataset } from '../../src/core/data/import'
import { loadTable } from '../../src/core/data/load'
import { resolveLocalFile } from '../../src/core/context'
import { Slipway } from '../../src/core/service'
import { held, withTestHold } from '../helpers/hold'
import { purgeTrash, TRASH_DAYS } from '../../src/core/trash/trash'

const root = path.resolve(__dirname, '..', '..')
const fixture = (name: string): string => path.join(root, 'test', 'fixtures', 'csv', name)
const cli = path.join(root, 'out', 'node', 'cli.cjs')

let home: string
let slipway: Slipway

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-datasets-'))
  slipway = new Slipway({ home, actor: 'tester' })
})
afterEach(() => {
  slipway.close()
  fs.rmSync(home, { recursive: true, force: true })
})

async function add(input: unknown): Promise<Job> {
  const job = await slipway.call('datasets:add', input)
  expect(job.kind).toBe('dataset-import')
  return slipway.core.jobs.wait(job.id)
}

const sha256Of = (file: string): string =>
  createHash('sha256').update(fs.readFileSync(file)).digest('hex')
const datasetRows = (): number =>
  (slipway.core.db.prepare('SELECT COUNT(*) AS n FROM datasets').get() as { n: number }).n
const blobFiles = (): string[] =>
  fs
    .readdirSync(path.join(home, 'blobs'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)

/** A CSV big enough (> 256 KiB) to be parsed in the worker thread, not in this one. */
function bigCsv(rows: number): string {
  const file = path.join(home, `big-${rows}.csv`)
  const lines = ['x1,x2,segment,label']
  for (let i = 0; i < rows; i++) lines.push(`${(i % 97) / 7},${i * 0.5},s${i % 5},${i % 2}`)
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

describe('datasets:add', () => {
  it('imports a CSV as a job: row, blob snapshot, profile and one audit record', async () => {
    const job = await add({ file: { path: fixture('types.csv') }, name: 'Types' })
    expect(job.status).toBe('done')
    const result = job.result as DatasetImported
    expect(result).toMatchObject({
      name: 'Types',
      rows: 6,
      format: 'csv',
      existing: false,
      createdBy: 'tester',
    })
    expect(result.columns).toEqual(['flag', 'when', 'day', 'color', 'note', 'score'])
    expect(result.profile.map((c) => c.kind)).toEqual([
      'boolean',
      'timestamp',
      'timestamp',
      'categorical',
      'text',
      'numeric',
    ])
    expect(result.sha256).toBe(sha256Of(fixture('types.csv')))
    const snapshot = datasetPath(slipway.core, result.id)
    expect(fs.readFileSync(snapshot)).toEqual(fs.readFileSync(fixture('types.csv')))
    const audit = slipway.core.db
      .prepare("SELECT actor, details_json FROM audit_events WHERE action = 'dataset.import'")
      .all() as { actor: string; details_json: string }[]
    expect(audit).toHaveLength(1)
    expect(JSON.parse(audit[0]!.details_json)).toMatchObject({
      datasetId: result.id,
      sha256: result.sha256,
      rows: 6,
    })

    const got = await slipway.call('datasets:get', { id: 'Types' })
    expect(got.profile).toEqual(result.profile)
    expect((await slipway.call('datasets:list', {})).map((d) => d.id)).toEqual([result.id])
  })

  it('parses a large file in the worker thread with progress', async () => {
    const file = bigCsv(40_000)
    const progress: number[] = []
    const stop = slipway.core.jobs.onUpdate((j) => progress.push(j.progress.done))
    const job = await add({ file: { path: file } })
    stop()
    expect(job.status).toBe('done')
    const result = job.result as DatasetImported
    expect(result.name).toBe('big-40000')
    expect(result.rows).toBe(40_000)
    expect(result.profile.find((c) => c.name === 'x2')!.max).toBe(19_999.5)
    expect(result.profile.find((c) => c.name === 'segment')).toMatchObject({
      kind: 'categorical',
      distinct: 5,
    })
    expect(progress.at(-1)).toBe(1000)
  })

  it('imports Parquet, and the snapshot reads back as the same table', async () => {
    const file = path.join(home, 'scores.parquet')
    const instance = await DuckDBInstance.create(':memory:')
    const connection = await instance.connect()
    await connection.run(
      `COPY (SELECT i AS id, i * 0.5 AS score, 'g' || (i % 3)::VARCHAR AS grp FROM range(1000) t(i)) TO '${file}' (FORMAT parquet)`,
    )
    connection.closeSync()
    instance.closeSync()
    const job = await add({ file: { path: file } })
    const result = job.result as DatasetImported
    expect(result).toMatchObject({
      name: 'scores',
      format: 'parquet',
      rows: 1000,
      columns: ['id', 'score', 'grp'],
    })
    expect(result.profile.map((c) => c.kind)).toEqual(['numeric', 'numeric', 'categorical'])
    const snapshot = datasetPath(slipway.core, result.id)
    expect(path.extname(snapshot)).toBe('')
    expect(await loadTable(snapshot)).toEqual(await loadTable(file))
  })

  it('returns the existing dataset when the same bytes are imported again', async () => {
    const first = (await add({ file: { path: fixture('quoted.csv') } })).result as DatasetImported
    const copy = path.join(home, 'renamed.csv')
    fs.copyFileSync(fixture('quoted.csv'), copy)
    const second = (await add({ file: { path: copy }, name: 'other name' }))
      .result as DatasetImported
    expect(second.existing).toBe(true)
    expect(second.id).toBe(first.id)
    expect(second.name).toBe('quoted')
    expect(datasetRows()).toBe(1)
  })

  it('leaves no row and no blob when the file is bad, and names the row and column', async () => {
    const job = await add({ file: { path: fixture('orders.csv') } })
    expect(job.status).toBe('failed')
    expect(job.error?.code).toBe('DATA_INVALID')
    expect(job.error?.message).toMatch(
      /^orders\.csv: row 1043, column "amount": "12,5O" is not a number/,
    )
    expect(datasetRows()).toBe(0)
    expect(blobFiles()).toEqual([])
  })

  it('removes the blob it created when the database write fails', async () => {
    slipway.core.db.exec(
      "CREATE TEMP TRIGGER refuse BEFORE INSERT ON datasets BEGIN SELECT RAISE(ABORT, 'disk is full'); END",
    )
    const job = await add({ file: { path: fixture('types.csv') } })
    expect(job.status).toBe('failed')
    expect(job.error?.message).toContain('disk is full')
    expect(datasetRows()).toBe(0)
    expect(blobFiles()).toEqual([])
    const audit = slipway.core.db.prepare('SELECT COUNT(*) AS n FROM audit_events').get() as {
      n: number
    }
    expect(audit.n).toBe(0)
  })

  it('can be cancelled, leaving nothing', async () => {
    // Over the in-process limit (256 KiB), so the import runs in a worker, which stops while
    // reading the file until cancelled.
    const file = bigCsv(20_000)
    const finished = await withTestHold(/^Reading/, async () => {
      const job = await slipway.call('datasets:add', { file: { path: file } })
      expect(await held(slipway, job.id)).toMatch(/^Reading/)
      await slipway.call('jobs:cancel', { jobId: job.id })
      return slipway.core.jobs.wait(job.id)
    })
    expect(finished.status).toBe('cancelled')
    expect(datasetRows()).toBe(0)
    expect(blobFiles()).toEqual([])
  })

  it('consumes an uploaded file and refuses paths from web mode', async () => {
    const upload = await slipway.core.uploads.create(
      Readable.from([fs.readFileSync(fixture('semicolon.csv'))]),
      'weather.csv',
    )
    const job = await add({ file: { uploadId: upload.uploadId } })
    expect((job.result as DatasetImported).name).toBe('weather')
    expect(() => slipway.core.uploads.get(upload.uploadId)).toThrow('gone')
    const refused = await slipway.invoke(
      'datasets:add',
      { file: { path: fixture('types.csv') } },
      { face: 'web', readLocalPaths: false },
    )
    expect(refused).toEqual({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: 'Web mode accepts uploaded files only, not paths on disk',
      },
    })
  })

  it('an upload another call consumed first is reported as gone, without its path', async () => {
    const upload = await slipway.core.uploads.create(
      Readable.from([fs.readFileSync(fixture('semicolon.csv'))]),
      'weather.csv',
    )
    // Two imports of one dropped file: both resolved the upload, the other one finished first.
    const resolved = slipway.core.resolveFile(
      { uploadId: upload.uploadId },
      { face: 'web', readLocalPaths: false },
    )
    slipway.core.uploads.remove(upload.uploadId)
    await expect(
      importDataset(slipway.core, resolved, { actor: slipway.core.homeActor() }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'weather.csv: the uploaded file is gone (another call used it); upload it again',
    })
    expect(datasetRows()).toBe(0)
    expect(blobFiles()).toEqual([])
  })

  it('refuses a missing file before starting a job', async () => {
    const before = [datasetRows(), blobFiles().length, slipway.core.jobs.list().length]
    const result = await slipway.invoke(
      'datasets:add',
      { file: { path: path.join(home, 'nope.csv') } },
      { face: 'cli', readLocalPaths: true },
    )
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'BAD_FILE', message: expect.stringMatching(/nope\.csv: no such file/) },
    })
    expect([datasetRows(), blobFiles().length, slipway.core.jobs.list().length]).toEqual(before)
  })
})

describe('importDataset (for the registry lineage) and remove', () => {
  it('imports directly, and removes a dataset nothing refers to', async () => {
    const result = await importDataset(slipway.core, resolveLocalFile(fixture('crlf.csv')), {
      actor: slipway.core.homeActor(),
      name: 'letters',
    })
    expect(result).toMatchObject({ name: 'letters', rows: 3, existing: false })
    const removed = await slipway.call('datasets:remove', { id: 'letters' })
    expect(removed).toEqual({ id: result.id, removed: true, trashId: expect.any(Number) })
    expect(datasetRows()).toBe(0)
    // The snapshot waits in the trash (restorable) until the purge, 30 days on.
    expect(blobFiles()).toHaveLength(1)
    purgeTrash(slipway.core, Date.now() + (TRASH_DAYS + 1) * 86_400_000)
    expect(blobFiles()).toEqual([])
    await expect(slipway.call('datasets:get', { id: result.id })).rejects.toThrow(
      `No dataset with id ${result.id}`,
    )
  })

  it('finds a dataset named with digits only, by id first and then by that name', async () => {
    const named = await importDataset(slipway.core, resolveLocalFile(fixture('crlf.csv')), {
      actor: slipway.core.homeActor(),
      name: '2024',
    })
    expect(named.id).not.toBe(2024)
    expect((await slipway.call('datasets:get', { id: 2024 })).id).toBe(named.id)
    expect((await slipway.call('datasets:get', { id: '2024' })).id).toBe(named.id)
    // An id that exists wins over a name that looks like it.
    expect((await slipway.call('datasets:get', { id: named.id })).name).toBe('2024')
  })

  it('is the training data of a registered version, which then cannot be removed', async () => {
    const model = path.join(root, 'test', 'fixtures', 'models', 'linear_binary.onnx')
    const train = path.join(root, 'test', 'fixtures', 'data', 'linear_binary-train.csv')
    await slipway.call('registry:register', {
      file: { path: model },
      model: 'churn',
      trainingData: { path: train },
    })
    const [dataset] = await slipway.call('datasets:list', {})
    expect(dataset).toMatchObject({ name: 'linear_binary-train' })
    await expect(slipway.call('datasets:remove', { id: dataset!.id })).rejects.toThrow(
      'Dataset "linear_binary-train" (id 1) is the training data of 1 model version; it cannot be removed',
    )
    expect(datasetRows()).toBe(1)
  })
})

describe('CLI', () => {
  const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [cli, '--home', home, ...args], { encoding: 'utf8' })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr }
  }

  it('dataset add --json prints id, sha256, rows, columns and existing', () => {
    slipway.close()
    const first = run('dataset', 'add', fixture('types.csv'), '--name', 'types', '--json')
    expect(first.status).toBe(0)
    const json = JSON.parse(first.stdout) as Record<string, unknown>
    expect(json).toMatchObject({
      id: 1,
      name: 'types',
      rows: 6,
      existing: false,
      columns: ['flag', 'when', 'day', 'color', 'note', 'score'],
    })
    expect(json.sha256).toBe(sha256Of(fixture('types.csv')))
    const again = JSON.parse(
      run('dataset', 'add', fixture('types.csv'), '--json').stdout,
    ) as Record<string, unknown>
    expect(again).toMatchObject({ id: 1, existing: true })

    const list = JSON.parse(run('datasets', '--json').stdout) as { name: string }[]
    expect(list.map((d) => d.name)).toEqual(['types'])
    const show = run('dataset', 'show', 'types')
    expect(show.status).toBe(0)
    expect(show.stdout).toContain('score')
    expect(show.stdout).toMatch(/flag\s+boolean/)
    slipway = new Slipway({ home })
  })

  it('exits 1 with the message for a bad file, as JSON with --json', () => {
    slipway.close()
    const plain = run('dataset', 'add', fixture('ragged.csv'))
    expect(plain.status).toBe(1)
    expect(plain.stderr).toContain('ragged.csv: 3 rows do not have 3 fields like the header')
    const json = run('dataset', 'add', fixture('header_only.csv'), '--json')
    expect(json.status).toBe(1)
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        code: 'DATA_INVALID',
        message: 'header_only.csv: the file has a header but no data rows',
      },
    })
    const missing = run('dataset', 'show', 'nothing', '--json')
    expect(missing.status).toBe(1)
    expect(JSON.parse(missing.stdout)).toEqual({
      error: { code: 'NOT_FOUND', message: 'No dataset "nothing"' },
    })
    slipway = new Slipway({ home })
  })
})

describe('profiles of large tables', () => {
  it('half the numeric columns profiled in a second worker thread give the same profile', async () => {
    const file = fixture('profile.csv')
    const alone = await describeFile(file)
    const shared = await describeFile(file, { parallelProfileCells: 1 })
    expect(alone.columns.filter((c) => c.kind === 'numeric').length).toBeGreaterThanOrEqual(2)
    expect(shared).toEqual(alone)
  })

  it('a snapshot written while profiling: the profiles reuse its keys and equal a plain profile', async () => {
    const file = fixture('profile.csv')
    const table = await loadTable(file)
    const expected = profileTable(table)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-write-profile-'))
    try {
      const tmp = path.join(dir, 'p.tbl')
      const layout = snapshotLayout(table)
      createSnapshotFile(tmp, layout)
      const { profiles, entries } = writeAndProfile(table.columns, {
        path: tmp,
        offsets: layout.offsets,
      })
      expect(profiles).toEqual(expected)
      const { sha256 } = finishSnapshot(tmp, layout, entries.flat())
      expect(readSnapshot({ path: tmp, sha256 })).toEqual(table)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("a run's helper columns are shared by claims: whoever takes each, the same profiles and snapshot", async () => {
    const table = await loadTable(fixture('profile.csv'))
    const expected = profileTable(table)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-claims-'))
    try {
      let byCaller = 0
      for (let round = 0; round < 3; round++) {
        const tmp = path.join(dir, `c${round}.tbl`)
        const layout = snapshotLayout(table)
        createSnapshotFile(tmp, layout)
        // Every numeric column is the helper's; this thread's own share (the text columns) is
        // done at once, so it takes the helper's last columns while that one starts.
        const started = startProfiles(table, 'profile.csv', {
          parallelProfileCells: 1,
          keepColumns: true,
          helperShare: 1,
          snapshot: { path: tmp, layout },
        })
        expect(await started.finish()).toEqual(expected)
        const split = started.helperColumns()
        expect(split.byHelper + split.byCaller).toBe(
          table.columns.filter((c) => c.kind === 'numeric').length,
        )
        byCaller += split.byCaller
        const { sha256 } = finishSnapshot(tmp, layout, started.snapshotEntries())
        expect(readSnapshot({ path: tmp, sha256 })).toEqual(table)
      }
      expect(byCaller).toBeGreaterThan(0)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a run that keeps its columns gives the helper copies: same profiles, columns intact', async () => {
    const file = fixture('profile.csv')
    const table = await loadTable(file)
    const expected = profileTable(table)
    const before = table.columns.map((c) => (c.kind === 'numeric' ? c.values.slice() : null))
    const started = startProfiles(table, 'profile.csv', {
      parallelProfileCells: 1,
      keepColumns: true,
      helperShare: 0.75,
    })
    expect(await started.finish()).toEqual(expected)
    table.columns.forEach((c, i) => {
      if (c.kind === 'numeric') expect(c.values, c.name).toEqual(before[i])
    })
    // Abandoned (a run that failed): the helper stops and the columns are still there.
    const abandoned = startProfiles(table, 'profile.csv', {
      parallelProfileCells: 1,
      keepColumns: true,
    })
    abandoned.abandon()
    expect(profileTable(table)).toEqual(expected)
  })
})
