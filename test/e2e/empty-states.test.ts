// A fresh registry in real Chromium: each empty page says what to do next, and Compare says why it
// cannot run with fewer than two versions instead of offering a button that fails.
import { describe, expect, it } from 'vitest'
import { fixture, useHarness } from './harness'

const e2e = useHarness({ name: 'empty', openAt: 'nav-registry' })

describe('empty states', () => {
  it('tells a new user the next step on every page, and Compare needs two versions', async () => {
    const empty = e2e.page.locator('[data-testid="models-empty"]')
    await empty.waitFor()
    expect(await empty.innerText()).toContain('Register a model')

    await e2e.page.goto(`${e2e.server.url}#/compare`)
    const why = e2e.page.locator('[data-testid="compare-needs-two"]')
    await why.waitFor()
    expect(await why.innerText()).toBe(
      'No model is registered yet: register two versions to compare them.',
    )
    expect(await e2e.page.locator('[data-testid="compare-start"]').isDisabled()).toBe(true)

    await e2e.server.slipway.call('registry:register', {
      file: { path: fixture('models', 'linear_binary.onnx') },
      model: 'churn',
    })
    await e2e.page.reload()
    await why.filter({ hasText: 'Only one version is registered' }).waitFor()
    expect(await e2e.page.locator('[data-testid="compare-start"]').isDisabled()).toBe(true)

    await e2e.server.slipway.call('registry:register', {
      file: { path: fixture('models', 'tree_ensemble.onnx') },
      model: 'churn',
    })
    await e2e.page.reload()
    await e2e.page.locator('[data-testid="compare-start"]:not([disabled])').waitFor()
    expect(await why.count()).toBe(0)

    await e2e.page.goto(`${e2e.server.url}#/datasets`)
    expect(await e2e.page.locator('[data-testid="datasets-empty"]').innerText()).toContain(
      'Drop .csv or .parquet files',
    )
  })
})
