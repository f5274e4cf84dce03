// The Drift view in real Chromium against web mode: a drift run started from the page, its verdict
// and columns checked against the stored report, a column's histogram drawn, drift per chunk as a
// heatmap, prediction drift and the registry's drift badge, monitors, and cancelling a running run.
import { docsScreenshot } from '../helpers/screenshot'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { DriftRun } from '../../src/api/drift'
import { formatStatistic } from '../../src/renderer/src/lib/charts/drift-format'
import { sortBySeverity } from '../../src/renderer/src/lib/charts/drift-severity'
import { withTestHold } from '../helpers/hold'
import { fixture, heldOnPage, useHarness } from './harness'

const train = fixture('data', 'linear_binary-train.csv')
const drifted = fixture('data', 'linear_binary-drifted.csv')

const e2e = useHarness({
  name: 'drift',
  async setup({ server }) {
    // A model whose lineage names its training data: the reference the Drift view offers first.
    await server.slipway.call(
      'registry:register',
      {
        file: { path: fixture('models', 'linear_binary.onnx') },
        model: 'churn',
        trainingData: { path: train },
      },
      { face: 'cli', readLocalPaths: true },
    )
  },
})

async function openDrift(hash = '#/drift'): Promise<void> {
  await e2e.page.goto(`${e2e.server.url}${hash}`)
  await e2e.page.locator('[data-testid="drift-view"]').waitFor()
}

async function pickFiles(reference: string, current: string): Promise<void> {
  await e2e.page.locator('[data-testid="drift-reference-kind"]').selectOption('file')
  await e2e.page.locator('[data-testid="drift-reference-file"]').setInputFiles(reference)
  await e2e.page.locator('[data-testid="drift-current-kind"]').selectOption('file')
  await e2e.page.locator('[data-testid="drift-current-file"]').setInputFiles(current)
}

async function runAndWait(): Promise<DriftRun> {
  await e2e.page.locator('[data-testid="drift-start"]').click()
  await e2e.page
    .locator('[data-testid="drift-run"][data-status="done"]')
    .waitFor({ state: 'attached' })
  const runId = Number(
    await e2e.page.locator('[data-testid="drift-report"]').getAttribute('data-run'),
  )
  expect(runId).toBeGreaterThan(0)
  return e2e.server.slipway.call('drift:get', { runId })
}

/** Pixels of a canvas that are not transparent: more than zero once chart.js has drawn. */
const paintedPixels = (selector: string): Promise<number> =>
  e2e.page.locator(selector).evaluate((canvas) => {
    const element = canvas as HTMLCanvasElement
    const context = element.getContext('2d')
    if (!context) return 0
    const data = context.getImageData(0, 0, element.width, element.height).data
    let painted = 0
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++
    return painted
  })

describe('drift in the browser', () => {
  it('runs drift from the page and shows the stored verdict, columns and statistics', async () => {
    await openDrift()
    await pickFiles(train, drifted)
    const run = await runAndWait()
    const report = run.report

    const verdict = e2e.page.locator('[data-testid="drift-verdict"]')
    expect(await verdict.getAttribute('data-drift')).toBe(report.datasetDrift ? 'yes' : 'no')
    expect(await verdict.innerText()).toBe(
      report.datasetDrift ? 'Dataset drift detected' : 'No dataset drift',
    )
    expect(await e2e.page.locator('[data-testid="drift-share-text"]').innerText()).toContain(
      `${report.driftedColumns} of ${report.testedColumns} columns drifted`,
    )
    expect(await e2e.page.locator('[data-testid="drift-reference-rows"]').innerText()).toContain(
      '1,200 rows',
    )
    expect(await e2e.page.locator('[data-testid="drift-current-rows"]').innerText()).toContain(
      '800 rows',
    )

    // The two shifted features are drifted, the untouched ones are not.
    const rows = e2e.page.locator('[data-testid="drift-columns"] [data-testid="drift-column-row"]')
    const shown = await rows.evaluateAll((elements) =>
      elements.map((el) => ({
        name: el.getAttribute('data-column'),
        drifted: el.getAttribute('data-drifted'),
        statistic: el.querySelector('[data-testid="drift-statistic"]')?.textContent,
      })),
    )
    const expected = sortBySeverity(report.columns)
    expect(shown).toEqual(
      expected.map((column) => ({
        name: column.name,
        drifted: column.drifted ? 'yes' : 'no',
        statistic: formatStatistic(column.statistic),
      })),
    )
    const driftedNames = shown.filter((row) => row.drifted === 'yes').map((row) => row.name)
    expect([...driftedNames].sort()).toEqual(['balance', 'income'])
    expect(shown.find((row) => row.name === 'age')?.drifted).toBe('no')

    // The most severe column is drawn first; another one opens on click.
    const detail = e2e.page.locator('[data-testid="drift-column-detail"]')
    expect(await detail.getAttribute('data-column')).toBe(expected[0]!.name)
    await e2e.page
      .locator(
        '[data-testid="drift-columns"] [data-testid="drift-column-row"][data-column="balance"] [data-testid="drift-column-open"]',
      )
      .click()
    await e2e.page.locator('[data-testid="drift-column-detail"][data-column="balance"]').waitFor()
    const balance = report.columns.find((column) => column.name === 'balance')!
    expect(balance.histogram.kind).toBe('numeric')
    expect(
      Number(
        await e2e.page.locator('[data-testid="drift-column-chart"]').getAttribute('data-bars'),
      ),
    ).toBe(balance.histogram.reference.length)
    await e2e.page.waitForFunction(() => {
      const canvas = document.querySelector<HTMLCanvasElement>(
        '[data-testid="drift-column-chart"] canvas',
      )
      return Boolean(canvas && canvas.width > 0)
    })
    expect(await paintedPixels('[data-testid="drift-column-chart"] canvas')).toBeGreaterThan(1000)
    expect(await e2e.page.locator('[data-testid="drift-column-stats"]').innerText()).toContain(
      formatStatistic(balance.stats.wassersteinNormed),
    )
    // No windows were asked for: no heatmap.
    expect(await e2e.page.locator('[data-testid="drift-heatmap"]').count()).toBe(0)
    // The run is in the history.
    await e2e.page.locator(`[data-testid="drift-history-row"][data-run="${run.id}"]`).waitFor()
  })

  it('draws grouped bars for a categorical column and names the unseen category', async () => {
    const colors = ['red', 'green', 'blue']
    const reference = ['plan,usage']
    const current = ['plan,usage']
    for (let i = 0; i < 300; i++) reference.push(`${colors[i % 3]},${(i % 17) / 2}`)
    for (let i = 0; i < 200; i++)
      current.push(`${i % 4 === 0 ? 'violet' : colors[i % 3]},${(i % 17) / 2}`)
    const referenceFile = path.join(e2e.scratch, 'plans-reference.csv')
    const currentFile = path.join(e2e.scratch, 'plans-current.csv')
    fs.writeFileSync(referenceFile, `${reference.join('\n')}\n`)
    fs.writeFileSync(currentFile, `${current.join('\n')}\n`)

    await openDrift()
    await pickFiles(referenceFile, currentFile)
    const run = await runAndWait()
    const plan = run.report.columns.find((column) => column.name === 'plan')!
    expect(plan.kind).toBe('categorical')
    expect(plan.stats.unseenCategories).toEqual(['violet'])

    await e2e.page
      .locator(
        '[data-testid="drift-columns"] [data-testid="drift-column-row"][data-column="plan"] [data-testid="drift-column-open"]',
      )
      .click()
    const detail = e2e.page.locator('[data-testid="drift-column-detail"][data-column="plan"]')
    await detail.waitFor()
    expect(await detail.innerText()).toContain('grouped bars')
    expect(await detail.locator('[data-testid="drift-unseen"]').innerText()).toContain('violet')
    expect(
      Number(await detail.locator('[data-testid="drift-column-chart"]').getAttribute('data-bars')),
    ).toBe(4)
    await e2e.page.waitForFunction(() => {
      const canvas = document.querySelector<HTMLCanvasElement>(
        '[data-testid="drift-column-chart"] canvas',
      )
      return Boolean(canvas && canvas.width > 0)
    })
    expect(await paintedPixels('[data-testid="drift-column-chart"] canvas')).toBeGreaterThan(1000)
  })

  it('draws drift per chunk as a heatmap when chunks are chosen', async () => {
    await openDrift()
    await pickFiles(train, drifted)
    await e2e.page.locator('.drift-options summary').click()
    await e2e.page.locator('[data-testid="drift-time-mode"]').selectOption('chunks')
    await e2e.page.locator('[data-testid="drift-chunks"]').fill('4')
    // Two of five columns drifting counts as dataset drift at a 40% share.
    await e2e.page.locator('[data-testid="drift-share"]').fill('0.4')
    // A per-column test: PSI with a loose threshold for age.
    await e2e.page.locator('[data-testid="drift-add-override"]').click()
    const override = e2e.page.locator('[data-testid="drift-override"]')
    await override.locator('input[aria-label="Column"]').fill('age')
    await override.locator('select[aria-label="Test"]').selectOption('psi')
    await override.locator('input[aria-label="Threshold"]').fill('0.5')
    const run = await runAndWait()
    const report = run.report
    const age = report.columns.find((column) => column.name === 'age')!
    expect(age.test).toBe('psi')
    expect(age.threshold).toBe(0.5)
    const ageRow = e2e.page.locator(
      '[data-testid="drift-columns"] [data-testid="drift-column-row"][data-column="age"]',
    )
    expect(await ageRow.innerText()).toContain('PSI')
    expect(report.windows?.by).toBe('chunks')
    expect(report.windows?.items).toHaveLength(4)
    expect(await e2e.page.locator('[data-testid="drift-verdict"]').getAttribute('data-drift')).toBe(
      report.datasetDrift ? 'yes' : 'no',
    )
    expect(report.datasetDrift).toBe(true)

    const heatmap = e2e.page.locator('[data-testid="drift-heatmap"]')
    await heatmap.waitFor()
    const heatRows = heatmap.locator('[data-testid="heatmap-row"]')
    expect(await heatRows.count()).toBe(report.columns.length)
    for (const column of report.columns) {
      const cells = heatmap.locator(
        `[data-testid="heatmap-row"][data-column="${column.name}"] [data-testid="heatmap-cell"]`,
      )
      const flags = await cells.evaluateAll((elements) =>
        elements.map((el) => el.getAttribute('data-drifted')),
      )
      expect(flags).toEqual(
        report.windows!.items.map((window) => {
          const cell = window.columns.find((c) => c.name === column.name)
          return cell?.drifted ? 'yes' : 'no'
        }),
      )
    }
    // Shaded by the cell's severity: drifted cells are red, others blue.
    const income = heatmap.locator(
      '[data-testid="heatmap-row"][data-column="income"] [data-testid="heatmap-cell"]',
    )
    const backgrounds = await income.evaluateAll((elements) =>
      elements.map((el) => getComputedStyle(el).backgroundColor),
    )
    for (const background of backgrounds) expect(background).toMatch(/^rgba\(200, 62, 45/)

    await docsScreenshot(e2e.page, 'drift.png')

    // An older run without windows opens from the history: its report has no heatmap.
    const firstRun = (await e2e.server.slipway.call('drift:list', {})).find((r) => r.id !== run.id)!
    await e2e.page
      .locator(`[data-testid="drift-history-row"][data-run="${firstRun.id}"]`)
      .getByRole('link', { name: `#${firstRun.id}` })
      .click()
    await e2e.page.locator(`[data-testid="drift-report"][data-run="${firstRun.id}"]`).waitFor()
    expect(await e2e.page.locator('[data-testid="drift-heatmap"]').count()).toBe(0)
  })

  it('compares a version’s predictions against its training data and badges the model', async () => {
    await openDrift('#/drift/model/churn')
    await expect
      .poll(() => e2e.page.locator('[data-testid="drift-version"]').inputValue())
      .toBe('1')
    expect(await e2e.page.locator('[data-testid="drift-reference-kind"]').inputValue()).toBe(
      'version',
    )
    await e2e.page.locator('[data-testid="drift-predictions"]').check()
    await e2e.page.locator('[data-testid="drift-current-kind"]').selectOption('file')
    await e2e.page.locator('[data-testid="drift-current-file"]').setInputFiles(drifted)
    const run = await runAndWait()
    expect(run.report.model).toEqual({ name: 'churn', version: 1 })
    expect(run.report.reference.rows).toBe(1200)
    const prediction = e2e.page.locator('[data-testid="drift-prediction"]')
    await prediction.waitFor()
    const outputs = await prediction
      .locator('[data-testid="drift-column-row"]')
      .evaluateAll((elements) => elements.map((el) => el.getAttribute('data-column')))
    // a binary classifier: its predicted label and the positive class's probability
    expect(run.report.prediction!.columns.map((c) => c.name)).toEqual([
      'predicted label',
      'probability of 1',
    ])
    expect([...outputs].sort()).toEqual(['predicted label', 'probability of 1'])

    const [status] = await e2e.server.slipway.call('drift:model-status', { model: 'churn' })
    expect(status!.status).not.toBe('unknown')
    await e2e.page.goto(`${e2e.server.url}#/registry`)
    const badge = e2e.page.locator(
      '[data-testid="model-row"]:has-text("churn") [data-testid="drift-status-badge"]',
    )
    await badge.and(e2e.page.locator(`[data-status="${status!.status}"]`)).waitFor()
  })

  it('lists a model’s monitor, runs it now and deletes it', async () => {
    const source = path.join(e2e.scratch, 'exports', 'latest.csv')
    fs.mkdirSync(path.dirname(source), { recursive: true })
    fs.copyFileSync(drifted, source)
    const monitor = await e2e.server.slipway.call(
      'monitors:create',
      {
        model: 'churn',
        versionRef: 1,
        name: 'nightly export',
        source: { kind: 'file', path: source },
      },
      { face: 'cli', readLocalPaths: true },
    )
    await openDrift('#/drift/model/churn')
    const row = e2e.page.locator(`[data-testid="monitor-row"][data-monitor="${monitor.id}"]`)
    await row.waitFor()
    expect(await row.innerText()).toContain('nightly export')
    // Web mode may type a folder path for monitors (the server runs as this user); the page says so.
    await e2e.page.locator('[data-testid="monitor-web-note"]').waitFor()
    await row.locator('[data-testid="monitor-pause"]').click()
    await row.locator('[data-testid="monitor-paused"]').waitFor()
    expect((await e2e.server.slipway.call('monitors:list', { model: 'churn' }))[0]!.paused).toBe(
      true,
    )
    await row.locator('[data-testid="monitor-pause"]').click()
    await row.locator('[data-testid="monitor-paused"]').waitFor({ state: 'detached' })

    await row.locator('[data-testid="monitor-run"]').click()
    await row.locator('[data-testid="monitor-last-run"] .drift-badge').waitFor()
    const runs = await e2e.server.slipway.call('drift:list', { monitorId: monitor.id })
    expect(runs).toHaveLength(1)
    expect(await row.locator('[data-testid="monitor-last-run"]').innerText()).toContain(
      runs[0]!.status.replace(/-/g, ' '),
    )

    e2e.page.once('dialog', (dialog) => void dialog.accept())
    await row.locator('[data-testid="monitor-delete"]').click()
    await row.waitFor({ state: 'detached' })
    expect(await e2e.server.slipway.call('monitors:list', { model: 'churn' })).toHaveLength(0)
  })

  it('cancels a running drift run and says so', async () => {
    await openDrift()
    await pickFiles(train, drifted)
    const before = await e2e.server.slipway.call('drift:list', {})
    // The worker's test hold stops the run before it compares its first column: the cancel lands
    // on a running job, whatever the files' size.
    await withTestHold(/^Comparing /, async () => {
      await e2e.page.locator('[data-testid="drift-start"]').click()
      expect(
        await heldOnPage(e2e.page, '[data-testid="drift-run"][data-status="running"]'),
      ).toMatch(/^Comparing age/)
      await e2e.page.locator('[data-testid="drift-cancel"]').click()
      await e2e.page
        .locator('[data-testid="drift-run"][data-status="cancelled"]')
        .waitFor({ state: 'attached' })
    })
    expect(await e2e.page.locator('[data-testid="drift-cancelled"]').innerText()).toContain(
      'cancelled',
    )
    const jobs = await e2e.server.slipway.call('jobs:list', {})
    // Newest first: the run just cancelled.
    expect(jobs.find((job) => job.kind === 'drift')?.status).toBe('cancelled')
    expect(await e2e.server.slipway.call('drift:list', {})).toHaveLength(before.length)
    // The window stayed usable: the options still open.
    await e2e.page.locator('.drift-options summary').click()
    await e2e.page.locator('[data-testid="drift-time-mode"]').waitFor()
  })
})
