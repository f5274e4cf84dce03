// The trash on a real home: a deleted dataset's snapshot survives the doctor's orphan sweep while
// its entry can be restored, and the purge 30 days later drops the entry and the bytes. Also the
// pure helpers of this work: class names from metadata, lineage drafts, side-by-side rows.
import fs from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { sweepOrphanBlobs } from '../../src/core/artifacts/leases'
import { classNamesFor, parseClassNames } from '../../src/core/evaluation/class-names'
import { Slipway } from '../../src/core/service'
import { purgeTrash, TRASH_DAYS } from '../../src/core/trash/trash'
import { parseLineageDraft, emptyLineageDraft } from '../../src/renderer/src/lib/lineage-draft'
import { blobFiles, fixture, tempHome } from '../helpers/home'

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

function open(): { slipway: Slipway; dir: string } {
  const home = tempHome('slipway-trash-')
  const slipway = new Slipway({ home: home.dir })
  cleanups.push(() => {
    slipway.close()
    home.cleanup()
  })
  return { slipway, dir: home.dir }
}

describe('the trash', () => {
  it('holds a deleted dataset’s snapshot until the purge, then drops entry and bytes', async () => {
    const { slipway, dir } = open()
    const job = await slipway.call('datasets:add', {
      file: { path: fixture('data', 'linear_binary-eval.csv') },
      name: 'reference',
    })
    const { id } = (await slipway.core.jobs.wait(job.id)).result as { id: number }
    const removed = await slipway.call('datasets:remove', { id })
    expect(blobFiles(dir)).toHaveLength(1)
    // The doctor's sweep of unreferenced bytes leaves a trashed dataset's snapshot alone.
    expect(sweepOrphanBlobs(slipway.core, { graceMs: 0 })).toEqual([])
    expect(blobFiles(dir)).toHaveLength(1)
    // Not yet due: nothing purged.
    expect(purgeTrash(slipway.core, Date.now() + (TRASH_DAYS - 1) * 86_400_000)).toBe(0)
    expect(purgeTrash(slipway.core, Date.now() + (TRASH_DAYS + 1) * 86_400_000)).toBe(1)
    expect(blobFiles(dir)).toEqual([])
    expect(await slipway.call('trash:list', {})).toEqual([])
    await expect(slipway.call('trash:restore', { id: removed.trashId })).rejects.toThrow(
      /Nothing in the trash with id \d+ \(restored already, or purged 30 days after the delete\)/,
    )
  })

  it('refuses to restore a dataset whose name was taken meanwhile, changing nothing', async () => {
    const { slipway } = open()
    const add = async (file: string, name: string): Promise<number> =>
      (
        (
          await slipway.core.jobs.wait(
            (await slipway.call('datasets:add', { file: { path: fixture('data', file) }, name }))
              .id,
          )
        ).result as { id: number }
      ).id
    const first = await add('linear_binary-eval.csv', 'reference')
    const removed = await slipway.call('datasets:remove', { id: first })
    // SQLite gives the freed id to the next dataset.
    const second = await add('linear_binary-drifted.csv', 'reference')
    expect(second).toBe(first)
    await expect(slipway.call('trash:restore', { id: removed.trashId })).rejects.toThrow(
      `Dataset ${first} ("reference") cannot be restored: dataset ${second} now has the name "reference"; rename that one first`,
    )
    expect((await slipway.call('trash:list', {})).map((e) => e.id)).toEqual([removed.trashId])
    const { sha256 } = JSON.parse(
      (slipway.core.db.prepare('SELECT row_json FROM trash').get() as { row_json: string })
        .row_json,
    ) as { sha256: string }
    expect(fs.existsSync(slipway.core.blobs.pathFor(sha256))).toBe(true)

    // Renamed, the other one leaves the name free: the deleted one comes back under a new id.
    await slipway.call('datasets:rename', { id: second, name: 'drifted' })
    const restored = await slipway.call('trash:restore', { id: removed.trashId })
    expect(restored.itemId).not.toBe(first)
    expect(restored.title).toBe(
      `Dataset ${first} ("reference") (its id was taken meanwhile: it is back as #${restored.itemId})`,
    )
    expect((await slipway.call('datasets:get', { id: restored.itemId })).name).toBe('reference')
  })
})

describe('class names', () => {
  const onnx = (metadata: Record<string, string>) =>
    ({ metadata }) as unknown as Parameters<typeof classNamesFor>[0]
  it('maps labels by position, or through class_labels, and reads a comma list', () => {
    expect(classNamesFor(onnx({ class_names: '["no", "yes"]' }), ['0', '1'])).toEqual({
      '0': 'no',
      '1': 'yes',
    })
    expect(
      classNamesFor(onnx({ class_names: 'low,high', class_labels: '["b", "a"]' }), ['a', 'b']),
    ).toEqual({ a: 'high', b: 'low' })
    expect(classNamesFor(onnx({}), ['0'])).toBeUndefined()
    expect(classNamesFor(onnx({ class_names: '["x"]' }), ['cat'])).toBeUndefined()
    expect(parseClassNames('{"a": 1}')).toBeNull()
    // A JSON object names classes by label, and is never split on its commas.
    expect(parseClassNames('{"0":"setosa","2":"virginica"}')).toBeNull()
    expect(
      classNamesFor(onnx({ class_names: '{"0":"setosa","2":"virginica"}' }), ['0', '1', '2']),
    ).toEqual({ '0': 'setosa', '2': 'virginica' })
    expect(classNamesFor(onnx({ class_names: '{"0": 1}' }), ['0'])).toBeUndefined()
  })
})

describe('lineage drafts', () => {
  it('reads parameters and a parent, and names what it cannot read', () => {
    expect(
      parseLineageDraft({ ...emptyLineageDraft, parent: 'v2', params: 'C = 1.0\n\nmax_iter=200' }),
    ).toEqual({
      ok: true,
      value: {
        codeVersion: null,
        description: '',
        trainingDatasetId: null,
        parentVersion: 2,
        hyperparameters: [
          { key: 'C', value: '1.0' },
          { key: 'max_iter', value: '200' },
        ],
      },
    })
    expect(parseLineageDraft({ ...emptyLineageDraft, params: '=3' })).toEqual({
      ok: false,
      problem: 'Hyperparameter "=3" is not key=value',
    })
    expect(parseLineageDraft({ ...emptyLineageDraft, parent: 'two' })).toEqual({
      ok: false,
      problem: 'Parent "two" is not a version number',
    })
  })
})

describe('restoring a result whose dataset id was reused', () => {
  it('finds its dataset by fingerprint, never the newer dataset that took the old id', async () => {
    const { slipway } = open()
    await slipway.call('registry:register', {
      file: { path: fixture('models', 'linear_binary.onnx') },
      model: 'churn',
    })
    const add = async (file: string, name: string): Promise<number> => {
      const job = await slipway.call('datasets:add', {
        file: { path: fixture('data', file) },
        name,
      })
      return ((await slipway.core.jobs.wait(job.id)).result as { id: number }).id
    }
    const dataset = await add('linear_binary-eval.csv', 'reference')
    const run = await slipway.call('eval:start', {
      model: 'churn',
      ref: 1,
      dataset: { datasetId: dataset },
    })
    const evaluation = ((await slipway.core.jobs.wait(run.id)).result as { id: number }).id
    const removedEvaluation = await slipway.call('eval:remove', { id: evaluation })
    const removedDataset = await slipway.call('datasets:remove', { id: dataset })
    const newer = await add('linear_binary-drifted.csv', 'other')
    expect(newer).toBe(dataset)
    // Without its dataset the result is refused, naming why.
    await expect(slipway.call('trash:restore', { id: removedEvaluation.trashId })).rejects.toThrow(
      /its dataset \(sha256 [0-9a-f]{12}…\) is gone; restore the dataset first/,
    )
    const back = await slipway.call('trash:restore', { id: removedDataset.trashId })
    await slipway.call('trash:restore', { id: removedEvaluation.trashId })
    const restored = await slipway.call('eval:get', { id: evaluation })
    expect(restored.dataset.id).toBe(back.itemId)
    expect(restored.dataset.name).toBe('reference')
  })
})
