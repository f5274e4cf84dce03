// Datasets in real Chromium against web mode: a dropped CSV is imported and profiled; a picked bad
// CSV shows its row and column where the user acted, and nothing is stored.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { at } from '../helpers/at'
import { withTestHold } from '../helpers/hold'
import { dropFiles, fixture, heldOnPage, useHarness } from './harness'

const e2e = useHarness({ name: 'datasets', openAt: 'nav-datasets' })

describe('datasets in the browser', () => {
  it('imports a CSV dropped on the window and shows its column profile', async () => {
    // Dropped on the registry view: data files still go to the dataset import.
    await dropFiles(e2e.page, [fixture('data', 'tree_ensemble-eval.csv')])
    // Asked first, with the name it will get.
    await e2e.page.locator('[data-testid="import-dialog"]').waitFor()
    expect(await e2e.page.locator('[data-testid="import-name"]').inputValue()).toBe(
      'tree_ensemble-eval',
    )
    await e2e.page.locator('[data-testid="import-confirm"]').click()
    await e2e.page.locator('[data-testid="dataset-page"]').waitFor()
    expect(await e2e.page.locator('[data-testid="dataset-title"]').innerText()).toBe(
      'tree_ensemble-eval',
    )
    expect(await e2e.page.locator('[data-testid="dataset-facts"]').innerText()).toMatch(
      /^800 rows · 5 columns · CSV/,
    )

    const stored = await e2e.server.slipway.call('datasets:list', {})
    expect(stored).toHaveLength(1)
    const detail = await e2e.server.slipway.call('datasets:get', {
      id: at(stored, 0, 'dataset').id,
    })
    const rows = e2e.page.locator('[data-testid="profile-row"]')
    expect(await rows.count()).toBe(5)
    const names = await rows.evaluateAll((elements) =>
      elements.map((el) => el.getAttribute('data-column')),
    )
    expect(names).toEqual(detail.profile.map((column) => column.name))
    expect(names).toEqual(['age', 'income', 'tenure', 'balance', 'label'])

    const age = e2e.page.locator('[data-testid="profile-row"][data-column="age"]')
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
    await e2e.page.locator('[data-testid="dataset-evaluate"]').click()
    const chosen = e2e.page.locator('[data-testid="evaluate-dataset"]')
    await chosen.locator(`option[value="${detail.id}"]`).waitFor({ state: 'attached' })
    expect(await chosen.inputValue()).toBe(String(detail.id))

    // The list shows it with its short hash.
    await e2e.page.locator('[data-testid="nav-datasets"]').click()
    const row = e2e.page.locator('[data-testid="dataset-row"]', { hasText: 'tree_ensemble-eval' })
    await row.waitFor()
    expect(await row.innerText()).toContain(detail.sha256.slice(0, 12))
  })

  it('shows an import’s progress and cancels it: nothing is stored', async () => {
    // An upload is always read in a worker, whose test hold stops it while it reads the file: the
    // cancel lands on a running import, whatever the file's size.
    const file = path.join(e2e.scratch, 'held-import.csv')
    const lines = ['a,b,c,d,label']
    for (let i = 0; i < 2_000; i++)
      lines.push(`${i % 97},${(i * 7) % 101},${i / 3},${i % 13},${i % 2}`)
    fs.writeFileSync(file, `${lines.join('\n')}\n`)
    await e2e.page.locator('[data-testid="nav-datasets"]').click()
    const before = await e2e.server.slipway.call('datasets:list', {})
    const item = e2e.page.locator('[data-testid="dataset-import"]', { hasText: 'held-import.csv' })
    await withTestHold(/^Reading /, async () => {
      await e2e.page.locator('[data-testid="dataset-import-button-input"]').setInputFiles(file)
      await e2e.page.locator('[data-testid="import-confirm"]').click()
      // The page shows the worker's own progress message, and the import is still running.
      expect(
        await heldOnPage(e2e.page, '[data-testid="dataset-import"][data-status="importing"]'),
      ).toContain('Reading held-import.csv')
      await item.locator('[data-testid="dataset-import-cancel"]').click()
      await item.and(e2e.page.locator('[data-status="cancelled"]')).waitFor()
    })
    expect(await item.innerText()).toContain('Import cancelled; nothing was stored.')
    expect(await e2e.server.slipway.call('datasets:list', {})).toHaveLength(before.length)
    const jobs = await e2e.server.slipway.call('jobs:list', {})
    expect(jobs.find((job) => job.kind === 'dataset-import')?.status).toBe('cancelled')
  })

  it('shows a bad CSV’s row and column where the user picked it, and stores nothing', async () => {
    const bad = path.join(e2e.scratch, 'bad-income.csv')
    fs.writeFileSync(bad, 'age,income,label\n31,52000,1\n45,61000,0\n29,not-a-number,1\n')
    await e2e.page.locator('[data-testid="nav-datasets"]').click()
    await e2e.page.locator('[data-testid="dataset-import-button"]').waitFor()
    const before = await e2e.server.slipway.call('datasets:list', {})
    await e2e.page.locator('[data-testid="dataset-import-button-input"]').setInputFiles(bad)
    await e2e.page.locator('[data-testid="import-confirm"]').click()

    const failed = e2e.page.locator('[data-testid="dataset-import"][data-status="failed"]', {
      hasText: 'bad-income.csv',
    })
    await failed.waitFor()
    const message = await failed.locator('[data-testid="dataset-import-error"]').innerText()
    // data row 3 is line 4 of the file (after the header)
    expect(message).toMatch(
      /bad-income\.csv: row 3, column "income": "not-a-number" is not a number \(line 4 of the file/,
    )
    expect(await e2e.server.slipway.call('datasets:list', {})).toHaveLength(before.length)
  })
})
