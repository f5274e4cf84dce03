// Issue 11: "delete the dataset, keep its results". The dataset's data goes to the trash, its row
// stays retired so evaluations and comparisons keep opening (saying the dataset was deleted), new
// runs on it are refused naming it, its name is free, restore brings it back, the purge drops the
// data for good while the results stay, and the doctor calls none of it a problem.
import { describe, expect, it } from 'vitest'
import type { DoctorReport } from '../../src/api/app'
import { Slipway } from '../../src/core/service'
import { purgeTrash, TRASH_DAYS } from '../../src/core/trash/trash'
import { useCliHome } from '../helpers/cli'
import { blobFiles, fixture } from '../helpers/home'

const { home, cli, ok } = useCliHome()
const doctor = (): DoctorReport => ok('doctor', '--json').json() as DoctorReport

function setUp(): void {
  ok('register', fixture('models', 'linear_binary.onnx'), '--model', 'churn')
  ok('register', fixture('models', 'tree_ensemble.onnx'), '--model', 'churn')
  ok('dataset', 'add', fixture('data', 'linear_binary-eval.csv'), '--name', 'reference')
  ok('evaluate', 'churn@1', '--data', 'reference')
  ok('shadow', 'churn@1', 'churn@2', '--data', 'reference')
}

describe('dataset remove --keep-results', () => {
  it('keeps the results (saying the dataset was deleted), refuses new runs, restores, audits', () => {
    setUp()
    const before = ok('evaluation', 'show', '1', '--json').json() as { result: unknown }
    // Without the flag the delete is still refused, and the message offers the flag.
    const plain = cli('dataset', 'remove', 'reference')
    expect(plain.status).toBe(1)
    expect(plain.stderr).toContain('--keep-results')

    const removed = ok('dataset', 'remove', 'reference', '--keep-results')
    expect(removed.stdout).toMatch(
      /^Dataset 1 deleted, its results kept; it can be restored for 30 days: slipway trash restore \d+\n$/,
    )
    // Out of the list; the name is free for another import.
    expect(ok('datasets', '--json').json()).toEqual([])
    // The results still open, and say what happened to their dataset.
    const evaluation = ok('evaluation', 'show', '1', '--json').json() as {
      result: unknown
      dataset: { name: string; retiredAt?: string }
    }
    expect(evaluation.result).toEqual(before.result)
    expect(evaluation.dataset.name).toBe('reference')
    expect(evaluation.dataset.retiredAt).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    expect(ok('evaluation', 'show', '1').stdout).toMatch(
      /\(dataset reference deleted on \d{4}-\d{2}-\d{2} \d{2}:\d{2}; results kept\)/,
    )
    expect(ok('comparison', 'show', '1').stdout).toContain('(dataset reference deleted on ')
    // New runs on it are refused, naming it; nothing is stored.
    for (const run of [
      cli('evaluate', 'churn@2', '--data', 'reference'),
      cli('evaluate', 'churn@2', '--data', '1'),
      cli('shadow', 'churn@1', 'churn@2', '--data', 'reference'),
      cli(
        'drift',
        '--reference',
        'reference',
        '--current',
        fixture('data', 'linear_binary-eval.csv'),
      ),
    ]) {
      expect(run.status).toBe(1)
      expect(run.stderr).toMatch(
        /Dataset "reference" \(id 1\) was deleted on .* with its results kept; it cannot be used for new runs/,
      )
    }
    expect((ok('evaluations', '--json').json() as unknown[]).length).toBe(1)
    // The data waits in the trash; the doctor finds nothing wrong.
    expect(blobFiles(home.dir).length).toBe(3)
    expect(doctor()).toMatchObject({ problems: [], healthy: true, datasetsChecked: 0 })
    const trash = ok('trash', '--json').json() as { id: number; kind: string; title: string }[]
    expect(trash).toHaveLength(1)
    expect(trash[0]?.title).toBe('Dataset 1 ("reference"), results kept')

    // Restore: the dataset is back, listed and usable, the results no longer say it was deleted.
    ok('trash', 'restore', String(trash[0]?.id))
    expect((ok('datasets', '--json').json() as { name: string }[]).map((d) => d.name)).toEqual([
      'reference',
    ])
    const restored = ok('evaluation', 'show', '1', '--json').json() as {
      dataset: { retiredAt?: string }
    }
    expect(restored.dataset.retiredAt).toBeUndefined()
    ok('evaluate', 'churn@2', '--data', 'reference')
    expect(doctor()).toMatchObject({ problems: [], healthy: true, datasetsChecked: 1 })

    const audit = ok('audit', '--json').json() as { type: string; body: unknown }[]
    const remove = audit.find((a) => a.type === 'dataset.remove')
    expect(JSON.stringify(remove?.body)).toContain(
      '"keptResults":{"evaluations":[1],"comparisons":[1]}',
    )
    expect(audit.map((a) => a.type)).toContain('dataset.restore')
  })

  it('frees the name, and after the purge drops the data for good while the results stay', async () => {
    setUp()
    ok('dataset', 'remove', 'reference', '--keep-results')
    // Another dataset may take the name; the old results keep pointing at theirs.
    ok('dataset', 'add', fixture('data', 'linear_binary-drifted.csv'), '--name', 'reference')
    const listed = ok('datasets', '--json').json() as { id: number; name: string }[]
    expect(listed.map((d) => d.name)).toEqual(['reference'])
    expect(listed[0]?.id).not.toBe(1)
    ok('evaluate', 'churn@2', '--data', 'reference')
    const evaluations = ok('evaluations', '--json').json() as {
      id: number
      dataset: { id: number; retiredAt?: string }
    }[]
    expect(evaluations.find((e) => e.id === 1)?.dataset).toMatchObject({ id: 1 })
    expect(evaluations.find((e) => e.id === 1)?.dataset.retiredAt).toBeDefined()
    expect(evaluations.find((e) => e.id !== 1)?.dataset.id).toBe(listed[0]?.id)
    // A restore while the name is taken is refused, naming the holder; nothing changes.
    const trashId = (ok('trash', '--json').json() as { id: number }[])[0]?.id
    const clash = cli('trash', 'restore', String(trashId))
    expect(clash.status).toBe(1)
    expect(clash.stderr).toContain(`now has the name "reference"; rename that one first`)

    // The purge, 30 days on: the data is gone, the results stay, the doctor stays clean.
    const slipway = new Slipway({ home: home.dir })
    try {
      const blobsBefore = blobFiles(home.dir).length
      expect(purgeTrash(slipway.core, Date.now() + (TRASH_DAYS + 1) * 86_400_000)).toBe(1)
      expect(blobFiles(home.dir).length).toBe(blobsBefore - 1)
      // Nor can it become a version's training data.
      await expect(
        slipway.call('registry:update-lineage', {
          model: 'churn',
          version: 1,
          trainingDatasetId: 1,
        }),
      ).rejects.toThrow(/Dataset "reference" \(id 1\) was deleted on .*; it cannot be used/)
      const kept = await slipway.call('eval:get', { id: 1 })
      expect(kept.dataset).toMatchObject({ id: 1, name: 'reference' })
    } finally {
      slipway.close()
    }
    expect(ok('comparison', 'show', '1', '--json').json()).toMatchObject({ id: 1 })
    expect(doctor()).toMatchObject({ problems: [], healthy: true })

    // The same file imported after the purge brings dataset 1 back (not a dead end, not a second
    // row): its results find their data again; its old name is taken, so it gets the next free.
    const blobsBefore = blobFiles(home.dir).length
    const back = ok('dataset', 'add', fixture('data', 'linear_binary-eval.csv'), '--json').json()
    expect(back).toMatchObject({ id: 1, name: 'reference-2', existing: true })
    expect(blobFiles(home.dir).length).toBe(blobsBefore + 1)
    const again = ok('evaluation', 'show', '1', '--json').json() as {
      dataset: { id: number; retiredAt?: string }
    }
    expect(again.dataset.id).toBe(1)
    expect(again.dataset.retiredAt).toBeUndefined()
    ok('evaluate', 'churn@1', '--data', 'reference-2')
    expect(doctor()).toMatchObject({ problems: [], healthy: true, datasetsChecked: 2 })
    const audit = ok('audit', '--json').json() as { type: string; body: unknown }[]
    expect(JSON.stringify(audit.filter((a) => a.type === 'dataset.restore'))).toContain(
      '"reimported":true',
    )
  })

  it('a delete never pushes an older item out of the trash when SQLite reuses its id', () => {
    ok('dataset', 'add', fixture('data', 'linear_binary-drifted.csv'), '--name', 'first')
    ok('dataset', 'remove', 'first')
    ok('dataset', 'add', fixture('data', 'linear_binary-eval.csv'), '--name', 'second')
    ok('dataset', 'remove', 'second')
    const trash = ok('trash', '--json').json() as { id: number; itemId: number; title: string }[]
    // Both datasets had id 1; both wait in the trash, each under its own trash id.
    expect(trash.map((t) => t.title).sort()).toEqual([
      'Dataset 1 ("first")',
      'Dataset 1 ("second")',
    ])
    expect(new Set(trash.map((t) => t.id)).size).toBe(2)
    // Neither snapshot is an orphan the doctor would offer to remove.
    expect(doctor()).toMatchObject({ problems: [], healthy: true })
    for (const entry of trash) ok('trash', 'restore', String(entry.id))
    const names = (ok('datasets', '--json').json() as { name: string }[]).map((d) => d.name)
    expect(names.sort()).toEqual(['first', 'second'])
    expect(doctor()).toMatchObject({ problems: [], healthy: true, datasetsChecked: 2 })
  })

  it('the same file imported before the purge restores it from the trash under its own name', () => {
    setUp()
    ok('dataset', 'remove', 'reference', '--keep-results')
    const blobs = blobFiles(home.dir).length
    const back = ok('dataset', 'add', fixture('data', 'linear_binary-eval.csv'), '--json').json()
    expect(back).toMatchObject({ id: 1, name: 'reference', existing: true })
    expect(ok('trash', '--json').json()).toEqual([])
    expect(blobFiles(home.dir).length).toBe(blobs)
    expect(doctor()).toMatchObject({ problems: [], healthy: true, datasetsChecked: 1 })
  })
})
