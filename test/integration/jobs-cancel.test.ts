// Cancelling jobs whose worker is inside onnxruntime must never take the process down: a
// thread terminated mid-inference aborts Node with a fatal N-API error (seen before the fix).
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Slipway } from '../../src/core/service'
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
  let cancelled = 0
  for (let k = 0; k < 12; k++) {
    const job = await slipway.call('eval:start', {
      model: 'churn',
      ref: 1,
      dataset: { datasetId },
      batchSize: 8,
    })
    await new Promise((resolve) => setTimeout(resolve, 20 + k * 25))
    await slipway.call('jobs:cancel', { jobId: job.id })
    const done = await slipway.core.jobs.wait(job.id)
    expect(['cancelled', 'done']).toContain(done.status)
    if (done.status === 'cancelled') cancelled++
  }
  expect(cancelled).toBeGreaterThan(0)
  expect(evaluations()).toBe(before + (12 - cancelled))
  // Give the cancelled workers time to reach their checkpoint and exit while we are alive.
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const after = await slipway.call('eval:start', { model: 'churn', ref: 1, dataset: { datasetId } })
  expect((await slipway.core.jobs.wait(after.id)).status).toBe('done')
})
