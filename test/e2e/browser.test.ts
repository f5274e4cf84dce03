// The browser tests need no apt step: the finder's order, its loud failures, and a web-mode page
// loaded in the Chromium that ships inside the npm package, with no system browser in the list.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findBrowser, systemBrowserPaths } from './browser'
import { launchBrowser, useHarness } from './harness'

const linuxX64 = process.platform === 'linux' && process.arch === 'x64'

describe('findBrowser', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-browser-finder-'))
  const fake = (name: string): string => {
    const file = path.join(scratch, name)
    fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 })
    return file
  }
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

  it('takes the first candidate that exists, in the order given', async () => {
    const second = fake('second')
    const third = fake('third')
    const found = await findBrowser([
      { kind: 'path', path: path.join(scratch, 'absent') },
      { kind: 'path', path: second },
      { kind: 'path', path: third },
    ])
    expect(found.executablePath).toBe(second)
  })

  it('prefers the environment variable over system paths', async () => {
    const named = fake('named')
    process.env.SLIPWAY_TEST_BROWSER = named
    try {
      const found = await findBrowser([
        { kind: 'env', name: 'SLIPWAY_TEST_BROWSER' },
        { kind: 'path', path: fake('system') },
      ])
      expect(found).toMatchObject({ executablePath: named, source: 'SLIPWAY_TEST_BROWSER' })
    } finally {
      delete process.env.SLIPWAY_TEST_BROWSER
    }
  })

  it('fails loudly when the variable names a file that is not there', async () => {
    process.env.SLIPWAY_TEST_BROWSER = path.join(scratch, 'gone')
    try {
      await expect(
        findBrowser([{ kind: 'env', name: 'SLIPWAY_TEST_BROWSER' }, { kind: 'npm' }]),
      ).rejects.toThrow(/SLIPWAY_TEST_BROWSER names .*gone, which is not an executable file/)
    } finally {
      delete process.env.SLIPWAY_TEST_BROWSER
    }
  })

  it('names every place it tried when nothing is found', async () => {
    await expect(
      findBrowser([
        { kind: 'env', name: 'SLIPWAY_TEST_UNSET' },
        { kind: 'path', path: path.join(scratch, 'nowhere') },
      ]),
    ).rejects.toThrow(/Tried: SLIPWAY_TEST_UNSET \(not set\), .*nowhere\. Set SLIPWAY_CHROMIUM/)
  })

  it('looks at /usr/bin/chromium first among Linux system paths', () => {
    expect(systemBrowserPaths('linux')[0]).toBe('/usr/bin/chromium')
  })

  it.runIf(linuxX64)(
    'launches the npm-package Chromium with no system browser in the list',
    async () => {
      const browser = await launchBrowser([{ kind: 'npm' }])
      try {
        const page = await browser.newPage()
        await page.setContent('<p data-testid="x">from the npm build</p>')
        expect(await page.textContent('[data-testid="x"]')).toBe('from the npm build')
      } finally {
        await browser.close()
      }
    },
  )
})

// The whole harness (web-mode server, app page, script-error checks) on the npm-package browser only.
describe.runIf(linuxX64)('web mode in the npm-package Chromium', () => {
  const e2e = useHarness({
    name: 'npm-browser',
    openAt: 'nav-registry',
    browsers: [{ kind: 'npm' }],
  })

  it('opens the app and lists the views', async () => {
    expect(await e2e.page.locator('[data-testid="nav-datasets"]').count()).toBe(1)
    expect(e2e.browser.version()).toMatch(/^\d+\./)
  })
})

// A setup that cannot find a browser fails the tests it stops (vitest would report a failing
// beforeAll's tests as skipped); `it.fails` passes only if the test itself fails.
describe('a harness with no browser', () => {
  const broken = useHarness({
    name: 'no-browser',
    browsers: [{ kind: 'path', path: '/nonexistent/chromium' }],
  })

  it.fails('fails its tests instead of skipping them', () => {
    expect(broken.home).not.toBe('')
  })
})
