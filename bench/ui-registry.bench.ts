// The registry's long tables in headless Chromium against web mode: a model with 10,000 versions
// and a list of 10,000 models. Paint: navigation start until the first rows are on screen (the
// first animation frame after they enter the DOM), in a fresh browser context each time so the
// app's scripts load cold. Filter: a term entered in the filter box until the rows show its match.
// Baseline from the same run: the paint of the empty models list of an empty home.
// Code that runs in the page says `window.performance`: the bundle binds a bare `performance` to
// node:perf_hooks. The seeded home is kept in bench/.data (seeding registers 20,000 models through the real path).
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Browser } from 'playwright-core'
import { migrations } from '../src/core/db/migrations'
import { Slipway } from '../src/core/service'
import { startServer, type RunningServer } from '../src/server/server'
import { copyBytes } from '../test/helpers/onnx-copies'
import { launchBrowser } from '../test/e2e/browser'
import { goal, spread } from './goals'

const N = 10_000
const RUNS = 5
const rendererDir = path.resolve('out', 'renderer')
// The cached home is named after the schema it was seeded with: a changed migration seeds anew
// (the registry refuses a home migrated by a migration this build does not ship).
const schema = createHash('sha256')
  .update(migrations.map((m) => `${m.version}:${m.sql}`).join('\n'))
  .digest('hex')
  .slice(0, 12)
const seeded = path.resolve('bench', '.data', `ui-home-${N}-${schema}`)
const marker = path.join(seeded, 'seeded.json')
const pad = (i: number): string => String(i).padStart(5, '0')

async function seed(): Promise<void> {
  if (fs.existsSync(marker)) return
  fs.rmSync(seeded, { recursive: true, force: true })
  fs.mkdirSync(seeded, { recursive: true })
  const slipway = new Slipway({ home: seeded, actor: 'bench' })
  const base = fs.readFileSync(path.resolve('test', 'fixtures', 'models', 'linear_binary.onnx'))
  const file = path.join(os.tmpdir(), `slipway-ui-seed-${process.pid}.onnx`)
  const start = performance.now()
  try {
    for (let i = 1; i <= N; i++) {
      fs.writeFileSync(file, copyBytes(base, i))
      await slipway.call('registry:register', {
        file: { path: file },
        model: 'big',
        fileName: `big-${i}.onnx`,
        ...(i % 1000 === 0 ? { tags: [{ key: 'milestone', value: `m${i / 1000}` }] } : {}),
      })
    }
    for (let i = 0; i < N; i++) {
      fs.writeFileSync(file, copyBytes(base, N + 1 + i))
      await slipway.call('registry:register', { file: { path: file }, model: `fleet-${pad(i)}` })
    }
  } finally {
    slipway.close()
    fs.rmSync(file, { force: true })
  }
  const seconds = (performance.now() - start) / 1000
  fs.writeFileSync(marker, JSON.stringify({ registrations: 2 * N, seconds }))
  console.log(
    `seeded ${2 * N} registrations in ${seconds.toFixed(0)} s (${((seconds * 1000) / (2 * N)).toFixed(1)} ms each)`,
  )
}

// Installed before the app's scripts: the time (since navigation start) of the first frame after
// a row with the given test id is in the DOM.
const paintProbe = (testId: string): void => {
  const w = window as unknown as { __painted?: number }
  const observer = new MutationObserver(() => {
    if (!document.querySelector(`[data-testid="${testId}"]`)) return
    observer.disconnect()
    requestAnimationFrame(() => {
      w.__painted = window.performance.now()
    })
  })
  observer.observe(document, { subtree: true, childList: true })
}

async function paint(browser: Browser, url: string, testId: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  try {
    const page = await context.newPage()
    await page.addInitScript(paintProbe, testId)
    await page.goto(url)
    await page.waitForFunction(
      () => (window as { __painted?: number }).__painted !== undefined,
      null,
      {
        timeout: 60_000,
      },
    )
    return await page.evaluate(() => (window as unknown as { __painted: number }).__painted)
  } finally {
    await context.close()
  }
}

/**
 * Opens the page, then for each term sets the filter box's value at once (as a paste) and times,
 * inside the page, until the first cell of the only row reads `expect`, plus one frame.
 */
async function filter(
  browser: Browser,
  url: string,
  box: string,
  row: string,
  terms: [string, string][],
): Promise<number[]> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  try {
    const page = await context.newPage()
    await page.goto(url)
    await page.locator(`[data-testid="${row}"]`).first().waitFor({ timeout: 60_000 })
    const times: number[] = []
    for (const [term, expect] of terms) {
      times.push(
        await page.evaluate(
          ({ box, row, term, expect }) =>
            new Promise<number>((resolve, reject) => {
              const input = document.querySelector<HTMLInputElement>(`[data-testid="${box}"]`)
              if (!input) return reject(new Error(`no ${box}`))
              const done = (): boolean => {
                const rows = document.querySelectorAll(`[data-testid="${row}"]`)
                const cell = rows[0]?.querySelector('td')
                return rows.length === 1 && (cell?.innerText ?? '').split('\n')[0] === expect
              }
              const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')
              const start = window.performance.now()
              const observer = new MutationObserver(() => {
                if (!done()) return
                observer.disconnect()
                requestAnimationFrame(() => resolve(window.performance.now() - start))
              })
              observer.observe(document.body, {
                subtree: true,
                childList: true,
                characterData: true,
              })
              setValue?.set?.call(input, term)
              input.dispatchEvent(new Event('input', { bubbles: true }))
              setTimeout(() => reject(new Error(`filter "${term}" never showed ${expect}`)), 30_000)
            }),
          { box, row, term, expect },
        ),
      )
      // Back to the whole list before the next term.
      await page.locator(`[data-testid="${box}"]`).fill('')
      await page.waitForFunction(
        (row) => document.querySelectorAll(`[data-testid="${row}"]`).length > 1,
        row,
      )
    }
    return times
  } finally {
    await context.close()
  }
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const ms = (xs: number[]): string => `median ${median(xs).toFixed(0)} ms (${spread(xs)} ms)`

async function main(): Promise<void> {
  await seed()
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-ui-empty-'))
  let big: RunningServer | undefined
  let none: RunningServer | undefined
  let browser: Browser | undefined
  try {
    big = await startServer({ home: seeded, port: 0, rendererDir })
    none = await startServer({ home: empty, port: 0, rendererDir })
    browser = await launchBrowser()
    const at = (server: RunningServer, hash: string): string => `${server.url}${hash}`
    // One warm-up of each page: the server's first statements, the browser's first start.
    await paint(browser, at(none, '#/registry'), 'models-empty')
    await paint(browser, at(big, '#/registry/big'), 'version-row')
    await paint(browser, at(big, '#/registry'), 'model-row')

    const baseline: number[] = []
    const versions: number[] = []
    const models: number[] = []
    for (let run = 0; run < RUNS; run++) {
      baseline.push(await paint(browser, at(none, '#/registry'), 'models-empty'))
      versions.push(await paint(browser, at(big, '#/registry/big'), 'version-row'))
      models.push(await paint(browser, at(big, '#/registry'), 'model-row'))
    }
    const versionTerms: [string, string][] = [
      ['v4321', 'v4321'],
      ['9876', 'v9876'],
      ['big-1234.onnx', 'v1234'],
      ['milestone=m7', 'v7000'],
      ['v17', 'v17'],
    ]
    const modelTerms: [string, string][] = [
      ['fleet-04321', 'fleet-04321'],
      ['fleet-09999', 'fleet-09999'],
      ['fleet-00017', 'fleet-00017'],
      ['fleet-05000', 'fleet-05000'],
      ['big', 'big'],
    ]
    const versionFilter = await filter(
      browser,
      at(big, '#/registry/big'),
      'version-search',
      'version-row',
      versionTerms,
    )
    const modelFilter = await filter(
      browser,
      at(big, '#/registry'),
      'model-search',
      'model-row',
      modelTerms,
    )

    console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg()[0]?.toFixed(2)}`)
    console.log(`baseline, paint of an empty models list: ${ms(baseline)}`)
    console.log(`paint, model with ${N} versions:        ${ms(versions)}`)
    console.log(`paint, list of ${N + 1} models:          ${ms(models)}`)
    console.log(`filter, ${N} versions (5 terms):         ${ms(versionFilter)}`)
    console.log(`filter, ${N + 1} models (5 terms):       ${ms(modelFilter)}`)
    const report = (name: string, value: number, target: number): void =>
      goal(name, value / target, `≤ 1× of ${target} ms`, value <= target)
    report(`paint of a model with ${N} versions`, median(versions), 1000)
    report(`paint of the list of ${N + 1} models`, median(models), 1000)
    report(`filter of ${N} versions`, median(versionFilter), 50)
    report(`filter of ${N + 1} models`, median(modelFilter), 50)
    console.log(
      `versions paint / empty-list paint: ${(median(versions) / median(baseline)).toFixed(2)}×; models paint / empty-list paint: ${(median(models) / median(baseline)).toFixed(2)}×`,
    )
  } finally {
    await browser?.close()
    await big?.close()
    await none?.close()
    fs.rmSync(empty, { recursive: true, force: true })
  }
}

void main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
