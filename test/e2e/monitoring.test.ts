// Monitoring in real Chromium: the concept-drift case (features unchanged, accuracy 0.99 → 0.70)
// says "Performance degraded" first, the label is the target and not among the features, and the
// run has its own address that a reload shows again.
import { describe, expect, it } from 'vitest'
import { fixture, useHarness } from './harness'

const e2e = useHarness({
  name: 'monitoring',
  async setup({ server }) {
    await server.slipway.call(
      'registry:register',
      { file: { path: fixture('models', 'linear_binary.onnx') }, model: 'churn' },
      { face: 'cli' },
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
})
