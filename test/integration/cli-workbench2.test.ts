// Issue 11, the parts finished in the second session, through the CLI: archiving refused while a
// promotion request is open (naming it), class labels from the model's `class_names`, deletes
// that can be undone, and a dataset deleted while results that used it are kept.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useCliHome } from '../helpers/cli'
import { fixture } from '../helpers/home'
import { withMetadata } from '../helpers/onnx-metadata'

const { home, cli, ok } = useCliHome()

describe('archiving under an open promotion request', () => {
  it('refuses to archive the version or its model, naming the request, until it is withdrawn', () => {
    ok('identity', 'init', '--name', 'Ana', '--email', 'ana@example.com')
    ok('team', 'init', '--name', 'Risk', '--approvals', '1', '--protect', 'production')
    ok('register', fixture('models', 'linear_binary.onnx'), '--model', 'churn')
    ok('register', fixture('models', 'tree_ensemble.onnx'), '--model', 'churn')
    const request = ok(
      'request',
      'churn@2',
      '--alias',
      'production',
      '--comment',
      'AUC up',
      '--json',
    ).json() as { id: string }
    const short = request.id.slice(0, 8)

    const version = cli('version', 'archive', 'churn@2')
    expect(version.status).toBe(1)
    expect(version.stderr).toContain(
      `churn v2 cannot be archived while a promotion request for it is open (request ${short} (v2 → production, pending))`,
    )
    const model = cli('model', 'archive', 'churn')
    expect(model.status).toBe(1)
    expect(model.stderr).toContain(
      `Model "churn" cannot be archived while a promotion request for it is open (request ${short} (v2 → production, pending))`,
    )
    // Another version of the model is free to go; nothing was archived by the refusals.
    ok('version', 'archive', 'churn@1')
    const versions = ok('versions', 'churn', '--json').json() as {
      version: number
      archivedAt: string | null
    }[]
    expect(versions.find((v) => v.version === 2)?.archivedAt ?? null).toBeNull()

    ok('withdraw', request.id)
    ok('version', 'archive', 'churn@2')
    ok('model', 'archive', 'churn')
  })
})

describe('class names from the model', () => {
  it('labels the confusion matrix and the flip matrix with class_names, keeping the labels in JSON', () => {
    const named = path.join(home.dir, 'iris.onnx')
    fs.writeFileSync(
      named,
      withMetadata(
        fixture('models', 'mlp_multiclass.onnx'),
        'class_names',
        '["setosa", "versicolor", "virginica"]',
      ),
    )
    ok('register', named, '--model', 'iris')
    ok('register', fixture('models', 'mlp_multiclass.onnx'), '--model', 'iris')
    const data = fixture('data', 'mlp_multiclass-eval.csv')
    const text = ok('evaluate', 'iris@1', '--data', data).stdout
    const matrix = text.slice(text.indexOf('Confusion matrix'))
    expect(matrix.split('\n')[1]).toMatch(/^ACTUAL\s+SETOSA\s+VERSICOLOR\s+VIRGINICA$/)
    expect(matrix.split('\n')[2]).toMatch(/^setosa\s+\d+/)
    const json = ok('evaluation', 'show', '1', '--json').json() as {
      metrics: { labels: string[] }
      classNames?: Record<string, string>
    }
    expect(json.metrics.labels).toEqual(['0', '1', '2'])
    expect(json.classNames).toEqual({ '0': 'setosa', '1': 'versicolor', '2': 'virginica' })

    // The model without class_names keeps its labels.
    const plain = ok('evaluate', 'iris@2', '--data', data).stdout
    expect(plain.slice(plain.indexOf('Confusion matrix')).split('\n')[1]).toMatch(
      /^ACTUAL\s+0\s+1\s+2$/,
    )
    const shadow = ok('shadow', 'iris@1', 'iris@2', '--data', data).stdout
    const flips = shadow.slice(shadow.indexOf('Label flips'))
    expect(flips.split('\n')[1]).toMatch(/^CHAMPION\s+SETOSA\s+VERSICOLOR\s+VIRGINICA$/)
  })
})

describe('deletes can be undone', () => {
  it('puts deleted results and datasets in the trash, restores them with their ids, and audits both steps', () => {
    const data = fixture('data', 'linear_binary-eval.csv')
    ok('register', fixture('models', 'linear_binary.onnx'), '--model', 'churn')
    ok('register', fixture('models', 'tree_ensemble.onnx'), '--model', 'churn')
    ok('dataset', 'add', data, '--name', 'reference')
    ok('dataset', 'add', fixture('data', 'linear_binary-drifted.csv'), '--name', 'spare')
    ok('evaluate', 'churn@1', '--data', 'reference')
    ok('shadow', 'churn@1', 'churn@2', '--data', 'reference')
    ok('drift', '--reference', data, '--current', data)
    const evaluation = (ok('evaluations', '--json').json() as { id: number }[])[0]!
    const before = ok('evaluation', 'show', String(evaluation.id), '--json').json()

    const trashIds: number[] = []
    for (const args of [
      ['evaluation', 'remove', String(evaluation.id)],
      ['comparison', 'remove', '1'],
      ['drift-run', 'remove', '1'],
      ['dataset', 'remove', 'spare'],
    ]) {
      const removed = ok(...args, '--json').json() as { removed: true; trashId: number }
      trashIds.push(removed.trashId)
    }
    expect(cli('evaluation', 'show', String(evaluation.id)).status).toBe(1)
    expect((ok('datasets', '--json').json() as { name: string }[]).map((d) => d.name)).toEqual([
      'reference',
    ])
    const listed = ok('trash', '--json').json() as { id: number; kind: string; title: string }[]
    expect(listed.map((e) => e.kind).sort()).toEqual([
      'comparison',
      'dataset',
      'drift-run',
      'evaluation',
    ])
    expect(listed.find((e) => e.kind === 'evaluation')?.title).toBe(
      `Evaluation ${evaluation.id} (churn v1 on reference)`,
    )
    expect(ok('trash').stdout).toMatch(/Dataset \d+ \("spare"\)/)

    for (const id of trashIds)
      expect(ok('trash', 'restore', String(id)).stdout).toMatch(/^Restored .*\n$/)
    expect(ok('evaluation', 'show', String(evaluation.id), '--json').json()).toEqual(before)
    expect(ok('comparison', 'show', '1', '--json').json()).toMatchObject({ id: 1 })
    expect(ok('drift-run', 'show', '1', '--json').json()).toMatchObject({ runId: 1 })
    // The dataset's rows came back with it: it evaluates again.
    ok('evaluate', 'churn@2', '--data', 'spare')
    expect(ok('trash').stdout).toBe('The trash is empty\n')
    const again = cli('trash', 'restore', String(trashIds[0]))
    expect(again.status).toBe(1)
    expect(again.stderr).toContain(`Nothing in the trash with id ${trashIds[0]}`)

    const actions = (ok('audit', '--json').json() as { type: string }[]).map((a) => a.type)
    for (const action of [
      'evaluation.remove',
      'evaluation.restore',
      'shadow.remove',
      'shadow.restore',
      'drift.run.remove',
      'drift.run.restore',
      'dataset.remove',
      'dataset.restore',
    ])
      expect(actions).toContain(action)
  })
})
