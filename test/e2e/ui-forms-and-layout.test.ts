// What a demanding user found wrong in the browser: stale form errors, a dialog keyboard users could
// not reach, long file names pushing the page sideways, squeezed drift reasons, imports repeated on
// other views, and a bare JSON refusal for an address without its token.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { importDataset, storedId } from '../helpers/jobs'
import { dropFiles, fixture, useHarness } from './harness'

const LONG_NAME =
  'quarterly_customer_churn_export_with_a_very_long_descriptive_name_from_the_warehouse_'.repeat(
    2,
  ) + 'march'

let referenceId = 0
let currentId = 0
let longId = 0
let binaryDatasetId = 0
let multiclassDatasetId = 0
let multiclassEvaluationId = 0
let driftRunId = 0
let predictionRunId = 0

async function evaluate(model: string, datasetId: number): Promise<number> {
  const { slipway } = e2e.server
  return storedId(
    slipway,
    await slipway.call('eval:start', { model, ref: 1, dataset: { datasetId } }),
  )
}

const e2e = useHarness({
  name: 'qa-ui',
  async setup({ scratch }) {
    referenceId = await importDataset(e2e.server.slipway, fixture('drift', 'reference.csv'))
    currentId = await importDataset(e2e.server.slipway, fixture('drift', 'current.csv'))
    const long = path.join(scratch, `${LONG_NAME}.csv`)
    fs.copyFileSync(fixture('data', 'linear_binary-eval.csv'), long)
    longId = await importDataset(e2e.server.slipway, long)
    // A binary and a multiclass model, each evaluated once on its own data.
    for (const [model, file] of [
      ['churn', 'linear_binary.onnx'],
      ['flowers', 'mlp_multiclass.onnx'],
    ] as const) {
      await e2e.server.slipway.call('registry:register', {
        file: { path: fixture('models', file) },
        model,
      })
    }
    binaryDatasetId = await importDataset(
      e2e.server.slipway,
      fixture('data', 'linear_binary-eval.csv'),
    )
    multiclassDatasetId = await importDataset(
      e2e.server.slipway,
      fixture('data', 'mlp_multiclass-eval.csv'),
    )
    await evaluate('churn', binaryDatasetId)
    multiclassEvaluationId = await evaluate('flowers', multiclassDatasetId)
    const drift = await e2e.server.slipway.call('drift:start', {
      reference: { dataset: referenceId },
      current: { dataset: currentId },
    })
    const drifted = await e2e.server.slipway.core.jobs.wait(drift.id)
    if (drifted.status !== 'done') throw new Error(`Drift run ended ${drifted.status}`)
    driftRunId = (drifted.result as { id: number }).id
    // The model's predictions on its evaluation rows against a shifted export, without windows.
    const shifted = await importDataset(
      e2e.server.slipway,
      fixture('data', 'linear_binary-drifted.csv'),
    )
    const prediction = await e2e.server.slipway.call('drift:start', {
      reference: { dataset: binaryDatasetId },
      current: { dataset: shifted },
      model: { model: 'churn', ref: 1 },
    })
    const predicted = await e2e.server.slipway.core.jobs.wait(prediction.id)
    if (predicted.status !== 'done') throw new Error(`Prediction drift ended ${predicted.status}`)
    predictionRunId = (predicted.result as { id: number }).id
  },
})

const open = async (hash: string, testId: string): Promise<void> => {
  await e2e.page.goto(`${e2e.server.url}${hash}`)
  await e2e.page.locator(`[data-testid="${testId}"]`).waitFor({ timeout: 30_000 })
}

describe('the UI as a demanding user meets it', () => {
  it('drops a drift form complaint once the user picks another kind of data', async () => {
    await open('#/drift', 'drift-setup')
    const setup = e2e.page.locator('[data-testid="drift-setup"]')
    await e2e.page.locator('[data-testid="drift-start"]').click()
    const complaint = setup.locator('.error-note', { hasText: 'Choose the reference CSV' })
    await complaint.waitFor()

    await e2e.page.locator('[data-testid="drift-reference-kind"]').selectOption('dataset')
    const reference = e2e.page.locator('[data-testid="drift-reference-dataset"]')
    await reference.locator(`option[value="${referenceId}"]`).waitFor({ state: 'attached' })
    await reference.selectOption(String(referenceId))
    await complaint.waitFor({ state: 'detached' })
    // the other side still has no data chosen: its complaint stays
    expect(await setup.locator('.error-note', { hasText: 'Choose the current' }).count()).toBe(1)

    // The timestamp field offers the current dataset's columns.
    await e2e.page.locator('[data-testid="drift-current-kind"]').selectOption('dataset')
    await e2e.page.locator('[data-testid="drift-current-dataset"]').selectOption(String(currentId))
    await e2e.page.locator('.drift-options summary').click()
    await e2e.page.locator('[data-testid="drift-time-mode"]').selectOption('window')
    const list = await e2e.page.locator('[data-testid="drift-timestamp"]').getAttribute('list')
    const offered = await e2e.page
      .locator(`datalist#${list} option`)
      .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value))
    expect(offered).toContain('ts')
  })

  it('keeps drift reasons readable in a 900-pixel window', async () => {
    await e2e.page.setViewportSize({ width: 900, height: 800 })
    await open('#/drift', 'drift-setup')
    await e2e.page.locator('[data-testid="drift-reference-kind"]').selectOption('dataset')
    const reference = e2e.page.locator('[data-testid="drift-reference-dataset"]')
    await reference.locator(`option[value="${referenceId}"]`).waitFor({ state: 'attached' })
    await reference.selectOption(String(referenceId))
    await e2e.page.locator('[data-testid="drift-current-kind"]').selectOption('dataset')
    await e2e.page.locator('[data-testid="drift-current-dataset"]').selectOption(String(currentId))
    await e2e.page.locator('[data-testid="drift-start"]').click()
    const why = e2e.page.locator('[data-testid="drift-column-row"] .drift-why-cell').first()
    await why.waitFor({ timeout: 60_000 })
    const box = await why.boundingBox()
    // squeezed by break-word, the cell was 45 px wide and 750 px tall, one letter a line
    expect(box!.width).toBeGreaterThan(150)
    expect(box!.height).toBeLessThan(200)
  })

  it('wraps a long dataset name in its title instead of pushing the page sideways', async () => {
    await open(`#/datasets/${longId}`, 'dataset-page')
    const title = e2e.page.locator('[data-testid="dataset-title"]')
    const viewport = e2e.page.viewportSize()!
    const box = await title.boundingBox()
    expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width)
    expect(await title.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true)
    const crumb = e2e.page.locator('.breadcrumb')
    expect(await crumb.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true)

    // In the list the name wraps in its cell; the import date keeps its one line on screen.
    await e2e.page.locator('[data-testid="nav-datasets"]').click()
    const table = e2e.page.locator('[data-testid="datasets-table"]')
    await table.waitFor()
    const tableBox = await table.boundingBox()
    expect(tableBox!.x + tableBox!.width).toBeLessThanOrEqual(viewport.width)
    const imported = e2e.page
      .locator('[data-testid="dataset-row"]', { hasText: 'quarterly_customer' })
      .locator('td')
      .last()
    // the text itself, not the cell (the row is as tall as the wrapped name)
    const lines = await imported.evaluate((element) => {
      const range = document.createRange()
      range.selectNodeContents(element)
      return range.getBoundingClientRect().height / parseFloat(getComputedStyle(element).lineHeight)
    })
    expect(lines).toBeLessThan(1.5)
  })

  it('lists an import on the page that started it, not inside the Evaluate form', async () => {
    await open('#/datasets', 'datasets-table')
    await e2e.page
      .locator('[data-testid="dataset-import-button-input"]')
      .setInputFiles(fixture('data', 'regression-eval.csv'))
    await e2e.page.locator('[data-testid="import-confirm"]').click()
    await e2e.page.locator('[data-testid="dataset-import-done"]').waitFor({ timeout: 30_000 })
    await e2e.page.locator('[data-testid="nav-evaluate"]').click()
    await e2e.page.locator('[data-testid="evaluate-form"]').waitFor()
    expect(await e2e.page.locator('[data-testid="dataset-import"]').count()).toBe(0)
    // an import started from the Evaluate form is listed there
    await e2e.page
      .locator('[data-testid="evaluate-import-input"]')
      .setInputFiles(fixture('data', 'mlp_multiclass-eval.csv'))
    await e2e.page
      .locator('[data-testid="evaluate-form"] [data-testid="dataset-import-done"]')
      .waitFor({ timeout: 30_000 })
    expect(await e2e.page.locator('[data-testid="dataset-import"]').count()).toBe(1)
  })

  it('moves the keyboard into the register dialog, keeps it there, and returns it on Escape', async () => {
    await open('#/registry', 'model-search')
    const search = e2e.page.locator('[data-testid="model-search"]')
    await search.focus()
    await dropFiles(e2e.page, [fixture('models', 'linear_binary.onnx')])
    const dialog = e2e.page.locator('[data-testid="register-dialog"]')
    await dialog.waitFor()
    const focusInDialog = (): Promise<boolean> =>
      e2e.page.evaluate(() => Boolean(document.activeElement?.closest('[role="dialog"]')))
    expect(await focusInDialog()).toBe(true)
    expect(await e2e.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'register-model',
    )
    // Tab walks the dialog's fields, never the page behind the backdrop.
    for (let i = 0; i < 8; i++) {
      await e2e.page.keyboard.press('Tab')
      const inside = await e2e.page.evaluate(
        () =>
          document.activeElement === document.body ||
          Boolean(document.activeElement?.closest('[role="dialog"]')),
      )
      expect(inside).toBe(true)
    }
    await e2e.page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    expect(await search.evaluate((element) => element === document.activeElement)).toBe(true)
  })

  it('checks each version’s gates on its own latest dataset, not the previous page’s', async () => {
    await open('#/registry/flowers/1', 'latest-evaluation')
    const dataset = e2e.page.locator('[data-testid="gates-dataset"]')
    await dataset.locator(`option[value="${multiclassDatasetId}"]`).waitFor({ state: 'attached' })
    await expect
      .poll(() => dataset.inputValue(), { timeout: 30_000 })
      .toBe(String(multiclassDatasetId))
    // the same page moves to another model's version, as a click on a link does
    await e2e.page.evaluate(() => {
      window.location.hash = '#/registry/churn/1'
    })
    await e2e.page.locator('[data-testid="version-title"]', { hasText: 'churn' }).waitFor()
    await e2e.page.locator('[data-testid="latest-evaluation"]').waitFor()
    await expect.poll(() => dataset.inputValue(), { timeout: 30_000 }).toBe(String(binaryDatasetId))
  })

  it('saves the promotion policy when the user presses Enter in a field', async () => {
    // The policy belongs to the model: it is edited on the model page.
    await open('#/registry/churn', 'policy-editor')
    await e2e.page.locator('[data-testid="policy-add"]').click()
    await e2e.page.locator('[data-testid="policy-threshold"]').fill('0.7')
    await e2e.page.locator('[data-testid="policy-threshold"]').press('Enter')
    await e2e.page.locator('[data-testid="policy-saved"]').waitFor()
    expect(await e2e.server.slipway.call('gates:get-policy', { model: 'churn' })).toMatchObject({
      rules: [{ metric: 'accuracy', threshold: 0.7 }],
    })
  })

  it('headlines a multiclass evaluation with its macro F1, not an F1 of n/a', async () => {
    await open('#/registry/flowers/1', 'latest-evaluation')
    const latest = await e2e.page.locator('[data-testid="latest-evaluation"]').innerText()
    expect(latest).toMatch(/F1 \(macro\)\s+0\.\d{4}/)
    expect(latest).not.toMatch(/n\/a/)
    await open(`#/evaluate/${multiclassEvaluationId}`, 'evaluation-history')
    const row = await e2e.page.locator('[data-testid="history-row"]').first().innerText()
    expect(row).toMatch(/F1 \(macro\) 0\.\d{4}/)
    expect(row).not.toMatch(/n\/a/)
  })

  it('asks for at least one outcome value before computing a business value', async () => {
    await open('#/evaluate', 'evaluate-form')
    const model = e2e.page.locator('[data-testid="evaluate-model"]')
    await model.locator('option[value="churn"]').waitFor({ state: 'attached' })
    await model.selectOption('churn')
    const dataset = e2e.page.locator('[data-testid="evaluate-dataset"]')
    await dataset.locator(`option[value="${binaryDatasetId}"]`).waitFor({ state: 'attached' })
    await dataset.selectOption(String(binaryDatasetId))
    await e2e.page.locator('[data-testid="evaluate-cost-toggle"]').check()
    await e2e.page.locator('[data-testid="evaluate-start"]').click()
    const complaint = e2e.page.locator('[data-testid="evaluate-form-error"]')
    await complaint.waitFor()
    expect(await complaint.innerText()).toMatch(/at least one outcome/)
    expect(await e2e.page.locator('[data-testid="evaluation-result"]').count()).toBe(0)

    await e2e.page.locator('[data-testid="evaluate-cost-tp"]').fill('40')
    await e2e.page.locator('[data-testid="evaluate-cost-fp"]').fill('-10')
    await complaint.waitFor({ state: 'detached' })
    await e2e.page.locator('[data-testid="evaluate-start"]').click()
    await e2e.page.locator('[data-testid="business-value"]').waitFor({ timeout: 60_000 })
  })

  it('does not promise per-window metrics for a prediction drift run without windows', async () => {
    await open(`#/drift/run/${predictionRunId}`, 'drift-prediction')
    const note = await e2e.page.locator('[data-testid="drift-metrics-note"]').innerText()
    expect(note).toMatch(/time windows or chunks/)
    expect(await e2e.page.locator('[data-testid="drift-window-metrics"]').count()).toBe(0)
    // The metrics over all current rows are there instead.
    expect(await e2e.page.locator('[data-testid="drift-overall-metrics"]').innerText()).toMatch(
      /accuracy[\s\S]*labelled rows/,
    )
  })

  it('opens a past drift run from the keyboard', async () => {
    await open('#/drift', 'drift-history')
    const row = e2e.page
      .locator(`[data-testid="drift-history-row"][data-run="${driftRunId}"]`)
      .getByRole('link', { name: `#${driftRunId}` })
    await row.focus()
    expect(await row.evaluate((element) => element === document.activeElement)).toBe(true)
    await e2e.page.keyboard.press('Enter')
    const summary = e2e.page.locator('[data-testid="drift-summary"]')
    await summary.waitFor({ timeout: 30_000 })
    expect(await e2e.page.locator('[data-testid="drift-column-row"]').count()).toBeGreaterThan(0)
  })

  it('answers an address without its token in words, not JSON', async () => {
    const bare = e2e.server.url.replace(/\?token=.*/, '')
    // Its own page: the browser logs the 401 as a console error, which the harness's page refuses.
    const visitor = await e2e.browser.newPage()
    try {
      const reply = await visitor.goto(bare)
      expect(reply?.status()).toBe(401)
      expect(reply?.headers()['content-type']).toMatch(/^text\/plain/)
      expect(await visitor.locator('body').innerText()).toMatch(
        /^Slipway: Open the address printed by the server, with its token/,
      )
    } finally {
      await visitor.close()
    }
  })
})
