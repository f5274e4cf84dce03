// What a new user tripped over in the window (issue 11), in real Chromium against web mode: the
// register dialog's state and results, a failed run under an old result, Compare's form against
// the opened result, the disagreement list, data files dropped on the Models page, dataset names.
import { writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { withMetadata } from '../helpers/onnx-metadata'
import { dropFiles, fixture, useHarness } from './harness'

let evalDatasetId = 0
let comparisonId = 0
let churnEvaluationId = 0

const e2e = useHarness({
  name: 'workbench',
  viewport: { width: 1280, height: 900 },
  openAt: 'nav-registry',
  async setup({ server }) {
    const { slipway } = server
    await slipway.call('registry:register', {
      file: { path: fixture('models', 'linear_binary.onnx') },
      model: 'churn',
      alias: 'champion',
    })
    await slipway.call('registry:register', {
      file: { path: fixture('models', 'tree_ensemble.onnx') },
      model: 'churn',
    })
    // Listed before churn: a form that picks "the first model" shows this one.
    await slipway.call('registry:register', {
      file: { path: fixture('models', 'mlp_multiclass.onnx') },
      model: 'aaa-iris',
    })
    const job = await slipway.call('datasets:add', {
      file: { path: fixture('data', 'tree_ensemble-eval.csv') },
      name: 'reference',
    })
    const imported = await slipway.core.jobs.wait(job.id)
    evalDatasetId = (imported.result as { id: number }).id
    const shadow = await slipway.call('shadow:start', {
      champion: { model: 'churn', ref: 1 },
      challenger: { model: 'churn', ref: 2 },
      dataset: { datasetId: evalDatasetId },
    })
    comparisonId = ((await slipway.core.jobs.wait(shadow.id)).result as { id: number }).id
    const evaluation = await slipway.call('eval:start', {
      model: 'churn',
      ref: 1,
      dataset: { datasetId: evalDatasetId },
    })
    churnEvaluationId = ((await slipway.core.jobs.wait(evaluation.id)).result as { id: number }).id
  },
})

const row = (fileName: string) =>
  e2e.page.locator('[data-testid="register-row"]', { hasText: fileName })

describe('the register dialog', () => {
  it('opens fresh each time and says what the alias did to an existing version', async () => {
    await dropFiles(e2e.page, [fixture('models', 'tree_ensemble.onnx')])
    await row('tree_ensemble.onnx').locator('[data-testid="register-model"]').fill('churn')
    await e2e.page.locator('[data-testid="register-alias"]').fill('challenger')
    await e2e.page.locator('[data-testid="register-submit"]').click()
    const done = row('tree_ensemble.onnx').and(e2e.page.locator('[data-status="existing"]'))
    await done.waitFor()
    expect(await done.locator('[data-testid="register-result"]').innerText()).toBe(
      'Already registered as v2\nalias challenger set on v2',
    )
    await e2e.page.locator('[data-testid="register-close"]').click()

    // The next drop starts with an empty form: the alias is not carried over.
    await dropFiles(e2e.page, [fixture('models', 'linear_binary.onnx')])
    await e2e.page.locator('[data-testid="register-dialog"]').waitFor()
    expect(await e2e.page.locator('[data-testid="register-alias"]').inputValue()).toBe('')
    await row('linear_binary.onnx').locator('[data-testid="register-model"]').fill('churn')
    await e2e.page.locator('[data-testid="register-alias"]').fill('challenger')
    await e2e.page.locator('[data-testid="register-submit"]').click()
    const moved = row('linear_binary.onnx').and(e2e.page.locator('[data-status="existing"]'))
    await moved.waitFor()
    expect(await moved.locator('[data-testid="register-alias-outcome"]').innerText()).toBe(
      'alias challenger moved from v2 to v1',
    )
    await e2e.page.locator('[data-testid="register-close"]').click()
  })

  it('refuses one alias for two files of one model, before registering anything', async () => {
    const before = await e2e.server.slipway.call('registry:get-model', { model: 'churn' })
    await dropFiles(e2e.page, [
      fixture('models', 'regression.onnx'),
      fixture('models', 'linear_nometa.onnx'),
    ])
    for (const name of ['regression.onnx', 'linear_nometa.onnx'])
      await row(name).locator('[data-testid="register-model"]').fill('churn')
    await e2e.page.locator('[data-testid="register-alias"]').fill('production')
    await e2e.page.locator('[data-testid="register-submit"]').click()
    const problem = e2e.page.locator('[data-testid="register-dialog"] [role="alert"]')
    await problem.waitFor()
    expect(await problem.innerText()).toMatch(
      /^Alias production can name only one version of churn, but 2 of its files are being registered/,
    )
    const after = await e2e.server.slipway.call('registry:get-model', { model: 'churn' })
    expect(after.versions).toHaveLength(before.versions.length)
    expect(after.aliases).toEqual(before.aliases)
    await e2e.page.locator('[data-testid="register-close"]').click()
  })

  it('offers no "Try again" for a file that can never register', async () => {
    await dropFiles(e2e.page, [fixture('bad', 'text_renamed.onnx')])
    await row('text_renamed.onnx').locator('[data-testid="register-model"]').fill('broken')
    await e2e.page.locator('[data-testid="register-submit"]').click()
    await row('text_renamed.onnx').and(e2e.page.locator('[data-status="failed"]')).waitFor()
    expect(await e2e.page.locator('[data-testid="register-submit"]').count()).toBe(0)
    expect(await e2e.page.locator('[data-testid="register-close"]').innerText()).toBe('Close')
    await e2e.page.locator('[data-testid="register-close"]').click()
  })
})

describe('results on screen belong to what the form says', () => {
  it('clears the previous result when a new evaluation fails', async () => {
    await e2e.page.goto(`${e2e.server.url}#/evaluate/${churnEvaluationId}`)
    await e2e.page.locator('[data-testid="evaluation-result"]').waitFor()
    const model = e2e.page.locator('[data-testid="evaluate-model"]')
    await model.selectOption('aaa-iris')
    const dataset = e2e.page.locator('[data-testid="evaluate-dataset"]')
    await dataset.locator(`option[value="${evalDatasetId}"]`).waitFor({ state: 'attached' })
    await dataset.selectOption(String(evalDatasetId))
    await e2e.page.locator('[data-testid="evaluate-start"]').click()
    await e2e.page.locator('[data-testid="evaluate-error"]').waitFor()
    expect(await e2e.page.locator('[data-testid="evaluation-result"]').count()).toBe(0)
  })

  it('shows the opened comparison in the Compare form', async () => {
    await e2e.page.goto(`${e2e.server.url}#/compare/${comparisonId}`)
    await e2e.page.locator('[data-testid="shadow-result"]').waitFor()
    const value = (testId: string) => e2e.page.locator(`[data-testid="${testId}"]`).inputValue()
    await expect.poll(() => value('compare-champion-model')).toBe('churn')
    expect(await value('compare-champion-version')).toBe('1')
    expect(await value('compare-challenger-model')).toBe('churn')
    expect(await value('compare-challenger-version')).toBe('2')
    expect(await value('compare-dataset')).toBe(String(evalDatasetId))
  })

  it('lists the rows where labels differ, then the probability gaps, largest first and explained', async () => {
    await e2e.page.goto(`${e2e.server.url}#/compare/${comparisonId}`)
    await e2e.page.locator('[data-testid="top-disagreements"]').waitFor()
    const stored = await e2e.server.slipway.call('shadow:get', { id: comparisonId })
    expect(await e2e.page.locator('[data-testid="disagreements-explained"]').innerText()).toContain(
      'Largest difference first',
    )
    const sizes = async (testId: string): Promise<number[]> =>
      (
        await e2e.page
          .locator(`[data-testid="${testId}"] [data-testid="disagreement-size"]`)
          .allInnerTexts()
      ).map(Number)
    const differ = await sizes('disagreement-rows')
    const gaps = await sizes('probability-gap-rows')
    const labelDiffers = stored.result.topDisagreements.filter(
      (r) => r.championLabel !== r.challengerLabel,
    )
    expect(differ).toHaveLength(labelDiffers.length)
    expect(differ.length + gaps.length).toBe(stored.result.topDisagreements.length)
    for (const list of [differ, gaps]) {
      expect(list.every((size) => size >= 0)).toBe(true)
      expect([...list].sort((a, b) => b - a)).toEqual(list)
    }
    // Every row of the first table predicts different labels.
    const pairs = await e2e.page
      .locator('[data-testid="disagreement-rows"] [data-testid="disagreement-row"]')
      .evaluateAll((rows) =>
        rows.map((r) => ({
          champion: r.children[2]?.textContent ?? '',
          challenger: r.children[3]?.textContent ?? '',
        })),
      )
    for (const { champion, challenger } of pairs)
      expect(champion.split(' ·')[0]).not.toBe(challenger.split(' ·')[0])
    const mcnemar = e2e.page.locator('[data-testid="shadow-stat"][data-stat="mcnemarStatistic"]')
    expect(await mcnemar.innerText()).toContain('the exact test counts the smaller of the two')
  })
})

describe('data files dropped on the Models page', () => {
  it('says what each kind of file will do, and asks before importing with a unique name', async () => {
    await e2e.page.goto(`${e2e.server.url}#/registry`)
    await e2e.page
      .locator('[data-testid="models-table"], [data-testid="model-row"]')
      .first()
      .waitFor()
    await e2e.page.evaluate(() => {
      const transfer = new DataTransfer()
      transfer.items.add(new File(['x'], 'a.csv', { type: 'text/csv' }))
      document.body.dispatchEvent(
        new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: transfer }),
      )
    })
    const overlay = e2e.page.locator('[data-testid="drop-overlay"]')
    await overlay.waitFor()
    expect(await overlay.innerText()).toContain(
      'Data files (.csv, .parquet): you are asked before they are imported as datasets',
    )
    expect(await overlay.innerText()).toContain('Model files (.onnx): the register dialog opens')
    await e2e.page.evaluate(() =>
      document.body.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true })),
    )

    const before = await e2e.server.slipway.call('datasets:list', {})
    const reference = `${e2e.scratch}/reference.csv`
    const fs = await import('node:fs')
    fs.copyFileSync(fixture('data', 'linear_binary-drifted.csv'), reference)
    await dropFiles(e2e.page, [reference])
    const dialog = e2e.page.locator('[data-testid="import-dialog"]')
    await dialog.waitFor()
    expect(await e2e.page.locator('[data-testid="import-name"]').inputValue()).toBe('reference-2')
    expect(await e2e.server.slipway.call('datasets:list', {})).toHaveLength(before.length)
    expect(e2e.page.url()).toMatch(/#\/registry$/)

    // A taken name is refused in the dialog, with a free one suggested.
    await e2e.page.locator('[data-testid="import-name"]').fill('reference')
    await e2e.page.locator('[data-testid="import-confirm"]').click()
    expect(await e2e.page.locator('[data-testid="import-name-error"]').innerText()).toBe(
      'A dataset is already named "reference"; names are unique, e.g. "reference-2"',
    )
    await e2e.page.locator('[data-testid="import-cancel"]').click()
    expect(await e2e.server.slipway.call('datasets:list', {})).toHaveLength(before.length)

    await dropFiles(e2e.page, [reference])
    await e2e.page.locator('[data-testid="import-name"]').fill('drifted')
    await e2e.page.locator('[data-testid="import-confirm"]').click()
    await e2e.page.locator('[data-testid="dataset-page"]').waitFor()
    expect(await e2e.page.locator('[data-testid="dataset-title"]').innerText()).toBe('drifted')

    // Renamed on its page; a taken name is refused there too.
    await e2e.page.locator('[data-testid="dataset-rename"]').click()
    await e2e.page.locator('[data-testid="dataset-rename-input"]').fill('reference')
    await e2e.page.locator('[data-testid="dataset-rename-save"]').click()
    expect(await e2e.page.locator('[data-testid="dataset-rename-error"]').innerText()).toMatch(
      /Dataset name "reference" is taken by dataset \d+ .*e\.g\. "reference-2"/,
    )
    await e2e.page.locator('[data-testid="dataset-rename-input"]').fill('drifted-march')
    await e2e.page.locator('[data-testid="dataset-rename-save"]').click()
    await e2e.page.locator('[data-testid="dataset-title"]', { hasText: 'drifted-march' }).waitFor()
  })
})

describe('archive, delete and undo', () => {
  it('asks before removing an alias or a tag, and undoes either', async () => {
    const { slipway } = e2e.server
    await slipway.call('registry:register', {
      file: { path: fixture('models', 'regression.onnx') },
      model: 'house',
      alias: 'staging',
      tags: [{ key: 'team', value: 'pricing' }],
    })
    await e2e.page.goto(`${e2e.server.url}#/registry/house/1`)
    await e2e.page.locator('[data-testid="version-page"]').waitFor()
    await e2e.page.locator('[aria-label="Remove alias staging"]').click()
    const ask = e2e.page.locator('[data-testid="alias-remove-confirm"]')
    expect(await ask.innerText()).toContain('Remove alias staging?')
    // Nothing changed yet.
    expect((await slipway.call('registry:get-model', { model: 'house' })).aliases).toEqual({
      staging: 1,
    })
    await e2e.page.locator('[data-testid="alias-remove-yes"]').click()
    await e2e.page
      .locator('[data-testid="undo-message"]', { hasText: 'Removed alias staging' })
      .waitFor()
    expect((await slipway.call('registry:get-model', { model: 'house' })).aliases).toEqual({})
    await e2e.page.locator('[data-testid="undo-button"]').click()
    await e2e.page.locator('[data-testid="aliases"]', { hasText: 'staging' }).waitFor()
    expect((await slipway.call('registry:get-model', { model: 'house' })).aliases).toEqual({
      staging: 1,
    })

    await e2e.page.locator('[aria-label="Remove tag team"]').click()
    await e2e.page.locator('[data-testid="tag-remove-yes"]').click()
    await e2e.page
      .locator('[data-testid="undo-message"]', { hasText: 'Removed tag team' })
      .waitFor()
    expect((await slipway.call('registry:get-version', { model: 'house', ref: 1 })).tags).toEqual(
      {},
    )
    await e2e.page.locator('[data-testid="undo-button"]').click()
    await e2e.page.locator('[data-testid="tags"]', { hasText: 'pricing' }).waitFor()
  })

  it('archives a version only without an alias, says why not, and undoes it', async () => {
    const { slipway } = e2e.server
    await e2e.page.goto(`${e2e.server.url}#/registry/house/1`)
    await e2e.page.locator('[data-testid="version-page"]').waitFor()
    expect(await e2e.page.locator('[data-testid="version-archive"]').isDisabled()).toBe(true)
    expect(await e2e.page.locator('[data-testid="version-archive-why"]').innerText()).toBe(
      'It holds the alias staging: move or remove it before archiving.',
    )
    await slipway.call('registry:remove-alias', { model: 'house', alias: 'staging' })
    await e2e.page.reload()
    await e2e.page.locator('[data-testid="version-archive"]:not([disabled])').click()
    await e2e.page.locator('[data-testid="version-archive-yes"]').click()
    await e2e.page.locator('[data-testid="version-archived"]').waitFor()
    expect(
      (await slipway.call('registry:get-version', { model: 'house', ref: 1 })).archivedAt,
    ).not.toBeNull()
    await e2e.page.locator('[data-testid="undo-button"]').click()
    await e2e.page.locator('[data-testid="version-archived"]').waitFor({ state: 'detached' })
    expect(
      (await slipway.call('registry:get-version', { model: 'house', ref: 1 })).archivedAt,
    ).toBeNull()
  })

  it('archives a model out of the list and brings it back with Undo', async () => {
    await e2e.page.goto(`${e2e.server.url}#/registry/house`)
    await e2e.page.locator('[data-testid="model-archive"]').click()
    expect(await e2e.page.locator('[data-testid="model-archive-confirm"]').innerText()).toContain(
      'Archive house? It leaves the models list',
    )
    await e2e.page.locator('[data-testid="model-archive-yes"]').click()
    await e2e.page.locator('[data-testid="models-table"]').waitFor()
    await e2e.page.locator('[data-testid="undo-message"]', { hasText: 'Archived house.' }).waitFor()
    expect(await e2e.page.locator('[data-testid="model-row"]', { hasText: 'house' }).count()).toBe(
      0,
    )
    await e2e.page.locator('[data-testid="models-show-archived"]').check()
    await e2e.page
      .locator('[data-testid="model-row"]', { hasText: 'house' })
      .locator('[data-testid="model-archived"]')
      .waitFor()
    await e2e.page.locator('[data-testid="models-show-archived"]').uncheck()
    await e2e.page.locator('[data-testid="undo-button"]').click()
    await e2e.page.locator('[data-testid="model-title"]', { hasText: 'house' }).waitFor()
    expect(
      (await e2e.server.slipway.call('registry:get-model', { model: 'house' })).archivedAt,
    ).toBeNull()
  })

  it('deletes a past evaluation after asking', async () => {
    const { slipway } = e2e.server
    const job = await slipway.call('eval:start', {
      model: 'churn',
      ref: 2,
      dataset: { datasetId: evalDatasetId },
    })
    const id = ((await slipway.core.jobs.wait(job.id)).result as { id: number }).id
    await e2e.page.goto(`${e2e.server.url}#/evaluate/${id}`)
    const row = e2e.page.locator('[data-testid="history-row"]', { hasText: `#${id}` })
    await row.waitFor()
    await row.locator('[data-testid="evaluation-delete"]').click()
    expect(await row.locator('[data-testid="evaluation-delete-confirm"]').innerText()).toContain(
      `Delete evaluation #${id}? It can be restored from the trash for 30 days.`,
    )
    await row.locator('[data-testid="evaluation-delete-yes"]').click()
    await row.waitFor({ state: 'detached' })
    expect(await e2e.page.locator('[data-testid="evaluation-result"]').count()).toBe(0)
    expect(
      (await slipway.call('eval:list', { model: 'churn', version: 2 })).map((e) => e.id),
    ).not.toContain(id)
  })
})

describe('lineage in the window', () => {
  it('edits a version’s lineage, each change audited, and links the training data its metadata names', async () => {
    const { slipway } = e2e.server
    const reference = await slipway.call('datasets:get', { id: evalDatasetId })
    const file = `${e2e.scratch}/with-training-hash.onnx`
    writeFileSync(
      file,
      withMetadata(
        fixture('models', 'tree_ensemble.onnx'),
        'training_data_sha256',
        reference.sha256,
      ),
    )
    await slipway.call('registry:register', { file: { path: file }, model: 'lineage-demo' })
    await slipway.call('registry:register', {
      file: { path: fixture('models', 'linear_binary.onnx') },
      model: 'lineage-demo',
    })
    await e2e.page.goto(`${e2e.server.url}#/registry/lineage-demo/1`)
    const offer = e2e.page.locator('[data-testid="training-data-offer"]')
    await offer.waitFor()
    expect(await offer.innerText()).toContain('reference')
    await e2e.page.locator('[data-testid="training-data-link"]').click()
    await offer.waitFor({ state: 'detached' })
    expect(
      (await slipway.call('registry:get-version', { model: 'lineage-demo', ref: 1 })).lineage
        .trainingDataset?.id,
    ).toBe(evalDatasetId)

    await e2e.page.goto(`${e2e.server.url}#/registry/lineage-demo/2`)
    await e2e.page.locator('[data-testid="lineage-edit"]').click()
    await e2e.page.locator('[data-testid="lineage-code-version"]').fill('git:abc1234')
    await e2e.page.locator('[data-testid="lineage-parent"]').fill('1')
    await e2e.page.locator('[data-testid="lineage-params"]').fill('C=1.0\nmax_iter=200')
    await e2e.page.locator('[data-testid="lineage-description"]').fill('Refit on March data.')
    await e2e.page.locator('[data-testid="lineage-save"]').click()
    await e2e.page.locator('[data-testid="lineage"]', { hasText: 'git:abc1234' }).waitFor()
    const detail = await slipway.call('registry:get-version', { model: 'lineage-demo', ref: 2 })
    expect(detail.lineage).toMatchObject({
      codeVersion: 'git:abc1234',
      parentVersion: 1,
      description: 'Refit on March data.',
      hyperparameters: { C: '1.0', max_iter: '200' },
    })
    const audited = slipway.core.db
      .prepare("SELECT details_json FROM audit_events WHERE action = 'version.lineage' ORDER BY id")
      .all() as { details_json: string }[]
    const fields = audited.map((row) => (JSON.parse(row.details_json) as { field: string }).field)
    expect(fields).toEqual([
      'trainingDatasetId',
      'codeVersion',
      'description',
      'parentVersionId',
      'hyperparameters',
    ])

    // A loop is refused where the user acted.
    await e2e.page.goto(`${e2e.server.url}#/registry/lineage-demo/1`)
    await e2e.page.locator('[data-testid="lineage-edit"]').click()
    await e2e.page.locator('[data-testid="lineage-parent"]').fill('2')
    await e2e.page.locator('[data-testid="lineage-save"]').click()
    expect(await e2e.page.locator('[data-testid="lineage-error"]').innerText()).toBe(
      'v2 descends from lineage-demo v1; it cannot also be its parent',
    )
  })
})

describe('reading long metadata', () => {
  it('cuts a long metadata value and expands it in place', async () => {
    const names = JSON.stringify(Array.from({ length: 120 }, (_, i) => `feature_number_${i}`))
    const file = `${e2e.scratch}/long-notes.onnx`
    writeFileSync(
      file,
      withMetadata(fixture('models', 'linear_binary.onnx'), 'training_notes', names),
    )
    await e2e.server.slipway.call('registry:register', { file: { path: file }, model: 'notes' })
    await e2e.page.goto(`${e2e.server.url}#/registry/notes/1`)
    const value = e2e.page.locator('[data-testid="value-training_notes"]')
    await value.waitFor()
    expect((await value.locator('.expandable-text').innerText()).length).toBeLessThan(400)
    await value.locator('[data-testid="value-training_notes-toggle"]').click()
    expect(await value.locator('.expandable-text').innerText()).toBe(names)
    expect(await value.locator('[data-testid="value-training_notes-toggle"]').innerText()).toBe(
      'Show less',
    )
  })
})

describe('results across versions', () => {
  it('shows each version’s latest evaluation on one dataset side by side, and draws them', async () => {
    const { slipway } = e2e.server
    const ids: number[] = []
    for (const ref of [1, 2]) {
      const job = await slipway.call('eval:start', {
        model: 'churn',
        ref,
        dataset: { datasetId: evalDatasetId },
      })
      ids.push(((await slipway.core.jobs.wait(job.id)).result as { id: number }).id)
    }
    await e2e.page.goto(`${e2e.server.url}#/registry/churn`)
    const table = e2e.page.locator('[data-testid="across-table"]')
    await table.waitFor()
    const headers = await table.locator('thead th').allInnerTexts()
    expect(headers.slice(1).map((h) => h.split('\n')[0])).toEqual([
      `v1 · #${ids[0]}`,
      `v2 · #${ids[1]}`,
    ])
    const stored = await Promise.all(ids.map((id) => slipway.call('eval:get', { id })))
    const accuracy = await table
      .locator('[data-testid="across-row"][data-metric="accuracy"] td')
      .allInnerTexts()
    expect(accuracy).toEqual(
      stored.map((e) => (e.result.metrics as { accuracy: number }).accuracy.toFixed(4)),
    )
    await e2e.page.locator('[data-testid="across-chart"] canvas').waitFor()
  })
})
