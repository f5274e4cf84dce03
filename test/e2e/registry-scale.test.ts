// Long registry tables in real Chromium: a model with 2,000 versions and a list of 250 models keep
// only a window of rows in the DOM, load later pages as they scroll, and filter in the registry.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { copyBytes } from '../helpers/onnx-copies'
import { fixture, useHarness } from './harness'

const VERSIONS = 2000
const MODELS = 250

const e2e = useHarness({
  name: 'registry-scale',
  async setup({ server, scratch }) {
    const base = fs.readFileSync(fixture('models', 'linear_binary.onnx'))
    const file = path.join(scratch, 'copy.onnx')
    const slipway = server.slipway
    for (let i = 1; i <= VERSIONS; i++) {
      fs.writeFileSync(file, copyBytes(base, i))
      await slipway.call('registry:register', {
        file: { path: file },
        model: 'big',
        fileName: `big-${i}.onnx`,
        ...(i === 1234 ? { alias: 'champion' } : {}),
        ...(i === 777 ? { tags: [{ key: 'stage', value: 'canary' }] } : {}),
      })
    }
    for (let i = 0; i < MODELS; i++) {
      fs.writeFileSync(file, copyBytes(base, VERSIONS + i))
      await slipway.call('registry:register', {
        file: { path: file },
        model: `fleet-${String(i).padStart(3, '0')}`,
      })
    }
  },
})

const rowTexts = (testId: string): Promise<string[]> =>
  e2e.page.locator(`[data-testid="${testId}"] td:first-child`).allInnerTexts()

/** Scrolls the table's box to its end until `done` holds, as a user dragging the scrollbar. */
async function scrollUntil(table: string, done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 60 && !(await done()); i++) {
    await e2e.page
      .locator(`[data-testid="${table}-scroll"]`)
      .evaluate((box) => box.scrollTo(0, box.scrollHeight))
    await e2e.page.waitForTimeout(100)
  }
}

describe('long registry tables', () => {
  it('keeps a window of a 2,000-version model in the DOM and shows later rows on scroll', async () => {
    await e2e.page.goto(`${e2e.server.url}#/registry/big`)
    await e2e.page.locator('[data-testid="version-row"]').first().waitFor()
    expect(await e2e.page.locator('[data-testid="versions-count"]').innerText()).toBe(
      `${VERSIONS} versions`,
    )
    const first = await rowTexts('version-row')
    expect(first[0]).toBe(`v${VERSIONS}`)
    expect(first.length).toBeGreaterThan(5)
    expect(first.length).toBeLessThan(100)
    // Rows are links to the version's page.
    expect(
      await e2e.page.locator('[data-testid="version-link"]').first().getAttribute('href'),
    ).toBe(`#/registry/big/${VERSIONS}`)

    await scrollUntil('versions-table', async () => (await rowTexts('version-row')).includes('v1'))
    const last = await rowTexts('version-row')
    expect(last).toContain('v1')
    expect(last).not.toContain(`v${VERSIONS}`)
    expect(last.length).toBeLessThan(100)
    // The rows in view are in order, none missing: every version was paged in once.
    const numbers = last.map((text) => Number(text.replace(/^v(\d+).*$/s, '$1')))
    expect(numbers).toEqual(numbers.map((_, i) => (numbers[0] ?? 0) - i))
    await e2e.page.locator('[data-testid="version-link"]', { hasText: /^v2$/ }).click()
    await e2e.page.locator('[data-testid="version-page"]').waitFor()
    expect(await e2e.page.locator('[data-testid="version-title"]').innerText()).toMatch(
      /big\s+v2\b/,
    )
  })

  it('filters the versions by number, alias and tag in the registry', async () => {
    await e2e.page.goto(`${e2e.server.url}#/registry/big`)
    await e2e.page.locator('[data-testid="version-row"]').first().waitFor()
    const search = e2e.page.locator('[data-testid="version-search"]')
    const only = async (term: string, expected: string[]): Promise<void> => {
      await search.fill(term)
      await e2e.page.waitForFunction(
        (want) =>
          [...document.querySelectorAll('[data-testid="version-row"] td:first-child')]
            .map((cell) => (cell as HTMLElement).innerText)
            .join('|') === want,
        expected.join('|'),
      )
    }
    await only('v1500', ['v1500'])
    await only('42', ['v42'])
    await only('champion', ['v1234'])
    await only('stage=canary', ['v777'])
    await only('big-1999.onnx', ['v1999'])
    expect(await e2e.page.locator('[data-testid="versions-count"]').innerText()).toBe(
      '1 version matches',
    )
    await search.fill('no such thing')
    await e2e.page.locator('[data-testid="versions-empty"]').waitFor()
    await search.fill('')
    await e2e.page.locator('[data-testid="version-row"]', { hasText: `v${VERSIONS}` }).waitFor()
  })

  it('keeps a window of 251 models, pages in the rest on scroll, and searches them', async () => {
    await e2e.page.goto(`${e2e.server.url}#/registry`)
    await e2e.page.locator('[data-testid="model-row"]').first().waitFor()
    const names = async (): Promise<string[]> =>
      e2e.page.locator('[data-testid="model-link"]').allInnerTexts()
    const head = await names()
    // Newest change first: the last model registered.
    expect(head[0]).toBe(`fleet-${String(MODELS - 1).padStart(3, '0')}`)
    expect(head.length).toBeLessThan(100)
    await scrollUntil('models-table', async () => (await names()).includes('big'))
    const tail = await names()
    expect(tail.at(-1)).toBe('big')
    expect(tail.length).toBeLessThan(100)
    expect(
      await e2e.page.locator('[data-testid="model-link"]', { hasText: 'big' }).getAttribute('href'),
    ).toBe('#/registry/big')
    await e2e.page.locator('[data-testid="model-search"]').fill('fleet-007')
    await e2e.page.waitForFunction(
      () => document.querySelectorAll('[data-testid="model-row"]').length === 1,
    )
    expect(await names()).toEqual(['fleet-007'])
  })
})
