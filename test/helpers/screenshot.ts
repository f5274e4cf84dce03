// Screenshots for the README: written to docs/ only when SLIPWAY_DOCS_SCREENSHOTS=1, so a
// normal test run leaves the work tree clean; otherwise to a temporary folder for looking at.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'

export async function docsScreenshot(page: Page, name: string): Promise<string> {
  const dir = process.env.SLIPWAY_DOCS_SCREENSHOTS
    ? path.resolve(__dirname, '..', '..', 'docs')
    : path.join(os.tmpdir(), 'slipway-screenshots')
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, name)
  await page.screenshot({ path: file, fullPage: true })
  return file
}
