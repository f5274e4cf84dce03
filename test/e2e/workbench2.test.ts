// Issue 11, the parts finished in the second session, in real Chromium against web mode: class
// names from the model, deletes that can be undone, a dataset deleted while its results are kept,
// lineage in the register dialog, drift runs deleted from the window, hand-picked evaluations side
// by side, and no clickable plain rows.
import { readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { importDataset, storedId } from '../helpers/jobs'
import { withMetadata } from '../helpers/onnx-metadata'
import { dropFiles, fixture, useHarness } from './harness'

let irisDataset = 0
let irisEvaluation = 0
let irisV2Evaluation = 0
let irisComparison = 0
const driftRuns: number[] = []

const e2e = useHarness({
  name: 'workbench2',
  viewport: { width: 1280, height: 900 },
  openAt: 'nav-registry',
  async setup({ server, scratch }) {
    const { slipway } = server
    const named = `${scratch}/iris.onnx`
    writeFileSync(
      named,
      withMetadata(
        fixture('models', 'mlp_multiclass.onnx'),
        'class_names',
        '["setosa", "versicolor", "virginica"]',
      ),
    )
    await slipway.call('registry:register', { file: { path: named }, model: 'iris' })
    await slipway.call('registry:register', {
      file: { path: fixture('models', 'mlp_multiclass.onnx') },
      model: 'iris',
    })
    const job = await slipway.call('datasets:add', {
      file: { path: fixture('data', 'mlp_multiclass-eval.csv') },
      name: 'iris-eval',
    })
    irisDataset = await storedId(slipway, job)
    const evaluation = await slipway.call('eval:start', {
      model: 'iris',
      ref: 1,
      dataset: { datasetId: irisDataset },
    })
    irisEvaluation = await storedId(slipway, evaluation)
    const second = await slipway.call('eval:start', {
      model: 'iris',
      ref: 2,
      dataset: { path: fixture('data', 'mlp_multiclass-train.csv') },
    })
    irisV2Evaluation = await storedId(slipway, second)
    const shadow = await slipway.call('shadow:start', {
      champion: { model: 'iris', ref: 1 },
      challenger: { model: 'iris', ref: 2 },
      dataset: { datasetId: irisDataset },
    })
    irisComparison = await storedId(slipway, shadow)
    for (const current of ['linear_binary-drifted.csv', 'linear_binary-eval.csv']) {
      const drift = await slipway.call('drift:start', {
        reference: { file: { path: fixture('data', 'linear_binary-train.csv') } },
        current: { file: { path: fixture('data', current) } },
      })
      driftRuns.push(await storedId(slipway, drift))
    }
  },
})

const headers = (testId: string) =>
  e2e.page.locator(`[data-testid="${testId}"] thead tr:nth-child(2) th`).allInnerTexts()

describe('class names from the model', () => {
  it('labels the confusion matrix and the per-class table of an evaluation', async () => {
    await e2e.page.goto(`${e2e.server.url}#/evaluate/${irisEvaluation}`)
    await e2e.page.locator('[data-testid="confusion-matrix"]').waitFor()
    expect(await headers('confusion-matrix')).toEqual(['setosa', 'versicolor', 'virginica'])
    const classes = await e2e.page
      .locator('[data-testid="per-class"] tbody tr td:first-child')
      .allInnerTexts()
    expect(classes).toEqual(['setosa (label 0)', 'versicolor (label 1)', 'virginica (label 2)'])
  })

  it('labels the flip matrix of a comparison', async () => {
    await e2e.page.goto(`${e2e.server.url}#/compare/${irisComparison}`)
    await e2e.page.locator('[data-testid="flip-matrix"]').waitFor()
    expect(await headers('flip-matrix')).toEqual(['setosa', 'versicolor', 'virginica'])
  })
})

describe('deletes can be undone', () => {
  it('restores a deleted evaluation from the Undo bar, with its id, and audits both steps', async () => {
    const { slipway } = e2e.server
    const job = await slipway.call('eval:start', {
      model: 'iris',
      ref: 2,
      dataset: { datasetId: irisDataset },
    })
    const id = await storedId(slipway, job)
    await e2e.page.goto(`${e2e.server.url}#/evaluate/${id}`)
    const row = e2e.page.locator('[data-testid="history-row"]', { hasText: `#${id}` })
    await row.waitFor()
    await row.locator('[data-testid="evaluation-delete"]').click()
    await row.locator('[data-testid="evaluation-delete-yes"]').click()
    await row.waitFor({ state: 'detached' })
    expect(await e2e.page.locator('[data-testid="undo-message"]').innerText()).toBe(
      `Evaluation ${id} deleted.`,
    )
    const trash = await slipway.call('trash:list', {})
    expect(trash.map((entry) => [entry.kind, entry.itemId])).toContainEqual(['evaluation', id])

    await e2e.page.locator('[data-testid="undo-button"]').click()
    await row.waitFor()
    expect(await e2e.page.locator('[data-testid="undo-message"]').innerText()).toBe('Undone.')
    expect((await slipway.call('eval:get', { id })).id).toBe(id)
    const audit = (await slipway.call('audit:list', {})).map((entry) => entry.type)
    expect(audit).toContain('evaluation.remove')
    expect(audit).toContain('evaluation.restore')
  })
})

describe('drift runs in the window', () => {
  it('deletes a run after asking, and brings it back with Undo', async () => {
    const [first] = driftRuns
    await e2e.page.goto(`${e2e.server.url}#/drift`)
    const row = e2e.page.locator(`[data-testid="drift-history-row"][data-run="${first}"]`)
    await row.waitFor()
    await row.getByRole('button', { name: `Delete drift run ${first}` }).click()
    expect(await row.locator('[data-testid="drift-run-delete-confirm"]').innerText()).toContain(
      `Delete drift run #${first}? It can be restored from the trash for 30 days.`,
    )
    await row.locator('[data-testid="drift-run-delete-yes"]').click()
    await row.waitFor({ state: 'detached' })
    expect((await e2e.server.slipway.call('drift:list', {})).map((run) => run.id)).not.toContain(
      first,
    )
    expect(await e2e.page.locator('[data-testid="undo-message"]').innerText()).toBe(
      `Drift run ${first} deleted.`,
    )
    await e2e.page.locator('[data-testid="undo-button"]').click()
    await row.waitFor()
    expect((await e2e.server.slipway.call('drift:get', { runId: first! })).id).toBe(first)
  })

  it('opens runs and columns through links and buttons, never through clickable rows', async () => {
    const [, second] = driftRuns
    await e2e.page.goto(`${e2e.server.url}#/drift`)
    const link = e2e.page
      .locator(`[data-testid="drift-history-row"][data-run="${second}"]`)
      .getByRole('link', { name: `#${second}` })
    await link.focus()
    await e2e.page.keyboard.press('Enter')
    await e2e.page.locator(`[data-testid="drift-report"][data-run="${second}"]`).waitFor()
    const table = e2e.page.locator('[data-testid="drift-columns"]')
    const names = await table
      .locator('[data-testid="drift-column-row"]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-column') ?? ''))
    expect(names.length).toBeGreaterThan(1)
    // Each column is opened by a button named after it, from the keyboard too.
    const last = names.at(-1) ?? ''
    const button = table.getByRole('button', { name: last, exact: true })
    expect(await button.getAttribute('aria-pressed')).toBe('false')
    await button.focus()
    await e2e.page.keyboard.press('Enter')
    await e2e.page.locator(`[data-testid="drift-column-detail"][data-column="${last}"]`).waitFor()
    expect(await button.getAttribute('aria-pressed')).toBe('true')
    // No row is a focus stop or a click target of its own.
    expect(await e2e.page.locator('tr[tabindex], tr[onclick], tr.clickable').count()).toBe(0)
  })
})

describe('hand-picked evaluations side by side', () => {
  it('compares any two evaluations of a model, every metric a row, the best marked', async () => {
    const { slipway } = e2e.server
    await e2e.page.goto(`${e2e.server.url}#/registry/iris`)
    const card = e2e.page.locator('[data-testid="side-by-side"]')
    await card.waitFor()
    expect(await card.locator('[data-testid="side-by-side-empty"]').count()).toBe(1)
    // v1 on the evaluation rows, v2 on the training rows: another version and another dataset.
    await card.getByRole('checkbox', { name: new RegExp(`^#${irisV2Evaluation} · v2 on`) }).check()
    await card.getByRole('checkbox', { name: new RegExp(`^#${irisEvaluation} · v1 on`) }).check()
    const table = card.locator('[data-testid="side-by-side-table"]')
    await table.waitFor()
    expect(await table.locator('[data-testid="side-by-side-column"]').allInnerTexts()).toEqual([
      `#${irisV2Evaluation} · v2\nmlp_multiclass-train`,
      `#${irisEvaluation} · v1\niris-eval`,
    ])
    const [v2, v1] = await Promise.all([
      slipway.call('eval:get', { id: irisV2Evaluation }),
      slipway.call('eval:get', { id: irisEvaluation }),
    ])
    const accuracy = (e: typeof v1) => (e.result.metrics as { accuracy: number }).accuracy
    const row = table.locator('[data-testid="side-by-side-row"][data-metric="accuracy"]')
    expect(await row.locator('td').allInnerTexts()).toEqual([
      accuracy(v2).toFixed(4),
      accuracy(v1).toFixed(4),
    ])
    const best = accuracy(v2) >= accuracy(v1) ? 0 : 1
    expect(await row.locator('td').nth(best).getAttribute('data-best')).toBe('yes')
    for (const key of ['f1Macro', 'logLoss', 'latencyP95Ms'])
      expect(
        await table.locator(`[data-testid="side-by-side-row"][data-metric="${key}"]`).count(),
      ).toBe(1)
    await card.getByRole('checkbox', { name: new RegExp(`^#${irisEvaluation} · v1 on`) }).uncheck()
    await card.locator('[data-testid="side-by-side-empty"]').waitFor()
  })
})

describe('lineage in the register dialog', () => {
  it('registers a file with its training dataset, parent, parameters, code version and description', async () => {
    const { slipway } = e2e.server
    await slipway.call('registry:register', {
      file: { path: fixture('models', 'linear_binary.onnx') },
      model: 'lineage-reg',
    })
    await dropFiles(e2e.page, [fixture('models', 'tree_ensemble.onnx')])
    const dialog = e2e.page.locator('[data-testid="register-dialog"]')
    await dialog.waitFor()
    await dialog.locator('[data-testid="register-model"]').fill('lineage-reg')
    await dialog.locator('[data-testid="register-code-version"]').fill('git:9e8d7c6')
    await dialog.locator('[data-testid="register-parent"]').fill('v1')
    await dialog.locator('[data-testid="register-dataset"]').selectOption(String(irisDataset))
    await dialog.locator('[data-testid="register-description"]').fill('Trees on the same rows.')
    // A line that is not key=value is refused before anything is registered.
    await dialog.locator('[data-testid="register-params"]').fill('max_depth=3\noops')
    await dialog.locator('[data-testid="register-submit"]').click()
    expect(await dialog.locator('[data-testid="register-lineage-error"]').innerText()).toBe(
      'Hyperparameter "oops" is not key=value',
    )
    expect(
      (await slipway.call('registry:get-model', { model: 'lineage-reg' })).versions,
    ).toHaveLength(1)

    await dialog.locator('[data-testid="register-params"]').fill('max_depth=3\nn_estimators=10')
    await dialog.locator('[data-testid="register-submit"]').click()
    await dialog.locator('[data-status="registered"]').waitFor()
    await dialog.locator('[data-testid="register-close"]').click()
    const { lineage } = await slipway.call('registry:get-version', { model: 'lineage-reg', ref: 2 })
    expect(lineage).toMatchObject({
      codeVersion: 'git:9e8d7c6',
      description: 'Trees on the same rows.',
      parentVersion: 1,
      trainingDataset: { id: irisDataset },
      hyperparameters: { max_depth: '3', n_estimators: '10' },
    })
  })
})

/**
 * Imports `name` made of rows of the iris training file no other test imported (the same bytes
 * would be an existing dataset), then evaluates iris v1 on it and compares v1 with v2 on it.
 */
async function datasetWithResults(
  name: string,
  rows: (lines: string[]) => string[],
): Promise<{ datasetId: number; evaluationId: number; comparisonId: number }> {
  const { slipway } = e2e.server
  const file = `${e2e.scratch}/${name}.csv`
  const lines = readFileSync(fixture('data', 'mlp_multiclass-train.csv'), 'utf8').split('\n')
  writeFileSync(file, rows(lines).join('\n') + '\n')
  const datasetId = await importDataset(slipway, file, name)
  const run = await slipway.call('eval:start', { model: 'iris', ref: 1, dataset: { datasetId } })
  const evaluationId = await storedId(slipway, run)
  const shadow = await slipway.call('shadow:start', {
    champion: { model: 'iris', ref: 1 },
    challenger: { model: 'iris', ref: 2 },
    dataset: { datasetId },
  })
  return { datasetId, evaluationId, comparisonId: await storedId(slipway, shadow) }
}

describe('a dataset that results were computed on', () => {
  it('names the results that keep it, and deletes it together with them, all restored by one Undo', async () => {
    const { slipway } = e2e.server
    // Rows no other test imported (the same bytes would be an existing dataset).
    const { datasetId, evaluationId, comparisonId } = await datasetWithResults(
      'iris-train',
      (lines) => lines.slice(0, 200),
    )

    await e2e.page.goto(`${e2e.server.url}#/datasets/${datasetId}`)
    const usedBy = e2e.page.locator('[data-testid="dataset-used-by"]')
    await usedBy.waitFor()
    expect(await usedBy.locator('[data-testid="dataset-use"] a').allInnerTexts()).toEqual([
      `Evaluation #${evaluationId}`,
      `Comparison #${comparisonId}`,
    ])
    expect(await usedBy.locator('[data-testid="dataset-kept-because"]').innerText()).toContain(
      'Keep the dataset to keep them checkable',
    )
    expect(await e2e.page.locator('[data-testid="dataset-delete"]').count()).toBe(0)
    await e2e.page.locator('[data-testid="dataset-delete-with-results"]').click()
    expect(
      await e2e.page.locator('[data-testid="dataset-delete-with-results-confirm"]').innerText(),
    ).toContain('Delete dataset iris-train and the 2 results computed on it?')
    await e2e.page.locator('[data-testid="dataset-delete-with-results-yes"]').click()
    await expect
      .poll(() => e2e.page.locator('[data-testid="undo-message"]').textContent())
      .toBe('Dataset "iris-train" and 2 results deleted.')
    expect((await slipway.call('datasets:list', {})).map((d) => d.id)).not.toContain(datasetId)
    await expect(slipway.call('eval:get', { id: evaluationId })).rejects.toThrow()

    await e2e.page.locator('[data-testid="undo-button"]').click()
    await expect
      .poll(() => e2e.page.locator('[data-testid="undo-message"]').textContent())
      .toBe('Undone.')
    expect((await slipway.call('datasets:get', { id: datasetId })).name).toBe('iris-train')
    expect((await slipway.call('eval:get', { id: evaluationId })).dataset.id).toBe(datasetId)
    expect((await slipway.call('shadow:get', { id: comparisonId })).id).toBe(comparisonId)
  })

  it('deletes it but keeps the results, which say so; new runs are refused; Undo brings it back', async () => {
    const { slipway } = e2e.server
    const { datasetId, evaluationId, comparisonId } = await datasetWithResults(
      'iris-keep',
      (lines) => [lines[0] ?? '', ...lines.slice(200, 400)],
    )

    await e2e.page.goto(`${e2e.server.url}#/datasets/${datasetId}`)
    await e2e.page.locator('[data-testid="dataset-used-by"]').waitFor()
    await e2e.page.locator('[data-testid="dataset-delete-keep-results"]').click()
    expect(
      await e2e.page.locator('[data-testid="dataset-delete-keep-results-confirm"]').innerText(),
    ).toContain('Delete dataset iris-keep but keep the 2 results computed on it?')
    await e2e.page.locator('[data-testid="dataset-delete-keep-results-yes"]').click()
    await expect
      .poll(() => e2e.page.locator('[data-testid="undo-message"]').textContent())
      .toBe('Dataset "iris-keep" deleted; its results kept.')
    // Gone from the list (and so from every picker), its results still open and say so.
    expect((await slipway.call('datasets:list', {})).map((d) => d.id)).not.toContain(datasetId)
    const rows = e2e.page.locator('[data-testid="dataset-row"]')
    await rows.first().waitFor()
    expect((await rows.allInnerTexts()).join('\n')).not.toContain('iris-keep')
    await e2e.page.goto(`${e2e.server.url}#/evaluate/${evaluationId}`)
    const note = e2e.page.locator('[data-testid="dataset-retired-note"]')
    await note.waitFor()
    expect(await note.innerText()).toMatch(
      /^Dataset iris-keep deleted on \d{4}-\d{2}-\d{2} \d{2}:\d{2}; results kept/,
    )
    // The history marks the result's dataset as deleted.
    await expect
      .poll(() =>
        e2e.page
          .locator('[data-testid="history-row"]', { hasText: 'iris-keep' })
          .first()
          .innerText(),
      )
      .toContain('iris-keep (deleted)')
    await e2e.page.goto(`${e2e.server.url}#/compare/${comparisonId}`)
    await e2e.page.locator('[data-testid="dataset-retired-note"]').waitFor()
    const refused = await slipway.core.jobs.wait(
      (await slipway.call('eval:start', { model: 'iris', ref: 2, dataset: { datasetId } })).id,
    )
    expect(refused.status).toBe('failed')
    expect(refused.error?.message).toMatch(
      /Dataset "iris-keep" \(id \d+\) was deleted on .*; it cannot be used for new runs/,
    )

    await e2e.page.locator('[data-testid="undo-button"]').click()
    await expect
      .poll(() => e2e.page.locator('[data-testid="undo-message"]').textContent())
      .toBe('Undone.')
    expect((await slipway.call('datasets:list', {})).map((d) => d.id)).toContain(datasetId)
    expect((await slipway.call('eval:get', { id: evaluationId })).dataset.retiredAt).toBeUndefined()
  })
})

describe('the trash in the window', () => {
  it('lists what was deleted and restores it after the window that deleted it is gone', async () => {
    const { slipway } = e2e.server
    const job = await slipway.call('eval:start', {
      model: 'iris',
      ref: 1,
      dataset: { datasetId: irisDataset },
    })
    const id = await storedId(slipway, job)
    // Deleted elsewhere (another window, the CLI): no Undo bar here, the trash still has it.
    await slipway.call('eval:remove', { id })
    await e2e.page.goto(`${e2e.server.url}#/trash`)
    const row = e2e.page.locator('[data-testid="trash-row"]', {
      hasText: `Evaluation ${id} (iris v1 on iris-eval)`,
    })
    await row.waitFor()
    await row
      .getByRole('button', { name: `Restore Evaluation ${id} (iris v1 on iris-eval)` })
      .click()
    // The question wraps inside its cell: at 900 px the page still does not scroll sideways, and
    // putting something back is not styled as a danger.
    await e2e.page.setViewportSize({ width: 900, height: 800 })
    expect(
      await e2e.page.evaluate(
        () => document.documentElement.scrollWidth <= document.documentElement.clientWidth,
      ),
    ).toBe(true)
    expect(await row.locator('[data-testid="trash-restore-yes"]').getAttribute('class')).toBe(
      'primary',
    )
    await e2e.page.setViewportSize({ width: 1280, height: 900 })
    await row.locator('[data-testid="trash-restore-yes"]').click()
    await row.waitFor({ state: 'detached' })
    expect((await slipway.call('eval:get', { id })).id).toBe(id)
  })
})
