// Retraining triggers on a real home: a cron schedule under an injected clock (and a run missed
// while closed, run once at start), a drift monitor crossing into drift (exactly one run), new
// labelled data in a watched folder, and a trigger during a run recorded as skipped.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RecipeInput, RetrainRun } from '../../src/api/retraining'
import { RetrainTriggers, type TriggerEvent } from '../../src/core/retraining/triggers'
import { Slipway } from '../../src/core/service'
import { fixture, tempHome } from '../helpers/home'
import { trainCommand, waitFor } from '../helpers/retrain'

let home: { dir: string; cleanup: () => void }
let slipway: Slipway

beforeEach(async () => {
  home = tempHome('slipway-triggers-')
  slipway = new Slipway({ home: home.dir, actor: 'tester' })
  await slipway.call('registry:register', {
    file: { path: fixture('models', 'linear_binary.onnx') },
    model: 'churn',
  })
  await slipway.call('registry:set-alias', { model: 'churn', version: 1, alias: 'champion' })
})

afterEach(() => {
  slipway.close()
  home.cleanup()
})

async function addDataset(file: string, name: string): Promise<number> {
  const job = await slipway.call('datasets:add', { file: { path: fixture('data', file) }, name })
  const done = await slipway.core.jobs.wait(job.id)
  return (done.result as { id: number }).id
}

async function setRecipe(recipe: Partial<RecipeInput>): Promise<string> {
  const record = await slipway.call('retrain:set-recipe', {
    model: 'churn',
    recipe: { command: trainCommand(), params: { epochs: 20 }, ...recipe },
  })
  return record.updatedAt
}

const runs = (): Promise<RetrainRun[]> => slipway.call('retrain:list', { model: 'churn' })

async function settle(): Promise<RetrainRun[]> {
  await waitFor(async () => (await runs()).every((r) => r.status !== 'running'))
  return runs()
}

/** A clock the test moves by hand. */
function manualClock(start: Date): { now(): Date; set(d: Date): void } {
  let t = start
  return { now: () => t, set: (d: Date) => (t = d) }
}

describe('a cron schedule', () => {
  it('fires with an injected clock, once per due time; a trigger during a run is skipped', async () => {
    await addDataset('linear_binary-train.csv', 'churn-train')
    const savedAt = new Date(
      await setRecipe({ trainData: { dataset: 'churn-train' }, schedule: '0 3 * * *' }),
    )
    const dueAfter = (d: Date): Date => {
      const next = new Date(d)
      next.setHours(3, 0, 0, 0)
      if (next <= d) next.setDate(next.getDate() + 1)
      return next
    }
    const first = dueAfter(savedAt)
    const clock = manualClock(new Date(first.getTime() - 60_000))
    const events: TriggerEvent[] = []
    const triggers = new RetrainTriggers(slipway.core, {
      clock,
      tickMs: 0,
      onEvent: (e) => events.push(e),
    })
    expect(triggers.tick()).toEqual([])

    clock.set(new Date(first.getTime() + 1000))
    const [fired] = triggers.tick()
    expect(fired).toMatchObject({ trigger: 'schedule', status: 'running' })
    expect(fired!.triggerDetail).toBe(`schedule "0 3 * * *" due ${first.toISOString()}`)
    // The same due time never fires twice.
    expect(triggers.tick()).toEqual([])
    const done = await settle()
    expect(done.map((r) => r.status)).toEqual(['succeeded'])

    // The next day's run fires while a manual run is in progress: recorded as skipped.
    await setRecipe({
      trainData: { dataset: 'churn-train' },
      schedule: '0 3 * * *',
      command: [...trainCommand(), '--mode', 'hang'],
    })
    const manual = await slipway.call('retrain:start', { model: 'churn' })
    const second = new Date(first.getTime() + 24 * 3600_000)
    clock.set(new Date(second.getTime() + 5000))
    const [skipped] = triggers.tick()
    expect(skipped).toMatchObject({ trigger: 'schedule', status: 'skipped' })
    expect(skipped!.reason).toBe(`Run #${manual.run.id} of churn was still in progress`)
    expect(events.map((e) => e.kind)).toContain('skipped')
    await slipway.call('retrain:cancel', { runId: manual.run.id })
    expect((await settle()).map((r) => [r.trigger, r.status])).toEqual([
      ['schedule', 'skipped'],
      ['manual', 'cancelled'],
      ['schedule', 'succeeded'],
    ])
  })

  it('runs a run missed while closed once at start, and says so', async () => {
    await addDataset('linear_binary-train.csv', 'churn-train')
    const savedAt = new Date(
      await setRecipe({ trainData: { dataset: 'churn-train' }, schedule: '0 * * * *' }),
    )
    // Slipway opens again three hours and a bit later: three hourly runs were missed.
    const opened = new Date(savedAt.getTime() + 3 * 3600_000 + 120_000)
    const clock = manualClock(opened)
    const triggers = new RetrainTriggers(slipway.core, { clock, tickMs: 0 })
    const started = triggers.tick()
    expect(started).toHaveLength(1)
    expect(started[0]!.triggerDetail).toMatch(
      /^missed while Slipway was closed \(due .+, [34] times\); run once at start$/,
    )
    expect(triggers.tick()).toEqual([])
    // Another process opening the same home later does not run the same missed times again.
    const again = new RetrainTriggers(slipway.core, { clock, tickMs: 0 })
    expect(again.tick()).toEqual([])
    expect((await settle()).map((r) => r.status)).toEqual(['succeeded'])
  })
})

describe('a drift monitor crossing into drift', () => {
  it('starts exactly one run, trained on the reference plus the monitored file', async () => {
    const referenceId = await addDataset('linear_binary-train.csv', 'churn-train')
    await addDataset('linear_binary-eval.csv', 'churn-eval')
    const watched = path.join(home.dir, 'incoming')
    fs.mkdirSync(watched)
    const monitor = await slipway.call('monitors:create', {
      model: 'churn',
      reference: { dataset: referenceId },
      source: { kind: 'folder', path: watched },
      retrainOnDrift: true,
    })
    expect(monitor.retrainOnDrift).toBe(true)
    await setRecipe({ trainData: { monitor: monitor.id }, evalData: { dataset: 'churn-eval' } })
    const events: TriggerEvent[] = []
    slipway.startMonitors({ settleMs: 50, triggers: { tickMs: 0, onEvent: (e) => events.push(e) } })

    fs.copyFileSync(fixture('data', 'linear_binary-drifted.csv'), path.join(watched, 'day1.csv'))
    await waitFor(async () => (await runs()).length === 1)
    // A second drifted file: the model is already drifting, so no new crossing and no new run.
    fs.copyFileSync(fixture('data', 'linear_binary-drifted.csv'), path.join(watched, 'day2.csv'))
    await waitFor(async () => (await slipway.call('drift:list', { model: 'churn' })).length === 2)
    await waitFor(async () => slipway.core.jobs.list().every((j) => j.status !== 'running'))
    const all = await settle()
    expect(all).toHaveLength(1)
    const [run] = all
    expect(run!.trigger).toBe('drift')
    expect(run!.triggerDetail).toMatch(/^drift run #\d+ of monitor "churn: incoming": /)
    expect(run!.status, run!.reason ?? '').toBe('succeeded')
    // Reference rows (1,200) then the monitored file's (800), as one training file.
    expect(run!.data!.name).toBe('churn-train + day1.csv')
    const version = await slipway.call('registry:get-version', { model: 'churn', ref: 2 })
    expect(version.lineage.trainingDataset!.rows).toBe(2000)
    expect(events.filter((e) => e.kind === 'drift')).toHaveLength(1)
  })

  it('a paused monitor watches nothing', async () => {
    const referenceId = await addDataset('linear_binary-train.csv', 'churn-train')
    const watched = path.join(home.dir, 'incoming')
    fs.mkdirSync(watched)
    const monitor = await slipway.call('monitors:create', {
      model: 'churn',
      reference: { dataset: referenceId },
      source: { kind: 'folder', path: watched },
    })
    const paused = await slipway.call('monitors:set-paused', {
      monitorId: monitor.id,
      paused: true,
    })
    expect(paused.paused).toBe(true)
    const watcher = slipway.startMonitors({ settleMs: 50, triggers: { tickMs: 0 } })
    void watcher
    fs.copyFileSync(fixture('data', 'linear_binary-drifted.csv'), path.join(watched, 'day1.csv'))
    await new Promise((r) => setTimeout(r, 600))
    expect(await slipway.call('drift:list', { model: 'churn' })).toHaveLength(0)
    await slipway.call('monitors:set-paused', { monitorId: monitor.id, paused: false })
    await waitFor(async () => (await slipway.call('drift:list', { model: 'churn' })).length === 1)
  })
})

describe('new labelled data in a watched folder', () => {
  it('runs once per new file; a file without the label column is recorded as skipped', async () => {
    const folder = path.join(home.dir, 'labelled')
    fs.mkdirSync(folder)
    const old = new Date(Date.now() - 60_000)
    const put = (name: string, content: Buffer | string): void => {
      fs.writeFileSync(path.join(folder, name), content)
      fs.utimesSync(path.join(folder, name), old, old)
      old.setSeconds(old.getSeconds() + 1)
    }
    put('a.csv', fs.readFileSync(fixture('data', 'linear_binary-train.csv')))
    await setRecipe({ trainData: { folder }, onNewData: true, label: 'label' })
    const triggers = new RetrainTriggers(slipway.core, { tickMs: 0, settleMs: 10 })
    // What was there when watching began is the baseline, not new data.
    expect(triggers.tick()).toEqual([])
    put('b.csv', fs.readFileSync(fixture('data', 'linear_binary-eval.csv')))
    const [run] = triggers.tick()
    expect(run).toMatchObject({ trigger: 'new-data', status: 'running' })
    expect(run!.triggerDetail).toBe(`new file b.csv in ${folder}`)
    expect(triggers.tick()).toEqual([])
    const [done] = await settle()
    expect(done!.status, done!.reason ?? '').toBe('succeeded')
    expect(done!.data!.name).toBe('b.csv')

    put('c.csv', 'age,income\n1,2\n')
    const [skipped] = triggers.tick()
    expect(skipped).toMatchObject({
      status: 'skipped',
      reason: 'c.csv has no label column "label"',
    })
  })
})
