// Evaluate, Compare and the gates in real Chromium against web mode: metric cards equal to the stored
// evaluation, curves drawn on canvas, a running evaluation cancelled, the flip matrix of two versions,
// and a gate report on the version page.
import { docsScreenshot } from '../helpers/screenshot'
import fs from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { importDataset } from '../helpers/jobs'
import { at } from '../helpers/at'
import type { ClassificationMetrics } from '../../src/api/evaluation'
import { withTestHold } from '../helpers/hold'
import { fixture, heldOnPage, useHarness } from './harness'

const treeRefs = (
  JSON.parse(fs.readFileSync(fixture('eval', 'refs.json'), 'utf8')) as {
    models: Record<string, { accuracy: number; confusionMatrix: number[][] }>
  }
).models.tree_ensemble!
let evalDatasetId = 0
let cancelDatasetId = 0
let slicedDatasetId = 0

const CANCEL_ROWS = 5_000

/** Non-transparent pixels of the first canvas inside a chart: proof chart.js drew something. */
const paintedPixels = (target: Page, testId: string): Promise<number> =>
  target.locator(`[data-testid="${testId}"] canvas`).evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d')
    if (!context || canvas.width === 0 || canvas.height === 0) return 0
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height)
    let painted = 0
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted++
    return painted
  })

const e2e = useHarness({
  name: 'eval',
  viewport: { width: 1360, height: 900 },
  openAt: 'nav-evaluate',
  async setup({ server, scratch }) {
    // Two versions of one model on the same four columns: a logistic regression in production and
    // a tree ensemble challenging it.
    await server.slipway.call('registry:register', {
      file: { path: fixture('models', 'linear_binary.onnx') },
      model: 'churn',
      alias: 'champion',
    })
    await server.slipway.call('registry:register', {
      file: { path: fixture('models', 'tree_ensemble.onnx') },
      model: 'churn',
      alias: 'challenger',
    })
    evalDatasetId = await importDataset(
      e2e.server.slipway,
      fixture('data', 'tree_ensemble-eval.csv'),
    )
    // The same rows with a categorical column to slice by.
    const sliced = path.join(scratch, 'churn-by-region.csv')
    const lines = fs
      .readFileSync(fixture('data', 'tree_ensemble-eval.csv'), 'utf8')
      .trim()
      .split('\n')
    fs.writeFileSync(
      sliced,
      lines
        .map((line, i) => `${line},${i === 0 ? 'region' : ['north', 'south', 'east'][i % 3]}`)
        .join('\n') + '\n',
    )
    slicedDatasetId = await importDataset(e2e.server.slipway, sliced)
    // A dataset only the cancel test evaluates, a few batches long: the test hold stops its run.
    const toCancel = path.join(scratch, 'cancel-5k.csv')
    const rows = ['age,income,tenure,balance,label']
    for (let i = 0; i < CANCEL_ROWS; i++)
      rows.push(
        `${(i % 97) / 25 - 2},${(i % 89) / 22 - 2},${(i % 83) / 20 - 2},${(i % 79) / 19 - 2},${i % 2}`,
      )
    fs.writeFileSync(toCancel, `${rows.join('\n')}\n`)
    cancelDatasetId = await importDataset(e2e.server.slipway, toCancel)
  },
})

const openEvaluateFor = (version: string, datasetId: number): Promise<void> =>
  openEvaluateForModel('churn', version, datasetId)

async function openEvaluateForModel(
  name: string,
  version: string,
  datasetId: number,
): Promise<void> {
  await e2e.page.locator('[data-testid="nav-evaluate"]').click()
  const model = e2e.page.locator('[data-testid="evaluate-model"]')
  await model.locator(`option[value="${name}"]`).waitFor({ state: 'attached' })
  await model.selectOption(name)
  const versionSelect = e2e.page.locator('[data-testid="evaluate-version"]')
  await versionSelect.locator(`option[value="${version}"]`).waitFor({ state: 'attached' })
  await versionSelect.selectOption(version)
  const dataset = e2e.page.locator('[data-testid="evaluate-dataset"]')
  await dataset.locator(`option[value="${datasetId}"]`).waitFor({ state: 'attached' })
  await dataset.selectOption(String(datasetId))
}

describe('evaluation in the browser', () => {
  it('evaluates the tree ensemble and shows the stored numbers, curves and matrix', async () => {
    await openEvaluateFor('2', evalDatasetId)
    await e2e.page.locator('[data-testid="evaluate-cost-toggle"]').check()
    await e2e.page.locator('[data-testid="evaluate-cost-tp"]').fill('40')
    await e2e.page.locator('[data-testid="evaluate-cost-fp"]').fill('-10')
    await e2e.page.locator('[data-testid="evaluate-cost-fn"]').fill('-25')
    await e2e.page.locator('[data-testid="evaluate-start"]').click()

    const result = e2e.page.locator('[data-testid="evaluation-result"]')
    await result.waitFor({ timeout: 60_000 })
    const id = Number(await result.getAttribute('data-evaluation-id'))
    const stored = await e2e.server.slipway.call('eval:get', { id })
    expect(stored.model).toBe('churn')
    expect(stored.version).toBe(2)
    // the costs typed into the form reached the core (true negatives left at 0)
    const costs = { tp: 40, fp: -10, tn: 0, fn: -25 }
    expect(stored.settings.costMatrix).toEqual(costs)
    expect(stored.result.businessValue!.costMatrix).toEqual(costs)
    const metrics = stored.result.metrics as ClassificationMetrics
    // the stored numbers are scikit-learn's (eval/refs.json), so the page shows the right ones
    expect(metrics.accuracy).toBeCloseTo(treeRefs.accuracy, 12)
    expect(metrics.confusionMatrix).toEqual(treeRefs.confusionMatrix)

    const accuracy = e2e.page.locator('[data-testid="metric-card"][data-metric="accuracy"]')
    expect(Number(await accuracy.getAttribute('data-value'))).toBe(metrics.accuracy)
    expect(await e2e.page.locator('[data-testid="metric-accuracy"]').innerText()).toBe(
      metrics.accuracy!.toFixed(4),
    )
    expect(await e2e.page.locator('[data-testid="metric-rocAuc"]').innerText()).toBe(
      metrics.rocAuc!.toFixed(4),
    )

    // The confusion matrix cells are the stored counts, row by row.
    const cells = await e2e.page
      .locator('[data-testid="confusion-matrix-cell"]')
      .evaluateAll((elements) => elements.map((el) => Number(el.getAttribute('data-count'))))
    expect(cells).toEqual(metrics.confusionMatrix.flat())

    for (const chart of [
      'chart-roc',
      'chart-pr',
      'chart-calibration',
      'chart-latency',
      'chart-business',
    ]) {
      expect(await paintedPixels(e2e.page, chart), chart).toBeGreaterThan(1000)
    }
    expect(stored.result.businessValue).not.toBeNull()
    const best = stored.result.businessValue!.bestThreshold
    expect(await e2e.page.locator('[data-testid="best-threshold"]').innerText()).toContain(
      best === null ? 'never' : best.toFixed(3),
    )

    await e2e.page.locator('[data-testid="history-row"]').first().waitFor()
    await docsScreenshot(e2e.page, 'evaluate.png')
  })

  it('shows the metrics of each slice, equal to the stored ones', async () => {
    await openEvaluateFor('2', slicedDatasetId)
    const slice = e2e.page.locator('[data-testid="evaluate-slice"]')
    await slice.locator('option[value="region"]').waitFor({ state: 'attached' })
    await slice.selectOption('region')
    await e2e.page.locator('[data-testid="evaluate-start"]').click()
    const table = e2e.page.locator('[data-testid="slices"]')
    await table.waitFor({ timeout: 60_000 })
    const id = Number(
      await e2e.page
        .locator('[data-testid="evaluation-result"]')
        .getAttribute('data-evaluation-id'),
    )
    const stored = await e2e.server.slipway.call('eval:get', { id })
    const slices = stored.result.slices!
    expect(slices.column).toBe('region')
    const rows = await table.locator('[data-testid="slice-row"]').allInnerTexts()
    expect(rows).toHaveLength(3)
    for (const [index, entry] of slices.rows.entries()) {
      expect(rows[index]).toContain(entry.value!)
      expect(rows[index]).toContain(String(entry.rows))
      expect(rows[index]).toContain(entry.metrics.accuracy!.toFixed(4))
    }
  })

  it('draws the regression plots and the one-vs-rest curves of a multiclass model', async () => {
    await e2e.server.slipway.call('registry:register', {
      file: { path: fixture('models', 'regression.onnx') },
      model: 'house',
    })
    await e2e.server.slipway.call('registry:register', {
      file: { path: fixture('models', 'mlp_multiclass.onnx') },
      model: 'iris',
    })
    const houses = await importDataset(e2e.server.slipway, fixture('data', 'regression-eval.csv'))
    const flowers = await importDataset(
      e2e.server.slipway,
      fixture('data', 'mlp_multiclass-eval.csv'),
    )
    await e2e.page.reload()

    await openEvaluateForModel('house', '1', houses)
    await e2e.page.locator('[data-testid="evaluate-start"]').click()
    await e2e.page
      .locator('[data-testid="metric-card"][data-metric="rmse"]')
      .waitFor({ timeout: 60_000 })
    let id = Number(
      await e2e.page
        .locator('[data-testid="evaluation-result"]')
        .getAttribute('data-evaluation-id'),
    )
    const regression = await e2e.server.slipway.call('eval:get', { id })
    expect(regression.result.task).toBe('regression')
    const rmse = (regression.result.metrics as { rmse: number }).rmse
    expect(
      Number(
        await e2e.page
          .locator('[data-testid="metric-card"][data-metric="rmse"]')
          .getAttribute('data-value'),
      ),
    ).toBe(rmse)
    expect(await paintedPixels(e2e.page, 'chart-predicted-actual')).toBeGreaterThan(1000)
    expect(await paintedPixels(e2e.page, 'chart-residuals')).toBeGreaterThan(1000)

    await openEvaluateForModel('iris', '1', flowers)
    await e2e.page.locator('[data-testid="evaluate-start"]').click()
    await e2e.page
      .locator(`[data-testid="evaluation-result"]:not([data-evaluation-id="${id}"])`)
      .waitFor({ timeout: 60_000 })
    id = Number(
      await e2e.page
        .locator('[data-testid="evaluation-result"]')
        .getAttribute('data-evaluation-id'),
    )
    const multiclass = await e2e.server.slipway.call('eval:get', { id })
    const metrics = multiclass.result.metrics as ClassificationMetrics
    expect(await e2e.page.locator('[data-testid="metric-f1Macro"]').innerText()).toBe(
      metrics.f1Macro!.toFixed(4),
    )
    expect(await e2e.page.locator('[data-testid="metric-card"][data-metric="f1"]').count()).toBe(0)
    expect(await e2e.page.locator('[data-testid="confusion-matrix-cell"]').count()).toBe(
      metrics.labels.length ** 2,
    )
    expect(multiclass.result.charts.roc.length).toBe(metrics.labels.length)
    expect(await paintedPixels(e2e.page, 'chart-roc')).toBeGreaterThan(1000)
  })

  it('cancels a running evaluation: the job ends cancelled and the page says so', async () => {
    await openEvaluateFor('2', cancelDatasetId)
    // The worker's test hold stops the run after a batch until it is cancelled: the cancel lands
    // mid-inference, whatever the dataset's size.
    await withTestHold(/ of 5,000 rows$/, async () => {
      await e2e.page.locator('[data-testid="evaluate-start"]').click()
      expect(await heldOnPage(e2e.page, '[data-testid="evaluate-progress-text"]')).toMatch(
        /churn v2: [\d,]+ of 5,000 rows$/,
      )
      await e2e.page.locator('[data-testid="evaluate-progress-cancel"]').click()
      await e2e.page.locator('[data-testid="evaluate-cancelled"]').waitFor()
    })
    const progress = e2e.page.locator('[data-testid="evaluate-progress"]')
    expect(await progress.count()).toBe(0)

    const jobs = await e2e.server.slipway.call('jobs:list', {})
    // Newest first: the evaluation just cancelled.
    const evaluation = jobs.find((job) => job.kind === 'evaluate')
    expect(evaluation?.status).toBe('cancelled')
    const stored = await e2e.server.slipway.call('eval:list', { model: 'churn', version: 2 })
    expect(stored.every((entry) => entry.dataset.id !== cancelDatasetId)).toBe(true)
  })

  it('compares champion and challenger and shows the flip matrix', async () => {
    await e2e.page.locator('[data-testid="nav-compare"]').click()
    const model = e2e.page.locator('[data-testid="compare-champion-model"]')
    await model.locator('option[value="churn"]').waitFor({ state: 'attached' })
    await model.selectOption('churn')
    await e2e.page
      .locator('[data-testid="compare-champion-version"]')
      .locator('option[value="champion"]')
      .waitFor({ state: 'attached' })
    expect(await e2e.page.locator('[data-testid="compare-champion-version"]').inputValue()).toBe(
      'champion',
    )
    expect(await e2e.page.locator('[data-testid="compare-challenger-version"]').inputValue()).toBe(
      'challenger',
    )
    const dataset = e2e.page.locator('[data-testid="compare-dataset"]')
    await dataset.locator(`option[value="${evalDatasetId}"]`).waitFor({ state: 'attached' })
    await dataset.selectOption(String(evalDatasetId))
    await e2e.page.locator('[data-testid="compare-start"]').click()

    const result = e2e.page.locator('[data-testid="shadow-result"]')
    await result.waitFor({ timeout: 60_000 })
    const id = Number(await result.getAttribute('data-comparison-id'))
    const stored = await e2e.server.slipway.call('shadow:get', { id })
    expect(stored.champion.version).toBe(1)
    expect(stored.challenger.version).toBe(2)
    const cells = await e2e.page
      .locator('[data-testid="flip-matrix-cell"]')
      .evaluateAll((elements) => elements.map((el) => Number(el.getAttribute('data-count'))))
    expect(cells).toEqual(stored.result.flipMatrix.flat())
    expect(cells.reduce((a, b) => a + b, 0)).toBe(stored.result.rows)
    const agreement = e2e.page.locator('[data-testid="shadow-stat"][data-stat="agreementRate"]')
    expect(await agreement.innerText()).toContain(
      `${(stored.result.agreementRate! * 100).toFixed(2)} %`,
    )
    expect(await e2e.page.locator('[data-testid="disagreement-row"]').count()).toBe(
      stored.result.topDisagreements.length,
    )
    expect(await paintedPixels(e2e.page, 'chart-delta')).toBeGreaterThan(1000)
    await docsScreenshot(e2e.page, 'compare.png')
  })

  it('asks for a column mapping when the columns do not fit the model, saves it and evaluates', async () => {
    // Three inputs, no feature names, and a dataset with four numeric columns: no automatic mapping.
    await e2e.server.slipway.call('registry:register', {
      file: { path: fixture('models', 'linear_nometa.onnx') },
      model: 'plain',
    })
    await e2e.page.reload()
    await openEvaluateForModel('plain', '1', evalDatasetId)
    await e2e.page.locator('[data-testid="evaluate-start"]').click()
    const error = e2e.page.locator('[data-testid="evaluate-error"]')
    await error.waitFor({ timeout: 60_000 })
    expect(await error.getAttribute('data-code')).toBe('MAPPING_INVALID')
    const editor = e2e.page.locator('[data-testid="mapping-editor"]')
    await editor.waitFor()
    const selects = editor.locator('[data-testid="mapping-select"]')
    await selects.nth(2).waitFor()
    expect(await selects.count()).toBe(3)
    await selects.nth(0).selectOption('age')
    await selects.nth(1).selectOption('income')
    await selects.nth(2).selectOption('tenure')
    await e2e.page.locator('[data-testid="mapping-save-run"]').click()

    const result = e2e.page.locator('[data-testid="evaluation-result"]')
    await result.waitFor({ timeout: 60_000 })
    expect(await e2e.server.slipway.call('eval:get-mapping', { model: 'plain' })).toEqual({
      '0': 'age',
      '1': 'income',
      '2': 'tenure',
    })
    const stored = await e2e.server.slipway.call('eval:get', {
      id: Number(await result.getAttribute('data-evaluation-id')),
    })
    expect(stored.mapping.inputs[0]?.columns).toEqual(['age', 'income', 'tenure'])
    expect(
      Number(
        await e2e.page
          .locator('[data-testid="metric-card"][data-metric="accuracy"]')
          .getAttribute('data-value'),
      ),
    ).toBe((stored.result.metrics as ClassificationMetrics).accuracy)
  })

  it('saves a policy on the model page, checks the gates on the version page and shows each rule', async () => {
    // Without a policy the version page refuses the check, as the CLI does, and says where to set one.
    await e2e.page.goto(`${e2e.server.url}#/registry/churn/2`)
    await e2e.page
      .locator('[data-testid="version-policy-note"]', { hasText: 'has no promotion policy' })
      .waitFor()
    expect(await e2e.page.locator('[data-testid="gates-check"]').isDisabled()).toBe(true)
    expect(await e2e.page.locator('[data-testid="policy-editor"]').count()).toBe(0)
    await e2e.page.goto(`${e2e.server.url}#/registry/churn`)
    await e2e.page.locator('[data-testid="policy-editor"]').waitFor()
    expect(await e2e.page.locator('[data-testid="policy-editor"]').innerText()).toContain(
      'No policy yet: gate checks are refused until the model has one',
    )
    await e2e.page.locator('[data-testid="policy-add"]').click()
    await e2e.page.locator('[data-testid="policy-threshold"]').fill('0.999')
    await e2e.page.locator('[data-testid="policy-save"]').click()
    await e2e.page.locator('[data-testid="policy-saved"]').waitFor()
    expect(await e2e.server.slipway.call('gates:get-policy', { model: 'churn' })).toMatchObject({
      rules: [{ metric: 'accuracy', threshold: 0.999, greaterIsBetter: true }],
    })

    // A policy file is checked before it reaches the editor; a good one is loaded for review.
    const badPolicy = path.join(e2e.scratch, 'bad-policy.json')
    fs.writeFileSync(badPolicy, JSON.stringify({ rules: [{ metric: 'f1', threshold: 'high' }] }))
    await e2e.page.locator('[data-testid="policy-file"]').setInputFiles(badPolicy)
    const policyError = e2e.page.locator('[data-testid="policy-error"]')
    await policyError.waitFor()
    expect(await policyError.innerText()).toMatch(
      /bad-policy\.json is not a gate policy at rules\.0/,
    )
    const goodPolicy = path.join(e2e.scratch, 'policy.json')
    fs.writeFileSync(
      goodPolicy,
      JSON.stringify({
        rules: [{ metric: 'accuracy', threshold: 0.999, greaterIsBetter: true }],
        latencyP95MaxMs: 500,
      }),
    )
    await e2e.page.locator('[data-testid="policy-file"]').setInputFiles(goodPolicy)
    await policyError.waitFor({ state: 'detached' })
    expect(await e2e.page.locator('[data-testid="policy-latency"]').inputValue()).toBe('500')
    expect(await e2e.page.locator('[data-testid="policy-rule"]').count()).toBe(1)
    await e2e.page.locator('[data-testid="policy-save"]').click()
    await e2e.page.locator('[data-testid="policy-saved"]').waitFor()
    expect(await e2e.server.slipway.call('gates:get-policy', { model: 'churn' })).toEqual({
      rules: [{ metric: 'accuracy', threshold: 0.999, greaterIsBetter: true }],
      latencyP95MaxMs: 500,
    })

    // Only the metrics of the model's task are offered, by the names people use.
    const offered = await e2e.page.locator('[data-testid="policy-metric"] option').allInnerTexts()
    expect(offered).toContain('Log loss')
    expect(offered).not.toContain('RMSE')
    expect(offered).not.toContain('logLoss')

    await e2e.page.goto(`${e2e.server.url}#/registry/churn/2`)
    await e2e.page
      .locator('[data-testid="version-policy-note"]', { hasText: 'edit it on the model page' })
      .waitFor()
    const dataset = e2e.page.locator('[data-testid="gates-dataset"]')
    await dataset.locator(`option[value="${evalDatasetId}"]`).waitFor({ state: 'attached' })
    await dataset.selectOption(String(evalDatasetId))
    await e2e.page.locator('[data-testid="gates-check"]').click()
    const report = e2e.page.locator('[data-testid="gate-report"]')
    await report.waitFor({ timeout: 60_000 })
    const reports = await e2e.server.slipway.call('gates:list-reports', {
      model: 'churn',
      version: 2,
    })
    const gateReport = at(reports, 0, 'gate report')
    const firstRule = at(gateReport.rules, 0, 'gate rule')
    expect(gateReport.passed).toBe(false)
    expect(await report.getAttribute('data-passed')).toBe('false')
    expect(await e2e.page.locator('[data-testid="gate-rule"]').count()).toBe(
      gateReport.rules.length,
    )
    const rule = e2e.page.locator('[data-testid="gate-rule"]').first()
    expect(await rule.getAttribute('data-passed')).toBe('false')
    expect(await rule.innerText()).toContain(String(firstRule.value?.toFixed(4)))
    expect(firstRule.rule).toBe('Accuracy ≥ 0.999')
    expect(await rule.innerText()).toContain('Accuracy ≥ 0.999')

    // The model page shows the version's latest evaluation and its gate result.
    await e2e.page.goto(`${e2e.server.url}#/registry/churn`)
    const cell = e2e.page
      .locator('[data-testid="version-row"]', { hasText: 'v2' })
      .locator('[data-testid="version-gate"]')
    await cell.waitFor()
    expect(await cell.innerText()).toBe('gates fail')
  })
})
