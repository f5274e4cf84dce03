// The registry in real Chromium against web mode: drag-and-drop registration, the version page,
// errors for broken files, re-registration, alias and tag edits, and untrusted metadata shown as text.
import { standInJobs } from '../helpers/home'
import { docsScreenshot } from '../helpers/screenshot'
import { describe, expect, it } from 'vitest'
import { dropFiles, fixture, useHarness } from './harness'

const e2e = useHarness({ name: 'registry', openAt: 'nav-registry' })

const row = (fileName: string) =>
  e2e.page.locator('[data-testid="register-row"]', { hasText: fileName })

describe('registry in the browser', () => {
  it('registers a dropped .onnx file and shows its version with the signature', async () => {
    await e2e.page.locator('[data-testid="models-empty"]').waitFor()
    await dropFiles(e2e.page, [fixture('models', 'linear_binary.onnx')])
    const dialog = e2e.page.locator('[data-testid="register-dialog"]')
    await dialog.waitFor()
    const modelInput = row('linear_binary.onnx').locator('[data-testid="register-model"]')
    expect(await modelInput.inputValue()).toBe('linear_binary')
    await modelInput.fill('churn')
    await e2e.page.locator('[data-testid="register-code-version"]').fill('git:4f2a9c1')
    await e2e.page
      .locator('[data-testid="register-description"]')
      .fill('Logistic regression on the March customer snapshot.')
    await e2e.page.locator('[data-testid="register-alias"]').fill('champion')
    await e2e.page.locator('[data-testid="register-submit"]').click()

    await row('linear_binary.onnx').and(e2e.page.locator('[data-status="registered"]')).waitFor()
    expect(
      await row('linear_binary.onnx').locator('[data-testid="register-result"]').innerText(),
    ).toBe('Registered as churn v1')
    await row('linear_binary.onnx').locator('[data-testid="register-open"]').click()

    await e2e.page.locator('[data-testid="version-page"]').waitFor()
    expect(await e2e.page.locator('[data-testid="version-title"]').innerText()).toMatch(
      /churn\s+v1/,
    )
    const inputs = await e2e.page
      .locator('[data-testid="signature-inputs"] tbody tr')
      .allInnerTexts()
    expect(inputs).toEqual(['input\tfloat32\t[N, 4]'])
    const outputs = await e2e.page
      .locator('[data-testid="signature-outputs"] tbody tr')
      .allInnerTexts()
    expect(outputs).toEqual(['label\tint64\t[N]', 'probabilities\tfloat32\t[N, 2]'])
    expect(await e2e.page.locator('[data-testid="lineage"]').innerText()).toContain('git:4f2a9c1')
    expect(await e2e.page.locator('[data-testid="aliases"]').innerText()).toContain('champion')
    expect(await e2e.page.locator('[data-testid="onnx-facts"]').innerText()).toContain(
      'slipway-fixtures 1.0',
    )

    // The models list knows the new model.
    await e2e.page.locator('[data-testid="nav-registry"]').click()
    await e2e.page.locator('[data-testid="model-row"]', { hasText: 'churn' }).waitFor()
  })

  it('edits aliases and tags on the version page and records the alias history', async () => {
    await e2e.page.goto(`${e2e.server.url}#/registry/churn/1`)
    await e2e.page.locator('[data-testid="version-page"]').waitFor()
    await e2e.page.locator('[data-testid="tag-key"]').fill('team')
    await e2e.page.locator('[data-testid="tag-value"]').fill('risk-analytics')
    await e2e.page.locator('[data-testid="tag-submit"]').click()
    await e2e.page.locator('[data-testid="tags"]', { hasText: 'risk-analytics' }).waitFor()

    await e2e.page.locator('[data-testid="alias-input"]').fill('9 not an alias')
    await e2e.page.locator('[data-testid="alias-submit"]').click()
    const aliasError = e2e.page.locator('[data-testid="alias-error"]')
    await aliasError.waitFor()
    expect(await aliasError.innerText()).toMatch(/Alias must start with a letter/)

    await e2e.page.locator('[data-testid="alias-input"]').fill('production')
    await e2e.page.locator('[data-testid="alias-submit"]').click()
    await e2e.page.locator('[data-testid="aliases"]', { hasText: 'production' }).waitFor()
    await e2e.page.locator('[data-testid="alias-history"]', { hasText: 'production' }).waitFor()
    expect(await aliasError.count()).toBe(0)
    // what the page shows is what the registry stored; the refused alias left no trace
    const stored = await e2e.server.slipway.call('registry:get-version', { model: 'churn', ref: 1 })
    expect(stored.tags).toEqual({ team: 'risk-analytics' })
    expect([...stored.aliases].sort()).toEqual(['champion', 'production'])
    const history = (await e2e.server.slipway.call('registry:get-model', { model: 'churn' }))
      .aliasHistory
    expect(history.map((e) => [e.alias, e.fromVersion, e.toVersion])).toEqual([
      ['production', null, 1],
      ['champion', null, 1],
    ])

    await docsScreenshot(e2e.page, 'screenshot.png')
  })

  it('shows the error for a broken file next to its name and registers nothing for it', async () => {
    await dropFiles(e2e.page, [
      fixture('bad', 'truncated.onnx'),
      fixture('models', 'mlp_multiclass.onnx'),
    ])
    await e2e.page.locator('[data-testid="register-dialog"]').waitFor()
    await e2e.page.locator('[data-testid="register-submit"]').click()
    await row('truncated.onnx').and(e2e.page.locator('[data-status="failed"]')).waitFor()
    await row('mlp_multiclass.onnx').and(e2e.page.locator('[data-status="registered"]')).waitFor()
    const failure = await row('truncated.onnx')
      .locator('[data-testid="register-result"]')
      .innerText()
    expect(failure).toContain('truncated.onnx')
    expect(
      await row('mlp_multiclass.onnx').locator('[data-testid="register-result"]').innerText(),
    ).toBe('Registered as mlp_multiclass v1')
    await e2e.page.locator('[data-testid="register-close"]').click()
    await e2e.page.locator('[data-testid="model-row"]', { hasText: 'mlp_multiclass' }).waitFor()
    expect(
      await e2e.page.locator('[data-testid="model-row"]', { hasText: 'truncated' }).count(),
    ).toBe(0)
  })

  it('says a file is already registered when the same bytes are dropped again', async () => {
    await dropFiles(e2e.page, [fixture('models', 'linear_binary.onnx')])
    await row('linear_binary.onnx').locator('[data-testid="register-model"]').fill('churn')
    await e2e.page.locator('[data-testid="register-submit"]').click()
    await row('linear_binary.onnx').and(e2e.page.locator('[data-status="existing"]')).waitFor()
    expect(
      await row('linear_binary.onnx').locator('[data-testid="register-result"]').innerText(),
    ).toBe('Already registered as v1')
    await e2e.page.locator('[data-testid="register-close"]').click()
    const churn = e2e.page.locator('[data-testid="model-row"]', { hasText: 'churn' })
    await churn.waitFor()
    expect(await churn.locator('td').nth(1).innerText()).toBe('1')
  })

  it('registers through the Register model… picker and shows hostile metadata as plain text', async () => {
    await e2e.page
      .locator('[data-testid="register-input"]')
      .setInputFiles(fixture('bad', 'metadata_html.onnx'))
    await e2e.page.locator('[data-testid="register-dialog"]').waitFor()
    await e2e.page.locator('[data-testid="register-submit"]').click()
    await row('metadata_html.onnx').and(e2e.page.locator('[data-status="registered"]')).waitFor()
    await row('metadata_html.onnx').locator('[data-testid="register-open"]').click()
    const metadata = e2e.page.locator('[data-testid="onnx-metadata"]')
    await metadata.waitFor()
    expect(await metadata.innerText()).toContain(
      '<script>alert(1)</script><img src=x onerror="alert(2)">',
    )
    expect(
      await e2e.page
        .locator('[data-testid="version-page"] img, [data-testid="version-page"] script')
        .count(),
    ).toBe(0)
  })

  it('shows a running job live from the event stream and cancels it', async () => {
    let step = 0
    let timer: ReturnType<typeof setInterval> | undefined
    const job = standInJobs(e2e.server.slipway).start(
      'test',
      'Scoring march.csv',
      ({ signal, progress }) => {
        timer = setInterval(() => progress(++step, 1000, `Scored ${step} of 1000 rows`), 150)
        return new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('cancelled')))
        })
      },
    )
    try {
      const card = e2e.page.locator('[data-testid="job"]', { hasText: 'Scoring march.csv' })
      await card.waitFor()
      await e2e.page.waitForFunction(() =>
        /Scored \d+ of 1000/.test(document.querySelector('[data-testid="job"]')?.textContent ?? ''),
      )
      const first = await card.innerText()
      // Only pushed events change the message after start-up: the page asks for the list once.
      await e2e.page.waitForFunction(
        (before) =>
          (document.querySelector('[data-testid="job"]')?.textContent ?? '') !==
          before.replace(/\n/g, ''),
        first,
      )
      await card.getByRole('button', { name: 'Cancel' }).click()
      await card.waitFor({ state: 'detached' })
      expect(e2e.server.slipway.core.jobs.get(job.id).status).toBe('cancelled')
    } finally {
      clearInterval(timer)
    }
  })

  it('filters the models list by search', async () => {
    await e2e.page.locator('[data-testid="model-row"]').first().waitFor()
    await e2e.page.locator('[data-testid="model-search"]').fill('mlp')
    await e2e.page.waitForFunction(
      () => document.querySelectorAll('[data-testid="model-row"]').length === 1,
    )
    expect(await e2e.page.locator('[data-testid="model-row"]').innerText()).toContain(
      'mlp_multiclass',
    )
  })
})
