// Every page at 1280 and 900 px in real Chromium: nothing scrolls the page sideways at 900 px, the
// sidebar folds to icons below 1000 px, a skip link leads to the content; and the README's
// screenshots of each page at both widths (written to docs/ with SLIPWAY_DOCS_SCREENSHOTS=1).
import { describe, expect, it } from 'vitest'
import { docsScreenshot } from '../helpers/screenshot'
import { fixture, useHarness } from './harness'

const ids = { dataset: 0, evaluation: 0, comparison: 0, run: 0 }

const e2e = useHarness({
  name: 'layout',
  viewport: { width: 900, height: 900 },
  async setup({ server }) {
    const { slipway } = server
    const wait = async <T>(job: { id: string }): Promise<T> => {
      const done = await slipway.core.jobs.wait(job.id)
      if (done.status !== 'done')
        throw new Error(`${done.title}: ${done.status} ${done.error?.message}`)
      return done.result as T
    }
    await slipway.call('registry:register', {
      file: { path: fixture('models', 'linear_binary.onnx') },
      model: 'churn-prediction-logistic-regression-march-snapshot',
      alias: 'champion',
      codeVersion: 'git:4f2a9c1e7d3b5a6f8e9d0c1b2a3f4e5d6c7b8a9f',
      description: 'Logistic regression on the March customer snapshot, balanced classes.',
      tags: [{ key: 'team', value: 'risk-analytics-and-customer-retention' }],
    })
    await slipway.call('registry:register', {
      file: { path: fixture('models', 'tree_ensemble.onnx') },
      model: 'churn-prediction-logistic-regression-march-snapshot',
    })
    ids.dataset = (
      await wait<{ id: number }>(
        await slipway.call('datasets:add', {
          file: { path: fixture('data', 'tree_ensemble-eval.csv') },
          name: 'customer-snapshot-march-2026-with-a-long-descriptive-name',
        }),
      )
    ).id
    const model = 'churn-prediction-logistic-regression-march-snapshot'
    ids.evaluation = (
      await wait<{ id: number }>(
        await slipway.call('eval:start', { model, ref: 1, dataset: { datasetId: ids.dataset } }),
      )
    ).id
    ids.comparison = (
      await wait<{ id: number }>(
        await slipway.call('shadow:start', {
          champion: { model, ref: 1 },
          challenger: { model, ref: 2 },
          dataset: { datasetId: ids.dataset },
        }),
      )
    ).id
    ids.run = (
      await wait<{ id: number }>(
        await slipway.call('drift:start', {
          reference: { dataset: ids.dataset },
          current: { file: { path: fixture('data', 'linear_binary-drifted.csv') } },
          model: { model, ref: 1 },
        }),
      )
    ).id
  },
})

const model = 'churn-prediction-logistic-regression-march-snapshot'
const pages = (): { name: string; hash: string; ready: string }[] => [
  { name: 'models', hash: '#/registry', ready: 'models-table' },
  { name: 'model', hash: `#/registry/${model}`, ready: 'versions-table' },
  { name: 'version', hash: `#/registry/${model}/1`, ready: 'version-page' },
  { name: 'datasets', hash: '#/datasets', ready: 'datasets-table' },
  { name: 'dataset', hash: `#/datasets/${ids.dataset}`, ready: 'profile-table' },
  { name: 'evaluate', hash: `#/evaluate/${ids.evaluation}`, ready: 'evaluation-result' },
  { name: 'compare', hash: `#/compare/${ids.comparison}`, ready: 'shadow-result' },
  { name: 'drift', hash: `#/drift/run/${ids.run}`, ready: 'drift-report' },
  { name: 'governance', hash: '#/governance', ready: 'governance-tabs' },
  { name: 'requests', hash: '#/governance/requests', ready: 'requests-inbox' },
  { name: 'audit', hash: '#/governance/audit', ready: 'audit-page' },
  { name: 'remotes', hash: '#/remotes', ready: 'remote-add-form' },
  { name: 'trash', hash: '#/trash', ready: 'trash-view' },
]

describe('layout', () => {
  it('never scrolls a page sideways at 900 px, and shows each page at 900 and 1280 px', async () => {
    // Every view in the sidebar is measured: a new view added without a page here fails.
    await e2e.page.goto(`${e2e.server.url}#/registry`)
    await e2e.page.locator('[data-testid="models-table"]').waitFor()
    const navigated = await e2e.page
      .locator('aside.sidebar a[href^="#/"]')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href')?.split('/')[1] ?? ''))
    const measured = new Set(pages().map((page) => page.hash.split('/')[1]))
    expect(navigated.filter((view) => !measured.has(view))).toEqual([])
    expect(navigated).toEqual(expect.arrayContaining(['governance', 'remotes']))
    const overflowing: string[] = []
    for (const page of pages()) {
      for (const width of [900, 1280]) {
        await e2e.page.setViewportSize({ width, height: 900 })
        await e2e.page.goto(`${e2e.server.url}${page.hash}`)
        await e2e.page.locator(`[data-testid="${page.ready}"]`).first().waitFor()
        // Charts size themselves on the next frame.
        await e2e.page.evaluate(
          () =>
            new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
        )
        if (width === 900) {
          const sizes = await e2e.page.evaluate(() => ({
            scroll: document.documentElement.scrollWidth,
            client: document.documentElement.clientWidth,
          }))
          if (sizes.scroll > sizes.client)
            overflowing.push(`${page.name}: ${sizes.scroll} px wide in a ${sizes.client} px window`)
        }
        await docsScreenshot(e2e.page, `page-${page.name}-${width}.png`)
      }
    }
    expect(overflowing).toEqual([])
  })

  it('shows the dataset profile without an inner sideways scroll at 900 px', async () => {
    await e2e.page.goto(`${e2e.server.url}#/datasets/${ids.dataset}`)
    const table = e2e.page.locator('[data-testid="profile-table"]')
    await table.waitFor()
    const fits = await table.evaluate((element) => {
      const box = element.parentElement as HTMLElement
      return element.scrollWidth <= box.clientWidth
    })
    expect(fits).toBe(true)
  })

  it('folds the sidebar to icons below 1000 px, with names for each link', async () => {
    await e2e.page.goto(`${e2e.server.url}#/registry`)
    await e2e.page.locator('[data-testid="models-table"]').waitFor()
    const sidebarWidth = (): Promise<number> =>
      e2e.page.locator('aside.sidebar').evaluate((element) => element.getBoundingClientRect().width)
    expect(await sidebarWidth()).toBeLessThanOrEqual(72)
    expect(await e2e.page.locator('[data-testid="nav-datasets"]').getAttribute('aria-label')).toBe(
      'Datasets',
    )
    await e2e.page.setViewportSize({ width: 1280, height: 900 })
    expect(await sidebarWidth()).toBeGreaterThan(180)
  })

  it('has a skip link to the main content, and rows that open something are links', async () => {
    await e2e.page.goto(`${e2e.server.url}#/registry`)
    await e2e.page.locator('[data-testid="models-table"]').waitFor()
    await e2e.page.keyboard.press('Tab')
    const focused = await e2e.page.evaluate(() => ({
      text: document.activeElement?.textContent,
      href: document.activeElement?.getAttribute('href'),
    }))
    expect(focused.text).toBe('Skip to main content')
    await e2e.page.keyboard.press('Enter')
    expect(await e2e.page.evaluate(() => document.activeElement?.id)).toBe('main')
    // Every row of the models table opens its model through a real link.
    const rows = e2e.page.locator('[data-testid="model-row"]')
    const count = await rows.count()
    for (let i = 0; i < count; i++)
      expect(await rows.nth(i).locator('a[href]').count()).toBeGreaterThan(0)
  })

  it('says a reason shared by drift columns once, and brings a picked column into view', async () => {
    await e2e.page.setViewportSize({ width: 900, height: 700 })
    await e2e.page.goto(`${e2e.server.url}#/drift/run/${ids.run}`)
    await e2e.page.locator('[data-testid="drift-columns"]').waitFor()
    const shared = e2e.page.locator('[data-testid="drift-shared-reason"]')
    expect(await shared.count()).toBeGreaterThan(0)
    const sharedText = await shared.first().innerText()
    const reason = sharedText.slice(sharedText.indexOf('chosen because ') + 15, -1)
    const cells = await e2e.page
      .locator('[data-testid="drift-columns"] .drift-why-cell')
      .allInnerTexts()
    // The shared sentence appears once on the page, not in every row.
    expect(cells.filter((text) => text.includes(reason))).toEqual([])
    const last = e2e.page.locator('[data-testid="drift-column-row"]').last()
    const name = await last.getAttribute('data-column')
    await last.getByRole('button', { name: name! }).click()
    const detail = e2e.page.locator('[data-testid="drift-column-detail"]')
    await detail.filter({ hasText: name! }).waitFor()
    await expect
      .poll(() =>
        detail.evaluate((element) => {
          const box = element.getBoundingClientRect()
          return box.top < window.innerHeight && box.bottom > 0
        }),
      )
      .toBe(true)
  })
})
