// The browser harness every e2e file shares: a web-mode server on a temporary home, one headless
// Chromium, a fresh page per test whose script errors and CSP violations fail that test, and the
// in-page helpers (drop files, click when ready, wait for a job the test hold stopped).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest'
import { HELD_SUFFIX } from '../../src/core/jobs/test-hold'
import type { RunningServer } from '../../src/server/server'
import { startServer } from '../../src/server/server'
import { launchBrowser, type BrowserCandidate } from './browser'

export { launchBrowser }

export const root = path.resolve(__dirname, '..', '..')
export const fixture = (...parts: string[]): string => path.join(root, 'test', 'fixtures', ...parts)

export interface Harness {
  readonly server: RunningServer
  readonly browser: Browser
  /** The page of the running test, new for each test. */
  readonly page: Page
  readonly home: string
  /** A temporary folder for files the tests write. */
  readonly scratch: string
}

export interface HarnessOptions {
  /** Names the temporary folders, so a leftover one says which file made it. */
  name: string
  viewport?: { width: number; height: number }
  /** A `data-testid` to wait for after opening the app before each test; without it the page stays blank. */
  openAt?: string
  /** Runs once the server is up and before the browser starts: registrations, imports, files. */
  setup?: (harness: Pick<Harness, 'server' | 'home' | 'scratch'>) => Promise<void> | void
  /** Where to look for the browser; the default is SLIPWAY_CHROMIUM, system paths, the npm build. */
  browsers?: BrowserCandidate[]
}

/** Registers the file's hooks and returns the harness whose fields the tests read. */
export function useHarness(options: HarnessOptions): Harness {
  let server: RunningServer | undefined
  let browser: Browser | undefined
  let page: Page | undefined
  let home = ''
  let scratch = ''
  let problems: string[] = []
  // A failed setup fails every test it stops (a failing beforeAll would only mark them skipped).
  let setupError: unknown
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`The e2e harness has no ${what} yet`)
    return value
  }
  const harness: Harness = {
    get server() {
      return ready(server, 'server')
    },
    get browser() {
      return ready(browser, 'browser')
    },
    get page() {
      return ready(page, 'page')
    },
    get home() {
      return home
    },
    get scratch() {
      return scratch
    },
  }

  beforeAll(async () => {
    try {
      if (!fs.existsSync(path.join(root, 'out', 'renderer', 'index.html'))) {
        throw new Error(
          'The renderer is not built: run `npx electron-vite build` (npm test does it in pretest)',
        )
      }
      home = fs.mkdtempSync(path.join(os.tmpdir(), `slipway-e2e-${options.name}-`))
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), `slipway-e2e-${options.name}-data-`))
      server = await startServer({ home, port: 0 })
      await options.setup?.({ server, home, scratch })
      browser = await launchBrowser(options.browsers)
    } catch (error) {
      setupError = error
    }
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    if (home) fs.rmSync(home, { recursive: true, force: true })
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true })
  })

  beforeEach(async () => {
    if (setupError !== undefined) {
      throw new Error(
        `The e2e setup for ${options.name} failed: ${setupError instanceof Error ? setupError.message : String(setupError)}`,
        { cause: setupError },
      )
    }
    problems = []
    const opened = await harness.browser.newPage({
      viewport: options.viewport ?? { width: 1280, height: 900 },
    })
    page = opened
    // Any script error or CSP violation (chart.js styling, inline styles) shows up here.
    opened.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text())
    })
    opened.on('pageerror', (error) => problems.push(error.message))
    if (options.openAt) {
      await opened.goto(harness.server.url)
      await opened.locator(`[data-testid="${options.openAt}"]`).waitFor()
    }
  })

  afterEach(async () => {
    if (setupError !== undefined) return
    await page?.close()
    expect(problems).toEqual([])
  })

  return harness
}

/** Drops files on the window the way a user's drag from the file manager does. */
export async function dropFiles(target: Page, files: string[]): Promise<void> {
  const payload = files.map((file) => ({
    name: path.basename(file),
    type: file.endsWith('.csv') ? 'text/csv' : 'application/octet-stream',
    base64: fs.readFileSync(file).toString('base64'),
  }))
  await target.evaluate((items) => {
    const transfer = new DataTransfer()
    for (const item of items) {
      const bytes = Uint8Array.from(atob(item.base64), (char) => char.charCodeAt(0))
      transfer.items.add(new File([bytes], item.name, { type: item.type }))
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
 * Waits until the element at `selector` shows the progress message of a job stopped by the test
 * hold (run the test inside `withTestHold`, test/helpers/hold.ts: the server runs in this process,
 * so its workers read the hold from this process's environment). Resolves with the element's text
 * up to the hold's mark, so the test can check where the job stopped before it clicks Cancel.
 */
export async function heldOnPage(target: Page, selector: string): Promise<string> {
  const shown = target.locator(selector, { hasText: HELD_SUFFIX })
  await shown.waitFor()
  const text = await shown.innerText()
  return text.slice(0, text.indexOf(HELD_SUFFIX))
}
