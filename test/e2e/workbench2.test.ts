// Issue 11, the parts finished in the second session, in real Chromium against web mode: class
// names from the model, deletes that can be undone, a dataset deleted while its results are kept,
// lineage in the register dialog, drift runs deleted from the window, hand-picked evaluations side
// by side, and no clickable plain rows.
import { writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { withMetadata } from '../helpers/onnx-metadata'
import { fixture, useHarness } from './harness'

let irisDataset = 0
let irisEvaluation = 0
let irisComparison = 0

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
    irisDataset = ((await slipway.core.jobs.wait(job.id)).result as { id: number }).id
    const evaluation = await slipway.call('eval:start', {
      model: 'iris',
      ref: 1,
      dataset: { datasetId: irisDataset },
    })
    irisEvaluation = ((await slipway.core.jobs.wait(evaluation.id)).result as { id: number }).id
    const shadow = await slipway.call('shadow:start', {
      champion: { model: 'iris', ref: 1 },
      challenger: { model: 'iris', ref: 2 },
      dataset: { datasetId: irisDataset },
    })
    irisComparison = ((await slipway.core.jobs.wait(shadow.id)).result as { id: number }).id
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
