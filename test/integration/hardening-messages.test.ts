// The smaller findings of the hardening review, each a clear message or a clean state instead of a
// silent mistake: an empty registry file, absolute blob paths in messages, a dataset removed during
// its evaluation, a newline in a file name, a FIFO given to drift, audit records of a failed run,
// and no CSV parsing on web mode's main thread.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DatasetName } from '../../src/api/datasets'
import { describeInProcess } from '../../src/core/data/import'
import { Slipway } from '../../src/core/service'
import { runCli } from '../helpers/cli'
import { fixture, registerChurnPair, tempHome } from '../helpers/home'
import { held, withTestHold } from '../helpers/hold'
import { importDataset } from '../helpers/jobs'

let home: { dir: string; cleanup: () => void }
beforeEach(() => {
  home = tempHome()
})
afterEach(() => home.cleanup())

const auditActions = (slipway: Slipway): string[] =>
  (
    slipway.core.db.prepare('SELECT action FROM audit_events ORDER BY id').all() as {
      action: string
    }[]
  ).map((r) => r.action)

describe('an empty registry file', () => {
  it('is refused, naming the file, and left as it was', () => {
    const file = path.join(home.dir, 'registry.sqlite')
    fs.writeFileSync(file, '')
    expect(() => new Slipway({ home: home.dir })).toThrow(
      `${file}: the registry database is empty (0 bytes), so it is not a Slipway registry`,
    )
    expect(fs.statSync(file).size).toBe(0)
    const run = runCli(['models', '--home', home.dir, '--json'])
    expect(run.status).toBe(1)
    expect(run.json()).toEqual({
      error: {
        code: 'BAD_FILE',
        message: expect.stringContaining(`${file}: the registry database is empty`),
      },
    })
    expect(fs.statSync(file).size).toBe(0)
  })
})

describe('messages', () => {
  it('never carry the blob store’s absolute paths', async () => {
    const slipway = new Slipway({ home: home.dir })
    try {
      await registerChurnPair(slipway)
      const job = await slipway.call('datasets:add', {
        file: { path: fixture('data', 'linear_binary-eval.csv') },
      })
      const datasetId = ((await slipway.core.jobs.wait(job.id)).result as { id: number }).id
      const v1 = (
        slipway.core.db.prepare('SELECT sha256 FROM model_versions WHERE version = 1').get() as {
          sha256: string
        }
      ).sha256
      fs.rmSync(path.join(home.dir, 'blobs', v1.slice(0, 2), v1))
      const missingModel = await slipway.invoke(
        'eval:start',
        { model: 'churn', ref: 1, dataset: { datasetId } },
        { face: 'web', readLocalPaths: false },
      )
      expect(missingModel).toMatchObject({
        ok: false,
        error: {
          code: 'NOT_FOUND',
          message: expect.stringContaining('churn v1: the model file is missing'),
        },
      })
      expect(JSON.stringify(missingModel)).not.toContain(home.dir)

      const ds = (
        slipway.core.db.prepare('SELECT sha256 FROM datasets WHERE id = ?').get(datasetId) as {
          sha256: string
        }
      ).sha256
      fs.rmSync(path.join(home.dir, 'blobs', ds.slice(0, 2), ds))
      const started = await slipway.call(
        'eval:start',
        { model: 'churn', ref: 2, dataset: { datasetId } },
        { face: 'web', readLocalPaths: false },
      )
      const failed = await slipway.core.jobs.wait(started.id)
      expect(failed.error?.message).toMatch(/is missing from the blob store/)
      expect(JSON.stringify(failed.error)).not.toContain(home.dir)
    } finally {
      slipway.close()
    }
  })

  it('say that a dataset was removed while it was being evaluated', async () => {
    const slipway = new Slipway({ home: home.dir })
    try {
      await registerChurnPair(slipway)
      const file = path.join(home.dir, 'held.csv')
      const lines = ['age,income,tenure,balance,label']
      for (let i = 0; i < 4_000; i++)
        lines.push(
          `${(i % 97) / 50 - 1},${(i % 89) / 40 - 1},${(i % 83) / 30 - 1},${(i % 79) / 20 - 1},${i % 2}`,
        )
      fs.writeFileSync(file, `${lines.join('\n')}\n`)
      const datasetId = await importDataset(slipway, file, 'big')
      // The worker stops after its first batch (the data has been read, the model is running over
      // the rows); the dataset is removed while it waits, then the run carries on to its end.
      const done = await withTestHold(/^churn v1: [\d,]+ of 4,000 rows$/, async (release) => {
        const job = await slipway.call('eval:start', {
          model: 'churn',
          ref: 1,
          dataset: { datasetId },
          batchSize: 500,
        })
        expect(await held(slipway, job.id)).toBe('churn v1: 500 of 4,000 rows')
        expect(slipway.core.jobs.get(job.id).status).toBe('running')
        await slipway.call('datasets:remove', { id: datasetId })
        release()
        return slipway.core.jobs.wait(job.id)
      })
      expect(done.error).toEqual({
        code: 'NOT_FOUND',
        message: `Dataset "big" (id ${datasetId}) was removed while it was being evaluated, so the result was not stored; import it again and rerun`,
      })
    } finally {
      slipway.close()
    }
  })
})

describe('dataset names from file names', () => {
  it('turns a newline in the file name into a valid name', async () => {
    const slipway = new Slipway({ home: home.dir })
    try {
      const file = path.join(home.dir, 'march\nbatch\t2.csv')
      fs.copyFileSync(fixture('data', 'linear_binary-eval.csv'), file)
      const job = await slipway.call('datasets:add', { file: { path: file } })
      const done = await slipway.core.jobs.wait(job.id)
      expect(done.status, done.error?.message).toBe('done')
      const name = (done.result as { name: string }).name
      expect(name).toBe('march batch 2')
      expect(DatasetName.safeParse(name).success).toBe(true)
      // And it is found by that name.
      expect((await slipway.call('datasets:get', { id: name })).name).toBe(name)
    } finally {
      slipway.close()
    }
  })
})

describe.skipIf(process.platform === 'win32')('drift --current FIFO', () => {
  it('says the file is a named pipe, not that there is no such file', () => {
    const fifo = path.join(home.dir, 'stream')
    fs.mkdirSync(home.dir, { recursive: true })
    execFileSync('mkfifo', [fifo])
    const run = runCli([
      'drift',
      '--reference',
      fixture('data', 'linear_binary-train.csv'),
      '--current',
      fifo,
      '--home',
      home.dir,
      '--json',
    ])
    expect(run.status).toBe(1)
    expect(run.json()).toEqual({
      error: {
        code: 'BAD_FILE',
        message: `--current ${fifo}: is a named pipe (FIFO), not a regular file; save the data to a CSV or Parquet file first`,
      },
    })
  })
})

describe('the audit trail of a failed evaluation', () => {
  it('has no import or removal of the dataset the failed run imported', async () => {
    const slipway = new Slipway({ home: home.dir })
    try {
      await registerChurnPair(slipway)
      const before = auditActions(slipway)
      // A file without the label column: imported by the run, then the run fails.
      const noLabel = path.join(home.dir, 'nolabel.csv')
      fs.writeFileSync(noLabel, 'age,income,tenure,balance\n0.1,0.2,0.3,0.4\n0.5,0.6,0.7,0.8\n')
      const job = await slipway.call('eval:start', {
        model: 'churn',
        ref: 1,
        dataset: { path: noLabel },
      })
      const failed = await slipway.core.jobs.wait(job.id)
      expect(failed.status).toBe('failed')
      expect(auditActions(slipway)).toEqual(before)
      expect(
        (slipway.core.db.prepare('SELECT COUNT(*) AS n FROM datasets').get() as { n: number }).n,
      ).toBe(0)

      // A run that succeeds records the import, just before its result.
      const ok = await slipway.call('eval:start', {
        model: 'churn',
        ref: 1,
        dataset: { path: fixture('data', 'linear_binary-eval.csv') },
      })
      expect((await slipway.core.jobs.wait(ok.id)).status).toBe('done')
      expect(auditActions(slipway).slice(before.length)).toEqual([
        'dataset.import',
        'evaluation.store',
      ])
    } finally {
      slipway.close()
    }
  })
})

describe('web mode parses no CSV on its main thread', () => {
  it('sends even a small uploaded file to a worker', () => {
    expect(describeInProcess({ path: '/x.csv', fileName: 'x.csv' }, 10_000)).toBe(true)
    expect(describeInProcess({ path: '/u', fileName: 'x.csv', uploadId: 'abc' }, 10_000)).toBe(
      false,
    )
    expect(describeInProcess({ path: '/x.csv', fileName: 'x.csv' }, 10_000_000)).toBe(false)
  })
})
