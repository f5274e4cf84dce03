// Retraining in real Chromium against web mode: the recipe editor (argument list, errors where
// the user acted), a live run followed in the log and cancelled (its processes gone, by pid), and
// a successful run's challenger next to the champion with the gate verdict, one click apart.
import { describe, expect, it } from 'vitest'
import { pidsInLog, processGone, trainCommand } from '../helpers/retrain'
import { fixture, useHarness } from './harness'

const e2e = useHarness({
  name: 'retraining',
  openAt: 'nav-registry',
  setup: async ({ server }) => {
    const s = server.slipway
    await s.call('registry:register', {
      file: { path: fixture('models', 'linear_binary.onnx') },
      model: 'churn',
    })
    await s.call('registry:set-alias', { model: 'churn', version: 1, alias: 'champion' })
    for (const [file, name] of [
      ['linear_binary-train.csv', 'churn-train'],
      ['linear_binary-eval.csv', 'churn-eval'],
    ] as const) {
      const job = await s.call('datasets:add', { file: { path: fixture('data', file) }, name })
      await s.core.jobs.wait(job.id)
    }
    await s.call('gates:set-policy', {
      model: 'churn',
      policy: { rules: [{ metric: 'accuracy', threshold: 0.6, greaterIsBetter: true }] },
    })
  },
})

const tid = (id: string) => e2e.page.locator(`[data-testid="${id}"]`)

async function openModel(): Promise<void> {
  await e2e.page.goto(`${e2e.server.url}#/registry/churn`)
  await tid('retraining-panel').waitFor()
}

describe('retraining in the browser', () => {
  it('edits a recipe: argument list, data, params; a bad one is refused where the user acted', async () => {
    await openModel()
    expect(await tid('recipe-version').innerText()).toContain('No recipe yet')
    expect(await tid('recipe-placeholders').innerText()).toContain('{output}')
    // A command that never says where to write the model is refused, and nothing is stored.
    await tid('recipe-command').fill('node\ntrain.mjs\n{data}')
    await tid('recipe-save').click()
    expect(await tid('recipe-error').innerText()).toContain('never mentions {output}')
    expect(await e2e.server.slipway.call('retrain:get-recipe', { model: 'churn' })).toBeNull()

    await tid('recipe-command').fill([...trainCommand(), '--mode', 'hang'].join('\n'))
    await tid('recipe-train-kind').selectOption('dataset')
    await tid('recipe-train-value').fill('churn-train')
    await tid('recipe-eval-kind').selectOption('dataset')
    await tid('recipe-eval-value').fill('churn-eval')
    await tid('recipe-params').fill('epochs=60\nlr=0.4')
    await tid('recipe-timeout').fill('600')
    await tid('recipe-save').click()
    await e2e.page.locator('[data-testid="recipe-version"]', { hasText: 'Recipe v1' }).waitFor()
    await tid('recipe-error').waitFor({ state: 'detached' })
    const stored = await e2e.server.slipway.call('retrain:get-recipe', { model: 'churn' })
    expect(stored!.recipe).toMatchObject({
      command: [...trainCommand(), '--mode', 'hang'],
      trainData: { dataset: 'churn-train' },
      evalData: { dataset: 'churn-eval' },
      params: { epochs: 60, lr: 0.4 },
      timeoutSec: 600,
      after: { alias: 'challenger', gates: true, request: null },
    })
  })

  it('follows a live run in the log and cancels it: its processes are gone', async () => {
    await openModel()
    await e2e.page.locator('[data-testid="recipe-version"]', { hasText: 'Recipe v1' }).waitFor()
    await tid('recipe-test-run').click()
    await e2e.page.locator('[data-testid="run-log"]', { hasText: 'child pid' }).waitFor()
    await tid('run-progress').waitFor()
    expect(await tid('run-detail-status').textContent()).toBe('running')
    const pids = pidsInLog(await tid('run-log').innerText())
    expect(pids).toHaveLength(2)
    for (const pid of pids) expect(processGone(pid)).toBe(false)
    await tid('run-cancel').click()
    await e2e.page
      .locator('[data-testid="run-detail-status"]', { hasText: 'cancelled' })
      .waitFor({ timeout: 20_000 })
    for (const pid of pids) expect(processGone(pid), `pid ${pid}`).toBe(true)
    expect(await tid('run-reason').innerText()).toContain('Cancelled')
    expect(
      await e2e.page.locator('[data-testid="run-row"] [data-testid="run-status"]').allInnerTexts(),
    ).toEqual(['cancelled'])
  })

  it('shows a successful run: challenger next to champion, gate verdict, request, links', async () => {
    await openModel()
    await e2e.page.locator('[data-testid="recipe-version"]', { hasText: 'Recipe v1' }).waitFor()
    // Back to a program that trains: drop the last two argument lines.
    await tid('recipe-command').fill(trainCommand().join('\n'))
    await tid('recipe-run-now').click()
    await e2e.page
      .locator('[data-testid="run-detail-status"]', { hasText: 'succeeded' })
      .waitFor({ timeout: 60_000 })
    const run = (await e2e.server.slipway.call('retrain:list', { model: 'churn' }))[0]!
    expect(run).toMatchObject({ status: 'succeeded', version: 2, recipeVersion: 2 })
    const accuracy = e2e.page.locator('[data-testid="run-metrics"] tr[data-metric="accuracy"]')
    const cells = (await accuracy.innerText()).split('\t')
    expect(cells[0]).toBe('accuracy')
    expect(Number(cells[1])).toBeCloseTo(run.evaluation!.metrics.accuracy!, 4)
    expect(Number(cells[2])).toBeCloseTo(run.championEvaluation!.metrics.accuracy!, 4)
    expect(await tid('run-gate').innerText()).toContain(run.gate!.passed ? 'passed' : 'failed')
    expect(await tid('run-request').innerText()).toContain('none asked')
    expect(await tid('run-comparison').innerText()).toMatch(/agreement 0\.\d{4} with v1/)
    expect(await tid('run-log').innerText()).toContain('registered churn v2')
    expect(
      await e2e.page.locator('[data-testid="run-row"] [data-testid="run-status"]').allInnerTexts(),
    ).toEqual(['succeeded', 'cancelled'])
    // One click to the challenger itself.
    await tid('run-version-link').click()
    await tid('version-page').waitFor()
    expect(await tid('version-title').innerText()).toMatch(/churn\s+v2/)
    expect(await tid('lineage').innerText()).toContain('churn-train')
  })
})
