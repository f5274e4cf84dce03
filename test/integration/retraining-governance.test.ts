// Retraining in a team home: a successful run opens the recipe's promotion request for a human
// (nothing is promoted automatically); another member approves it and only then the champion
// alias moves. A solo home records the recipe's wish and says no request was opened.
import { afterEach, describe, expect, it } from 'vitest'
import { Slipway } from '../../src/core/service'
import { fixture, tempHome } from '../helpers/home'
import { trainCommand } from '../helpers/retrain'
import { makeTeam, person, send, type Person } from '../helpers/team'

const people: Person[] = []
afterEach(() => people.splice(0).forEach((p) => p.cleanup()))

async function setup(s: Slipway): Promise<void> {
  await s.call('registry:register', {
    file: { path: fixture('models', 'linear_binary.onnx') },
    model: 'churn',
  })
  await s.call('registry:set-alias', { model: 'churn', version: 1, alias: 'champion' })
}

async function recipeAndRun(s: Slipway) {
  for (const [file, name] of [
    ['linear_binary-train.csv', 'churn-train'],
    ['linear_binary-eval.csv', 'churn-eval'],
  ] as const) {
    const job = await s.call('datasets:add', { file: { path: fixture('data', file) }, name })
    await s.core.jobs.wait(job.id)
  }
  await s.call('retrain:set-recipe', {
    model: 'churn',
    recipe: {
      command: trainCommand(),
      trainData: { dataset: 'churn-train' },
      evalData: { dataset: 'churn-eval' },
      params: { epochs: 40 },
      after: { request: 'champion' },
    },
  })
  const { run, job } = await s.call('retrain:start', { model: 'churn' })
  await s.core.jobs.wait(job!.id)
  return s.call('retrain:get', { runId: run.id })
}

describe('retraining and promotion requests', () => {
  it('a team home opens the request; a second member approves; then the alias moves', async () => {
    const ana = await person('Ana')
    const bob = await person('Bob')
    people.push(ana, bob)
    await setup(ana.slipway)
    await makeTeam(ana, [[bob, 'approver']])
    const run = await recipeAndRun(ana.slipway)
    expect(run.status, run.reason ?? '').toBe('succeeded')
    expect(run.requestAlias).toBe('champion')
    expect(run.request).toMatchObject({
      model: 'churn',
      version: 2,
      alias: 'champion',
      status: 'pending',
      requestedBy: 'Ana',
    })
    // Nothing moved by itself: v1 is still the champion, and moving it needs the approval.
    expect(
      (await ana.slipway.call('registry:get-model', { model: 'churn' })).aliases.champion,
    ).toBe(1)
    await expect(
      ana.slipway.call('registry:set-alias', { model: 'churn', version: 2, alias: 'champion' }),
    ).rejects.toThrow(/"champion" of churn is a protected alias/)

    await send(ana, bob)
    const approved = await bob.slipway.call('requests:approve', {
      id: run.request!.id,
      comment: 'retrained on March, beats v1',
    })
    expect(approved.status).toBe('approved')
    await send(bob, ana)
    const moved = await ana.slipway.call('registry:set-alias', {
      model: 'churn',
      version: 2,
      alias: 'champion',
    })
    expect(moved.toVersion).toBe(2)
    expect((await ana.slipway.call('requests:get', { id: run.request!.id })).status).toBe('applied')
    expect((await ana.slipway.call('audit:verify', {})).ok).toBe(true)
  })

  it('a solo home keeps request null and says why', async () => {
    const h = tempHome()
    const s = new Slipway({ home: h.dir })
    try {
      await setup(s)
      const run = await recipeAndRun(s)
      expect(run.status, run.reason ?? '').toBe('succeeded')
      expect(run.request).toBeNull()
      expect(run.requestAlias).toBe('champion')
      expect(run.notes).toContain(
        'This home is not in a team: no promotion request to "champion" opened (the recipe asks for one)',
      )
    } finally {
      s.close()
      h.cleanup()
    }
  })
})
