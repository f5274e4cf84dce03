// Monitoring in real Chromium: the concept-drift case (features unchanged, accuracy 0.99 → 0.70)
// says "Performance degraded" first, the label is the target and not among the features, the run
// has its own address that a reload shows again, and its HTML report (downloaded from the page)
// opens offline with no request and no console error.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { fixture, useHarness } from './harness'

const e2e = useHarness({
  name: 'monitoring',
  async setup({ server }) {
    await server.slipway.call(
      'registry:register',
      { file: { path: fixture('models', 'linear_binary.onnx') }, model: 'churn' },
      { face: 'cli', readLocalPaths: true },
    )
  },
})

describe('monitoring in the browser', () => {
  it('puts "Performance degraded" first and keeps the label out of the features', async () => {
    const page = e2e.page
    await page.goto(`${e2e.server.url}#/drift/model/churn`)
    await page.locator('[data-testid="drift-view"]').waitFor()
    await expect.poll(() => page.locator('[data-testid="drift-version"]').inputValue()).toBe('1')
    await page.locator('[data-testid="drift-reference-kind"]').selectOption('file')
    await page
      .locator('[data-testid="drift-reference-file"]')
      .setInputFiles(fixture('monitoring', 'concept_reference.csv'))
    await page.locator('[data-testid="drift-current-kind"]').selectOption('file')
    await page
      .locator('[data-testid="drift-current-file"]')
      .setInputFiles(fixture('monitoring', 'concept_current.csv'))
    await page.locator('[data-testid="drift-predictions"]').check()
    await page.locator('[data-testid="drift-start"]').click()
    await page
      .locator('[data-testid="drift-run"][data-status="done"]')
      .waitFor({ state: 'attached' })
    const headline = page.locator('[data-testid="drift-performance-headline"]')
    await expect
      .poll(() => headline.textContent())
      .toBe('Performance degraded: accuracy 0.99 → 0.70')
    expect(await headline.getAttribute('data-degraded')).toBe('yes')
    // The headline comes before the data verdict on the page.
    const order = await page
      .locator('[data-testid="drift-performance-headline"], [data-testid="drift-verdict"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')))
    expect(order).toEqual(['drift-performance-headline', 'drift-verdict'])
    const features = await page
      .locator('[data-testid="drift-columns"] [data-testid="drift-column-row"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-column')))
    expect([...features].sort()).toEqual(['age', 'balance', 'income', 'tenure'])
    expect(await page.locator('[data-testid="drift-target"]').textContent()).toContain('label')
    expect(
      await page.locator('[data-testid="drift-performance-table"] tr[data-metric]').count(),
    ).toBe(3)

    // Its own address: the page moved to #/drift/run/N, and a reload shows the same report.
    const runId = Number(
      await page.locator('[data-testid="drift-report"]').getAttribute('data-run'),
    )
    expect(runId).toBeGreaterThan(0)
    await expect.poll(() => page.evaluate(() => window.location.hash)).toBe(`#/drift/run/${runId}`)
    await page.reload()
    await page.locator(`[data-testid="drift-report"][data-run="${runId}"]`).waitFor()
    await expect
      .poll(() => page.locator('[data-testid="drift-performance-headline"]').textContent())
      .toBe('Performance degraded: accuracy 0.99 → 0.70')
  })

  it('downloads a self-contained HTML report that opens with no request and no console error', async () => {
    const page = e2e.page
    const [run] = await e2e.server.slipway.call('drift:list', { limit: 1 })
    expect(run).toBeDefined()
    await page.goto(`${e2e.server.url}#/drift/run/${run!.id}`)
    await page.locator(`[data-testid="drift-report"][data-run="${run!.id}"]`).waitFor()
    // The model in the report links to its version.
    expect(await page.locator('[data-testid="drift-model-link"]').getAttribute('href')).toBe(
      '#/registry/churn/1',
    )
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="drift-summary"] [data-testid="report-download-html"]').click(),
    ])
    expect(download.suggestedFilename()).toBe(`drift-run-${run!.id}.html`)
    const file = path.join(e2e.scratch, download.suggestedFilename())
    await download.saveAs(file)
    const html = fs.readFileSync(file, 'utf8')
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain('Performance degraded: accuracy 0.99 → 0.70')

    // Opened offline in a fresh page: every request is recorded, every console error kept.
    const viewer = await e2e.browser.newPage()
    const requests: string[] = []
    const problems: string[] = []
    viewer.on('request', (request) => requests.push(request.url()))
    viewer.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text())
    })
    viewer.on('pageerror', (error) => problems.push(error.message))
    const url = `file://${file}`
    await viewer.goto(url)
    expect(await viewer.locator('[data-headline]').textContent()).toBe(
      'Performance degraded: accuracy 0.99 → 0.70',
    )
    // Charts are inline SVG, drawn with the page: several figures, each with shapes.
    expect(await viewer.locator('figure svg rect, figure svg polyline').count()).toBeGreaterThan(10)
    expect(await viewer.locator('table[data-table="columns"] tbody tr').count()).toBe(4)
    expect(requests).toEqual([url])
    expect(problems).toEqual([])
    await viewer.close()

    // JSON and CSV of the same run, from the same buttons.
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="drift-summary"] [data-testid="report-download-json"]').click(),
    ])
    const record = JSON.parse(fs.readFileSync((await json.path())!, 'utf8')) as {
      id: number
      report: { performance: { degraded: boolean } }
    }
    expect([record.id, record.report.performance.degraded]).toEqual([run!.id, true])
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="drift-summary"] [data-testid="report-download-csv"]').click(),
    ])
    expect(fs.readFileSync((await csv.path())!, 'utf8')).toMatch(
      /^# performance\nmetric,reference,current/,
    )
  })
})
