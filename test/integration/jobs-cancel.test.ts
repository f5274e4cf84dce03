// Cancelling jobs whose worker is inside onnxruntime must never take the process down: a
// thread terminated mid-inference aborts Node with a fatal N-API error (seen before the fix).
// Each cancel lands at a moment the test names, through the workers' test hold.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Slipway } from '../../src/core/service'
import { held, withTestHold } from '../helpers/hold'
import { fixture, tempHome } from '../helpers/home'

let home: { dir: string; cleanup: () => void }
let slipway: Slipway
let datasetId: number

beforeAll(async () => {
  home = tempHome()
  slipway = new Slipway({ home: home.dir, actor: 'ana' })
  await slipway.call('registry:register', {
    file: { path: fixture('models', 'tree_ensemble.onnx') },
    model: 'churn',
  })
  const file = path.join(home.dir, 'rows.csv')
  const lines = ['age,income,tenure,balance,label']
  for (let i = 0; i < 40_000; i++)
    lines.push(`${(i % 97) / 50},${(i % 13) / 7},${(i % 31) / 9},${(i % 7) / 3},${i % 2}`)
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
  const job = await slipway.call('datasets:add', { file: { path: file } })
  datasetId = ((await slipway.core.jobs.wait(job.id)).result as { id: number }).id
})

afterAll(() => {
  slipway.close()
  home.cleanup()
})

it('survives cancelling evaluations at many different moments, storing none of them', async () => {
  const evaluations = (): number =>
    (slipway.core.db.prepare('SELECT COUNT(*) AS n FROM evaluations').get() as { n: number }).n
  const before = evaluations()
  // Each run stops at a named moment (see test/helpers/hold.ts) and is cancelled there: while
  // reading, after the first batch of several sizes, and after the last batch.
  const moments: { at: RegExp; batchSize: number }[] = [
    { at: /^Reading/, batchSize: 8 },
    { at: /: 8 of 40,000 rows$/, batchSize: 8 },
    { at: /: 512 of 40,000 rows$/, batchSize: 512 },
    { at: /: 4,096 of 40,000 rows$/, batchSize: 4096 },
    { at: /: 40,000 of 40,000 rows$/, batchSize: 8 },
    { at: /: 40,000 of 40,000 rows$/, batchSize: 4096 },
  ]
  for (const { at, batchSize } of moments) {
    const done = await withTestHold(at, async () => {
      const job = await slipway.call('eval:start', {
        model: 'churn',
        ref: 1,
        dataset: { datasetId },
        batchSize,
      })
      expect(await held(slipway, job.id)).toMatch(at)
      await slipway.call('jobs:cancel', { jobId: job.id })
      return slipway.core.jobs.wait(job.id)
    })
    expect(done.status).toBe('cancelled')
  }
  expect(evaluations()).toBe(before)
  const after = await slipway.call('eval:start', { model: 'churn', ref: 1, dataset: { datasetId } })
  expect((await slipway.core.jobs.wait(after.id)).status).toBe('done')
  expect(evaluations()).toBe(before + 1)
})
