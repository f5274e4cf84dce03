// Evaluate, Compare and the gates in real Chromium against web mode: metric cards equal to the stored
// evaluation, curves drawn on canvas, a large evaluation cancelled, the flip matrix of two versions,
// and a gate report on the version page.
import { docsScreenshot } from '../helpers/screenshot'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ClassificationMetrics } from '../../src/api/evaluation'
import type { RunningServer } from '../../src/server/server'
import { startServer } from '../../src/server/server'

const root = path.resolve(__dirname, '..', '..')
const fixture = (...parts: string[]): string => path.join(root, 'test', 'fixtures', ...parts)

let server: RunningServer
let browser: Browser
let page: Page
let home: string
let scratch: string
let problems: string[] = []
let evalDatasetId = 0
let largeDatasetId = 0
let slicedDatasetId = 0

const LARGE_ROWS = 400_000

/** Imports a file through the API (setup, not under test) and waits for its job. */
async function importDataset(file: string): Promise<number> {
  const job = await server.slipway.call('datasets:add', { file: { path: file } })
  const done = await server.slipway.core.jobs.wait(job.id)
  if (done.status !== 'done')
    throw new Error(`Import of ${file} ended ${done.status}: ${done.error?.message}`)
  return (done.result as { id: number }).id
}

/** Rows × columns the way a user's export looks: four float features and a 0/1 label. */
function writeLargeCsv(file: string, rows: number): void {
  const lines = ['age,income,tenure,balance,label']
  let seed = 42
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648
  }
  for (let i = 0; i < rows; i++) {
    const a = (random() * 4 - 2).toFixed(4)
    const b = (random() * 4 - 2).toFixed(4)
    const c = (random() * 4 - 2).toFixed(4)
    const d = (random() * 4 - 2).toFixed(4)
    lines.push(`${a},${b},${c},${d},${random() < 0.5 ? 0 : 1}`)
  }
  fs.writeFileSync(file, lines.join('\n') + '\n')
}

/**
 * Clicks the element as soon as it exists and is enabled, from inside the page: a cancel must land
 * while the job still runs, without a round trip per poll from the test process.
 */
const clickWhenReady = (target: Page, selector: string): Promise<void> =>
  target.evaluate(
    (css) =>
      new Promise<void>((resolve) => {
        const attempt = (): boolean => {
          const element = document.querySelector<HTMLButtonElement>(css)
          if (!element || element.disabled) return false
          element.click()
          return true
        }
        if (attempt()) return resolve()
        const observer = new MutationObserver(() => {
          if (attempt()) {
            observer.disconnect()
            resolve()
          }
        })
        observer.observe(document.body, { subtree: true, childList: true, attributes: true })
      }),
    selector,
  )

/** Non-transparent pixels of the first canvas inside a chart: proof chart.js drew something. */
const paintedPixels = (target: Page, testId: string): Promise<number> =>
  target.locator(`[data-testid="${testId}"] canvas`).evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d')
    if (!context || canvas.width === 0 || canvas.height === 0) return 0
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height)
    let painted = 0
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++
    return painted
  })

beforeAll(async () => {
  if (!fs.existsSync(path.join(root, 'out', 'renderer', 'index.html'))) {
    throw new Error(
      'The renderer is not built: run `npx electron-vite build` (npm test does it in pretest)',
    )
  }
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-e2e-eval-'))
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-e2e-eval-data-'))
  server = await startServer({ home, port: 0 })
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
  evalDatasetId = await importDataset(fixture('data', 'tree_ensemble-eval.csv'))
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
  slicedDatasetId = await importDataset(sliced)
  const large = path.join(scratch, 'large-400k.csv')
  writeLargeCsv(large, LARGE_ROWS)
  largeDatasetId = await importDataset(large)
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  fs.rmSync(home, { recursive: true, force: true })
  fs.rmSync(scratch, { recursive: true, force: true })
})

beforeEach(async () => {
  problems = []
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
  // Any script error or CSP violation (chart.js styling included) shows up here.
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text())
  })
  page.on('pageerror', (error) => problems.push(error.message))
  await page.goto(server.url)
  await page.locator('[data-testid="nav-evaluate"]').waitFor()
})

afterEach(async () => {
  await page.close()
  expect(problems).toEqual([])
})

const openEvaluateFor = (version: string, datasetId: number): Promise<void> =>
  openEvaluateForModel('churn', version, datasetId)

async function openEvaluateForModel(
  name: string,
  version: string,
  datasetId: number,
): Promise<void> {
  await page.locator('[data-testid="nav-evaluate"]').click()
  const model = page.locator('[data-testid="evaluate-model"]')
  await model.locator(`option[value="${name}"]`).waitFor({ state: 'attached' })
  await model.selectOption(name)
  const versionSelect = page.locator('[data-testid="evaluate-version"]')
  await versionSelect.locator(`option[value="${version}"]`).waitFor({ state: 'attached' })
  await versionSelect.selectOption(version)
  const dataset = page.locator('[data-testid="evaluate-dataset"]')
  await dataset.locator(`option[value="${datasetId}"]`).waitFor({ state: 'attached' })
  await dataset.selectOption(String(datasetId))
}

describe('evaluation in the browser', () => {
  it('evaluates the tree ensemble and shows the stored numbers, curves and matrix', async () => {
    await openEvaluateFor('2', evalDatasetId)
    await page.locator('[data-testid="evaluate-cost-toggle"]').check()
    await page.locator('[data-testid="evaluate-cost-tp"]').fill('40')
    await page.locator('[data-testid="evaluate-cost-fp"]').fill('-10')
    await page.locator('[data-testid="evaluate-cost-fn"]').fill('-25')
    await page.locator('[data-testid="evaluate-start"]').click()

    const result = page.locator('[data-testid="evaluation-result"]')
    await result.waitFor({ timeout: 60_000 })
    const id = Number(await result.getAttribute('data-evaluation-id'))
    const stored = await server.slipway.call('eval:get', { id })
    expect(stored.model).toBe('churn')
    expect(stored.version).toBe(2)
    const metrics = stored.result.metrics as ClassificationMetrics

    const accuracy = page.locator('[data-testid="metric-card"][data-metric="accuracy"]')
    expect(Number(await accuracy.getAttribute('data-value'))).toBe(metrics.accuracy)
    expect(await page.locator('[data-testid="metric-accuracy"]').innerText()).toBe(
      metrics.accuracy!.toFixed(4),
    )
    expect(await page.locator('[data-testid="metric-rocAuc"]').innerText()).toBe(
      metrics.rocAuc!.toFixed(4),
    )

    // The confusion matrix cells are the stored counts, row by row.
    const cells = await page
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
      expect(await paintedPixels(page, chart), chart).toBeGreaterThan(1000)
    }
    expect(stored.result.businessValue).not.toBeNull()
    const best = stored.result.businessValue!.bestThreshold
    expect(await page.locator('[data-testid="best-threshold"]').innerText()).toContain(
      best === null ? 'never' : best.toFixed(3),
    )

    await page.locator('[data-testid="history-row"]').first().waitFor()
    await docsScreenshot(page, 'evaluate.png')
  })

  it('shows the metrics of each slice, equal to the stored ones', async () => {
    await openEvaluateFor('2', slicedDatasetId)
    const slice = page.locator('[data-testid="evaluate-slice"]')
    await slice.locator('option[value="region"]').waitFor({ state: 'attached' })
    await slice.selectOption('region')
    await page.locator('[data-testid="evaluate-start"]').click()
    const table = page.locator('[data-testid="slices"]')
    await table.waitFor({ timeout: 60_000 })
    const id = Number(
      await page.locator('[data-testid="evaluation-result"]').getAttribute('data-evaluation-id'),
    )
    const stored = await server.slipway.call('eval:get', { id })
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
    await server.slipway.call('registry:register', {
      file: { path: fixture('models', 'regression.onnx') },
      model: 'house',
    })
    await server.slipway.call('registry:register', {
      file: { path: fixture('models', 'mlp_multiclass.onnx') },
      model: 'iris',
    })
    const houses = await importDataset(fixture('data', 'regression-eval.csv'))
    const flowers = await importDataset(fixture('data', 'mlp_multiclass-eval.csv'))
    await page.reload()

    await openEvaluateForModel('house', '1', houses)
    await page.locator('[data-testid="evaluate-start"]').click()
    await page
      .locator('[data-testid="metric-card"][data-metric="rmse"]')
      .waitFor({ timeout: 60_000 })
    let id = Number(
      await page.locator('[data-testid="evaluation-result"]').getAttribute('data-evaluation-id'),
    )
    const regression = await server.slipway.call('eval:get', { id })
    expect(regression.result.task).toBe('regression')
    const rmse = (regression.result.metrics as { rmse: number }).rmse
    expect(
      Number(
        await page
          .locator('[data-testid="metric-card"][data-metric="rmse"]')
          .getAttribute('data-value'),
      ),
    ).toBe(rmse)
    expect(await paintedPixels(page, 'chart-predicted-actual')).toBeGreaterThan(1000)
    expect(await paintedPixels(page, 'chart-residuals')).toBeGreaterThan(1000)

    await openEvaluateForModel('iris', '1', flowers)
    await page.locator('[data-testid="evaluate-start"]').click()
    await page
      .locator(`[data-testid="evaluation-result"]:not([data-evaluation-id="${id}"])`)
      .waitFor({ timeout: 60_000 })
    id = Number(
      await page.locator('[data-testid="evaluation-result"]').getAttribute('data-evaluation-id'),
    )
    const multiclass = await server.slipway.call('eval:get', { id })
    const metrics = multiclass.result.metrics as ClassificationMetrics
    expect(await page.locator('[data-testid="metric-f1Macro"]').innerText()).toBe(
      metrics.f1Macro!.toFixed(4),
    )
    expect(await page.locator('[data-testid="metric-card"][data-metric="f1"]').count()).toBe(0)
    expect(await page.locator('[data-testid="confusion-matrix-cell"]').count()).toBe(
      metrics.labels.length ** 2,
    )
    expect(multiclass.result.charts.roc.length).toBe(metrics.labels.length)
    expect(await paintedPixels(page, 'chart-roc')).toBeGreaterThan(1000)
  })

  it('cancels an evaluation of a large dataset: the job ends cancelled and the page says so', async () => {
    await openEvaluateFor('2', largeDatasetId)
    const cancelled = clickWhenReady(page, '[data-testid="evaluate-progress-cancel"]')
    await page.locator('[data-testid="evaluate-start"]').click()
    await cancelled
    const progress = page.locator('[data-testid="evaluate-progress"]')
    await page.locator('[data-testid="evaluate-cancelled"]').waitFor()
    expect(await progress.count()).toBe(0)

    const jobs = await server.slipway.call('jobs:list', {})
    // Newest first: the evaluation just cancelled.
    const evaluation = jobs.find((job) => job.kind === 'evaluate')
    expect(evaluation?.status).toBe('cancelled')
    const stored = await server.slipway.call('eval:list', { model: 'churn', version: 2 })
    expect(stored.every((entry) => entry.dataset.id !== largeDatasetId)).toBe(true)
  })

  it('compares champion and challenger and shows the flip matrix', async () => {
    await page.locator('[data-testid="nav-compare"]').click()
    const model = page.locator('[data-testid="compare-champion-model"]')
    await model.locator('option[value="churn"]').waitFor({ state: 'attached' })
    await model.selectOption('churn')
    await page
      .locator('[data-testid="compare-champion-version"]')
      .locator('option[value="champion"]')
      .waitFor({ state: 'attached' })
    expect(await page.locator('[data-testid="compare-champion-version"]').inputValue()).toBe(
      'champion',
    )
    expect(await page.locator('[data-testid="compare-challenger-version"]').inputValue()).toBe(
      'challenger',
    )
    const dataset = page.locator('[data-testid="compare-dataset"]')
    await dataset.locator(`option[value="${evalDatasetId}"]`).waitFor({ state: 'attached' })
    await dataset.selectOption(String(evalDatasetId))
    await page.locator('[data-testid="compare-start"]').click()

    const result = page.locator('[data-testid="shadow-result"]')
    await result.waitFor({ timeout: 60_000 })
    const id = Number(await result.getAttribute('data-comparison-id'))
    const stored = await server.slipway.call('shadow:get', { id })
    expect(stored.champion.version).toBe(1)
    expect(stored.challenger.version).toBe(2)
    const cells = await page
      .locator('[data-testid="flip-matrix-cell"]')
      .evaluateAll((elements) => elements.map((el) => Number(el.getAttribute('data-count'))))
    expect(cells).toEqual(stored.result.flipMatrix.flat())
    expect(cells.reduce((a, b) => a + b, 0)).toBe(stored.result.rows)
    const agreement = page.locator('[data-testid="shadow-stat"][data-stat="agreementRate"]')
    expect(await agreement.innerText()).toContain(
      `${(stored.result.agreementRate! * 100).toFixed(2)} %`,
    )
    expect(await page.locator('[data-testid="disagreement-row"]').count()).toBe(
      stored.result.topDisagreements.length,
    )
    expect(await paintedPixels(page, 'chart-delta')).toBeGreaterThan(1000)
    await docsScreenshot(page, 'compare.png')
  })

  it('asks for a column mapping when the columns do not fit the model, saves it and evaluates', async () => {
    // Three inputs, no feature names, and a dataset with four numeric columns: no automatic mapping.
    await server.slipway.call('registry:register', {
      file: { path: fixture('models', 'linear_nometa.onnx') },
      model: 'plain',
    })
    await page.reload()
    await openEvaluateForModel('plain', '1', evalDatasetId)
    await page.locator('[data-testid="evaluate-start"]').click()
    const error = page.locator('[data-testid="evaluate-error"]')
    await error.waitFor({ timeout: 60_000 })
    expect(await error.getAttribute('data-code')).toBe('MAPPING_INVALID')
    const editor = page.locator('[data-testid="mapping-editor"]')
    await editor.waitFor()
    const selects = editor.locator('[data-testid="mapping-select"]')
    await selects.nth(2).waitFor()
    expect(await selects.count()).toBe(3)
    await selects.nth(0).selectOption('age')
    await selects.nth(1).selectOption('income')
    await selects.nth(2).selectOption('tenure')
    await page.locator('[data-testid="mapping-save-run"]').click()

    const result = page.locator('[data-testid="evaluation-result"]')
    await result.waitFor({ timeout: 60_000 })
    expect(await server.slipway.call('eval:get-mapping', { model: 'plain' })).toEqual({
      '0': 'age',
      '1': 'income',
      '2': 'tenure',
    })
    const stored = await server.slipway.call('eval:get', {
      id: Number(await result.getAttribute('data-evaluation-id')),
    })
    expect(stored.mapping.inputs[0].columns).toEqual(['age', 'income', 'tenure'])
    expect(
      Number(
        await page
          .locator('[data-testid="metric-card"][data-metric="accuracy"]')
          .getAttribute('data-value'),
      ),
    ).toBe((stored.result.metrics as ClassificationMetrics).accuracy)
  })

  it('saves a policy on the version page, checks the gates and shows each rule', async () => {
    await page.goto(`${server.url}#/registry/churn/2`)
    await page.locator('[data-testid="policy-editor"]').waitFor()
    await page.locator('[data-testid="policy-add"]').click()
    await page.locator('[data-testid="policy-threshold"]').fill('0.999')
    await page.locator('[data-testid="policy-save"]').click()
    await page.locator('[data-testid="policy-saved"]').waitFor()
    expect(await server.slipway.call('gates:get-policy', { model: 'churn' })).toMatchObject({
      rules: [{ metric: 'accuracy', threshold: 0.999, greaterIsBetter: true }],
    })

    // A policy file is checked before it reaches the editor; a good one is loaded for review.
    const badPolicy = path.join(scratch, 'bad-policy.json')
    fs.writeFileSync(badPolicy, JSON.stringify({ rules: [{ metric: 'f1', threshold: 'high' }] }))
    await page.locator('[data-testid="policy-file"]').setInputFiles(badPolicy)
    const policyError = page.locator('[data-testid="policy-error"]')
    await policyError.waitFor()
    expect(await policyError.innerText()).toMatch(
      /bad-policy\.json is not a gate policy at rules\.0/,
    )
    const goodPolicy = path.join(scratch, 'policy.json')
    fs.writeFileSync(
      goodPolicy,
      JSON.stringify({
        rules: [{ metric: 'accuracy', threshold: 0.999, greaterIsBetter: true }],
        latencyP95MaxMs: 500,
      }),
    )
    await page.locator('[data-testid="policy-file"]').setInputFiles(goodPolicy)
    await policyError.waitFor({ state: 'detached' })
    expect(await page.locator('[data-testid="policy-latency"]').inputValue()).toBe('500')
    expect(await page.locator('[data-testid="policy-rule"]').count()).toBe(1)
    await page.locator('[data-testid="policy-save"]').click()
    await page.locator('[data-testid="policy-saved"]').waitFor()
    expect(await server.slipway.call('gates:get-policy', { model: 'churn' })).toEqual({
      rules: [{ metric: 'accuracy', threshold: 0.999, greaterIsBetter: true }],
      latencyP95MaxMs: 500,
    })

    const dataset = page.locator('[data-testid="gates-dataset"]')
    await dataset.locator(`option[value="${evalDatasetId}"]`).waitFor({ state: 'attached' })
    await dataset.selectOption(String(evalDatasetId))
    await page.locator('[data-testid="gates-check"]').click()
    const report = page.locator('[data-testid="gate-report"]')
    await report.waitFor({ timeout: 60_000 })
    const reports = await server.slipway.call('gates:list-reports', { model: 'churn', version: 2 })
    expect(reports[0].passed).toBe(false)
    expect(await report.getAttribute('data-passed')).toBe('false')
    expect(await page.locator('[data-testid="gate-rule"]').count()).toBe(reports[0].rules.length)
    const rule = page.locator('[data-testid="gate-rule"]').first()
    expect(await rule.getAttribute('data-passed')).toBe('false')
    expect(await rule.innerText()).toContain(reports[0].rules[0].value!.toFixed(4))

    // The model page shows the version's latest evaluation and its gate result.
    await page.goto(`${server.url}#/registry/churn`)
    const cell = page
      .locator('[data-testid="version-row"]', { hasText: 'v2' })
      .locator('[data-testid="version-gate"]')
    await cell.waitFor()
    expect(await cell.innerText()).toBe('gates fail')
  })
})
