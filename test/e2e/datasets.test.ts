// Datasets in real Chromium against web mode: a dropped CSV is imported and profiled; a picked bad
// CSV shows its row and column where the user acted, and nothing is stored.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
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

async function dropFiles(target: Page, files: string[]): Promise<void> {
  const payload = files.map((file) => ({
    name: path.basename(file),
    base64: fs.readFileSync(file).toString('base64'),
  }))
  await target.evaluate((items) => {
    const transfer = new DataTransfer()
    for (const item of items) {
      const bytes = Uint8Array.from(atob(item.base64), (char) => char.charCodeAt(0))
      transfer.items.add(new File([bytes], item.name, { type: 'text/csv' }))
    }
    const on = document.querySelector('main') ?? document.body
    for (const type of ['dragenter', 'dragover', 'drop']) {
      on.dispatchEvent(
        new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }),
      )
    }
  }, payload)
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

beforeAll(async () => {
  if (!fs.existsSync(path.join(root, 'out', 'renderer', 'index.html'))) {
    throw new Error(
      'The renderer is not built: run `npx electron-vite build` (npm test does it in pretest)',
    )
  }
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-e2e-datasets-'))
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-e2e-csv-'))
  server = await startServer({ home, port: 0 })
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
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  // Any script error or CSP violation shows up here.
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text())
  })
  page.on('pageerror', (error) => problems.push(error.message))
  await page.goto(server.url)
  await page.locator('[data-testid="nav-datasets"]').waitFor()
})

afterEach(async () => {
  await page.close()
  expect(problems).toEqual([])
})

describe('datasets in the browser', () => {
  it('imports a CSV dropped on the window and shows its column profile', async () => {
    // Dropped on the registry view: data files still go to the dataset import.
    await dropFiles(page, [fixture('data', 'tree_ensemble-eval.csv')])
    await page.locator('[data-testid="dataset-page"]').waitFor()
    expect(await page.locator('[data-testid="dataset-title"]').innerText()).toBe(
      'tree_ensemble-eval',
    )
    expect(await page.locator('[data-testid="dataset-facts"]').innerText()).toMatch(
      /^800 rows · 5 columns · CSV/,
    )

    const stored = await server.slipway.call('datasets:list', {})
    expect(stored).toHaveLength(1)
    const detail = await server.slipway.call('datasets:get', { id: stored[0].id })
    const rows = page.locator('[data-testid="profile-row"]')
    expect(await rows.count()).toBe(5)
    const names = await rows.evaluateAll((elements) =>
      elements.map((el) => el.getAttribute('data-column')),
    )
    expect(names).toEqual(detail.profile.map((column) => column.name))
    expect(names).toEqual(['age', 'income', 'tenure', 'balance', 'label'])

    const age = page.locator('[data-testid="profile-row"][data-column="age"]')
    const ageText = await age.innerText()
    expect(ageText).toContain('numeric')
    const ageProfile = detail.profile.find((column) => column.name === 'age')!
    expect(ageProfile.missing).toBe(0)
    expect(await age.locator('[data-testid="profile-missing"]').innerText()).toBe('0')
    // The mean shown is the stored mean, written with four significant digits.
    expect(ageText).toContain(
      ageProfile.mean!.toLocaleString('en-US', { maximumSignificantDigits: 4 }),
    )

    // "Evaluate a model on it" opens the Evaluate view with this dataset chosen.
    await page.locator('[data-testid="dataset-evaluate"]').click()
    const chosen = page.locator('[data-testid="evaluate-dataset"]')
    await chosen.locator(`option[value="${detail.id}"]`).waitFor({ state: 'attached' })
    expect(await chosen.inputValue()).toBe(String(detail.id))

    // The list shows it with its short hash.
    await page.locator('[data-testid="nav-datasets"]').click()
    const row = page.locator('[data-testid="dataset-row"]', { hasText: 'tree_ensemble-eval' })
    await row.waitFor()
    expect(await row.innerText()).toContain(detail.sha256.slice(0, 12))
  })

  it('shows an import’s progress and cancels it: nothing is stored', async () => {
    const big = path.join(scratch, 'big-600k.csv')
    const lines = ['a,b,c,d,label']
    for (let i = 0; i < 600_000; i++)
      lines.push(`${i % 97},${(i * 7) % 101},${i / 3},${i % 13},${i % 2}`)
    fs.writeFileSync(big, lines.join('\n') + '\n')
    await page.locator('[data-testid="nav-datasets"]').click()
    const before = await server.slipway.call('datasets:list', {})
    const cancelled = clickWhenReady(
      page,
      '[data-status="importing"] [data-testid="dataset-import-cancel"]',
    )
    await page.locator('[data-testid="dataset-import-button-input"]').setInputFiles(big)
    await cancelled
    const item = page.locator('[data-testid="dataset-import"]', { hasText: 'big-600k.csv' })
    await item.and(page.locator('[data-status="cancelled"]')).waitFor()
    expect(await item.innerText()).toContain('Import cancelled; nothing was stored.')
    expect(await server.slipway.call('datasets:list', {})).toHaveLength(before.length)
  })

  it('shows a bad CSV’s row and column where the user picked it, and stores nothing', async () => {
    const bad = path.join(scratch, 'bad-income.csv')
    fs.writeFileSync(bad, 'age,income,label\n31,52000,1\n45,61000,0\n29,not-a-number,1\n')
    await page.locator('[data-testid="nav-datasets"]').click()
    await page.locator('[data-testid="dataset-import-button"]').waitFor()
    const before = await server.slipway.call('datasets:list', {})
    await page.locator('[data-testid="dataset-import-button-input"]').setInputFiles(bad)

    const failed = page.locator('[data-testid="dataset-import"][data-status="failed"]', {
      hasText: 'bad-income.csv',
    })
    await failed.waitFor()
    const message = await failed.locator('[data-testid="dataset-import-error"]').innerText()
    expect(message).toMatch(/income/)
    expect(message).toMatch(/row 4|line 4|row 3/i)
    expect(message).toMatch(/not-a-number/)
    expect(await server.slipway.call('datasets:list', {})).toHaveLength(before.length)
  })
})
