// What a new user tripped over in the CLI (issue 11): unique dataset names with a suggestion and a
// rename, `--data` that matches a file and a dataset, an alias applied to existing bytes said aloud.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, useCliHome } from '../helpers/cli'
import { fixture } from '../helpers/home'

const { home, cli, ok } = useCliHome()

/** A copy of a fixture under another name, so the same rows are a different file or name. */
function copyAs(source: string, name: string, extraRow = ''): string {
  const target = path.join(home.dir, name)
  fs.writeFileSync(target, fs.readFileSync(source, 'utf8') + extraRow)
  return target
}

describe('dataset names are unique', () => {
  it('names a second import of another file "reference-2", refuses a taken --name with a free one, and renames', () => {
    const eval1 = copyAs(fixture('data', 'linear_binary-eval.csv'), 'reference.csv')
    const first = cli('dataset', 'add', eval1, '--json')
    expect(first.status, first.stderr).toBe(0)
    expect(first.json()).toMatchObject({ name: 'reference', existing: false })

    const otherDir = path.join(home.dir, 'other')
    fs.mkdirSync(otherDir)
    const eval2 = path.join(otherDir, 'reference.csv')
    fs.writeFileSync(eval2, fs.readFileSync(fixture('data', 'linear_binary-drifted.csv')))
    const second = cli('dataset', 'add', eval2, '--json')
    expect(second.status, second.stderr).toBe(0)
    expect(second.json()).toMatchObject({ name: 'reference-2', existing: false })

    const third = path.join(home.dir, 'third.csv')
    fs.writeFileSync(third, fs.readFileSync(fixture('csv', 'orders.csv')))
    const refused = cli('dataset', 'add', third, '--name', 'reference')
    expect(refused.status).toBe(1)
    expect(refused.stderr).toMatch(
      /Dataset name "reference" is taken by dataset 1 .*choose another, e\.g\. "reference-3"/,
    )
    // Nothing was imported for the refused name.
    const list = cli('datasets', '--json').json() as { name: string }[]
    expect(list.map((d) => d.name).sort()).toEqual(['reference', 'reference-2'])

    const clash = cli('dataset', 'rename', 'reference-2', 'reference')
    expect(clash.status).toBe(1)
    expect(clash.stderr).toMatch(/"reference" is taken by dataset 1/)
    const renamed = cli('dataset', 'rename', 'reference-2', 'drifted-march')
    expect(renamed.status, renamed.stderr).toBe(0)
    expect(renamed.stdout).toBe('Dataset 2 is now "drifted-march"\n')
    expect(cli('dataset', 'show', 'drifted-march', '--json').json()).toMatchObject({ id: 2 })
  })

  it('says which one --data used when a file and a dataset share the name', () => {
    const data = fixture('data', 'linear_binary-eval.csv')
    ok('register', fixture('models', 'linear_binary.onnx'), '--model', 'churn')
    // A dataset named like the relative path of a file in the working directory.
    const local = copyAs(data, 'eval.csv')
    ok('dataset', 'add', data, '--name', 'eval.csv')
    const run = runCli(['evaluate', 'churn@1', '--data', 'eval.csv', '--home', home.dir], {})
    // spawned from the repo root: no file eval.csv there, so the dataset is used without a note
    expect(run.status, run.stderr).toBe(0)
    expect(run.stderr).not.toMatch(/both a file and dataset/)
    const both = runCli(['evaluate', 'churn@1', '--data', local, '--home', home.dir])
    expect(both.status, both.stderr).toBe(0)
    expect(both.stderr).not.toMatch(/both a file/)
    ok('dataset', 'rename', 'eval.csv', local)
    const noted = runCli(['evaluate', 'churn@1', '--data', local, '--home', home.dir])
    expect(noted.status, noted.stderr).toBe(0)
    expect(noted.stderr).toContain(
      `--data ${local}: both a file and dataset 1 have this name; using the file (give --data 1 for the dataset)`,
    )
  })
})

describe('register says what the alias did', () => {
  it('reports an alias moved onto bytes that were already a version', () => {
    const model = fixture('models', 'linear_binary.onnx')
    ok('register', model, '--model', 'churn')
    expect(
      cli(
        'register',
        fixture('models', 'tree_ensemble.onnx'),
        '--model',
        'churn',
        '--alias',
        'challenger',
      ).stdout,
    ).toContain('alias challenger set on v2')
    const again = cli('register', model, '--model', 'churn', '--alias', 'challenger')
    expect(again.status, again.stderr).toBe(0)
    expect(again.stdout).toMatch(
      /already registered as churn v1 .*; alias challenger moved from v2 to v1\n$/,
    )
    const json = cli('register', model, '--model', 'churn', '--alias', 'challenger', '--json')
    expect(json.json()).toMatchObject({
      existing: true,
      alias: { name: 'challenger', fromVersion: 1 },
    })
  })
})

describe('gates', () => {
  it('refuses a check without a policy, and names metrics as people do in the report', () => {
    const data = fixture('data', 'linear_binary-eval.csv')
    ok('register', fixture('models', 'linear_binary.onnx'), '--model', 'churn')
    const none = cli('gate', 'churn@1', '--data', data)
    expect(none.status).toBe(1)
    expect(none.stderr).toContain('Model "churn" has no gate policy; set one or pass a policy file')
    const policy = path.join(home.dir, 'policy.json')
    fs.writeFileSync(
      policy,
      JSON.stringify({
        rules: [
          { metric: 'logLoss', threshold: 5, greaterIsBetter: false },
          { metric: 'accuracy', minAbsoluteChange: 0, greaterIsBetter: true },
        ],
      }),
    )
    const checked = cli('gate', 'churn@1', '--data', data, '--policy', policy)
    expect(checked.status, checked.stderr).toBe(0)
    expect(checked.stdout).toContain('Log loss ≤ 5')
    expect(checked.stdout).toContain("Accuracy no worse than the champion's")
    expect(checked.stdout).not.toContain('logLoss')
    expect(checked.stdout).not.toContain('vs champion')
  })
})

describe('listings and everyday commands', () => {
  it('lists and shows evaluations, comparisons and drift runs, with local times in text', () => {
    const data = fixture('data', 'tree_ensemble-eval.csv')
    ok('register', fixture('models', 'linear_binary.onnx'), '--model', 'churn')
    ok('register', fixture('models', 'tree_ensemble.onnx'), '--model', 'churn')
    expect(cli('evaluations').stdout).toMatch(/^No evaluations yet\. Run one with/)
    ok('evaluate', 'churn@1', '--data', data)
    ok('shadow', 'churn@1', 'churn@2', '--data', data)
    ok(
      'drift',
      '--reference',
      data,
      '--current',
      fixture('data', 'linear_binary-drifted.csv'),
      '--model',
      'churn@1',
    )

    // Tokyo has no daylight saving: the text shows UTC+9, the JSON the stored UTC.
    const tokyo = { TZ: 'Asia/Tokyo' }
    const evaluations = runCli(['evaluations', 'churn', '--home', home.dir, '--json'])
    const [stored] = evaluations.json() as { id: number; createdAt: string }[]
    const local = new Date(Date.parse(stored!.createdAt) + 9 * 3600_000)
      .toISOString()
      .slice(0, 16)
      .replace('T', ' ')
    expect(stored!.createdAt).toMatch(/Z$/)
    const text = runCli(['evaluations', 'churn', '--home', home.dir], tokyo)
    expect(text.status, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/^ID\s+MODEL\s+VERSION\s+DATASET\s+ROWS\s+HEADLINE\s+WHEN\s+BY\n/)
    expect(text.stdout).toContain(local)
    expect(text.stdout).toContain('Accuracy')
    const shown = runCli(['evaluation', 'show', String(stored!.id), '--home', home.dir], tokyo)
    expect(shown.stdout).toMatch(
      new RegExp(`^Evaluation ${stored!.id}: churn v1 on tree_ensemble-eval .*${local}`),
    )
    expect(shown.stdout).toMatch(/\nLog loss\s/)
    expect(cli('evaluation', 'show', '999').stderr).toMatch(/999/)

    const comparisons = cli('comparisons', 'churn')
    expect(comparisons.stdout).toMatch(/churn v1\s+churn v2\s+tree_ensemble-eval/)
    const [comparison] = cli('comparisons', '--json').json() as { id: number }[]
    expect(cli('comparison', 'show', String(comparison!.id)).stdout).toMatch(
      /^Shadow comparison \d+: churn v1 \(champion\) vs churn v2/,
    )

    const runs = cli('drift-runs', 'churn')
    expect(runs.status, runs.stderr).toBe(0)
    expect(runs.stdout).toMatch(
      /churn v1\s+tree_ensemble-eval.csv\s+linear_binary-drifted.csv\s+(no drift|DRIFT)/,
    )
    const [run] = cli('drift-runs', '--json').json() as { id: number }[]
    const runShown = cli('drift-run', 'show', String(run!.id))
    expect(runShown.stdout).toMatch(
      new RegExp(`^Drift run ${run!.id}, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d by ci-user\n`),
    )
    expect(runShown.stdout).toMatch(/columns drifted/)
    expect(cli('drift-run', 'show', 'x').stderr).toContain('Drift run "x" is not an id')
  })

  it('removes a tag with `slipway tag remove`, and says when there is none', () => {
    ok('register', fixture('models', 'linear_binary.onnx'), '--model', 'churn')
    ok('tag', 'churn@1', 'team=risk')
    ok('tag', 'set', 'churn@1', 'owner=ana')
    const removed = cli('tag', 'remove', 'churn@1', 'team')
    expect(removed.status, removed.stderr).toBe(0)
    expect(removed.stdout).toBe('churn v1: removed tag team\n')
    expect((cli('show', 'churn@1', '--json').json() as { tags: unknown }).tags).toEqual({
      owner: 'ana',
    })
    const again = cli('tag', 'remove', 'churn@1', 'team')
    expect(again.status).toBe(1)
    expect(again.stderr).toContain('churn v1 has no tag "team"')
  })

  it('answers a missing --model with the usage error alone, not the whole help', () => {
    const run = cli('register', fixture('models', 'linear_binary.onnx'))
    expect(run.status).toBe(1)
    expect(run.stderr).toBe(
      "error: required option '--model <name>' not specified\n(see `slipway help COMMAND` for its options)\n",
    )
  })
})

describe('archive and delete', () => {
  it('archives a model and a version with undo, refusing a version under an alias and saying why', () => {
    ok(
      'register',
      fixture('models', 'linear_binary.onnx'),
      '--model',
      'churn',
      '--alias',
      'champion',
    )
    ok('register', fixture('models', 'tree_ensemble.onnx'), '--model', 'churn')
    const refused = cli('version', 'archive', 'churn@1')
    expect(refused.status).toBe(1)
    expect(refused.stderr).toContain(
      'churn v1 cannot be archived while it holds the alias champion',
    )
    const archived = cli('version', 'archive', 'churn@2')
    expect(archived.status, archived.stderr).toBe(0)
    expect(archived.stdout).toBe(
      'churn v2: archived (undo with `slipway version archive churn@2 --undo`)\n',
    )
    expect(
      (cli('show', 'churn@2', '--json').json() as { archivedAt: string | null }).archivedAt,
    ).toMatch(/Z$/)
    expect(cli('versions', 'churn').stdout).toMatch(/^v2 \(archived\) /m)
    expect(cli('versions', 'churn', '--search', 'zzz').stdout).toBe(
      'No version of churn matches "zzz".\n',
    )
    // An alias never points at an archived version.
    const aliasOnArchived = cli('alias', 'set', 'churn@2', 'challenger')
    expect(aliasOnArchived.status).toBe(1)
    expect(aliasOnArchived.stderr).toContain(
      'churn v2 is archived: restore it first (`slipway version archive churn@2 --undo`)',
    )
    expect(cli('version', 'archive', 'churn@2', '--undo').stdout).toBe('churn v2: restored\n')
    expect(
      (cli('show', 'churn@2', '--json').json() as { archivedAt: string | null }).archivedAt,
    ).toBeNull()

    expect(cli('model', 'archive', 'churn').stderr).toContain(
      'Model "churn" cannot be archived while its versions hold aliases (champion → v1)',
    )
    ok('alias', 'remove', 'churn', 'champion')
    ok('model', 'archive', 'churn')
    expect(cli('models').stdout).toBe(
      'No models in use: 1 archived (`slipway models --archived` lists them).\n',
    )
    expect(cli('models', '--archived').stdout).toContain('churn')
    // An archived model takes no new version and no alias until it is restored.
    for (const run of [
      cli('register', fixture('models', 'regression.onnx'), '--model', 'churn'),
      cli('alias', 'set', 'churn@1', 'champion'),
    ]) {
      expect(run.status).toBe(1)
      expect(run.stderr).toContain(
        'Model "churn" is archived: restore it first (`slipway model archive churn --undo`)',
      )
    }
    expect(cli('versions', 'churn', '--json').json()).toHaveLength(2)
    expect(cli('model', 'archive', 'churn', '--undo').stdout).toBe('churn: restored\n')
    expect(cli('models').stdout).toContain('churn')
  })

  it('deletes evaluations, comparisons and drift runs, keeping an evaluation a gate report rests on', () => {
    const data = fixture('data', 'tree_ensemble-eval.csv')
    ok('register', fixture('models', 'linear_binary.onnx'), '--model', 'churn')
    ok('register', fixture('models', 'tree_ensemble.onnx'), '--model', 'churn')
    ok('evaluate', 'churn@1', '--data', data)
    const policy = path.join(home.dir, 'policy.json')
    fs.writeFileSync(
      policy,
      JSON.stringify({ rules: [{ metric: 'accuracy', threshold: 0.1, greaterIsBetter: true }] }),
    )
    ok('gate', 'churn@2', '--data', data, '--policy', policy)
    const evaluations = cli('evaluations', '--json').json() as { id: number; version: number }[]
    const ofV1 = evaluations.find((e) => e.version === 1)!
    const ofV2 = evaluations.find((e) => e.version === 2)!
    expect(cli('evaluation', 'remove', String(ofV1.id)).stdout).toMatch(
      new RegExp(
        `^Evaluation ${ofV1.id} deleted; it can be restored for 30 days: slipway trash restore \\d+\n$`,
      ),
    )
    const kept = cli('evaluation', 'remove', String(ofV2.id))
    expect(kept.status).toBe(1)
    expect(kept.stderr).toMatch(/is the basis of gate report \d+; it is kept as their evidence/)
    expect((cli('evaluations', '--json').json() as unknown[]).length).toBe(evaluations.length - 1)

    ok('shadow', 'churn@1', 'churn@2', '--data', data)
    const [comparison] = cli('comparisons', '--json').json() as { id: number }[]
    ok('comparison', 'remove', String(comparison!.id))
    expect(cli('comparisons').stdout).toMatch(/^No comparisons yet/)

    ok('drift', '--reference', data, '--current', data)
    const [run] = cli('drift-runs', '--json').json() as { id: number }[]
    expect(cli('drift-run', 'remove', String(run!.id)).stdout).toMatch(
      new RegExp(
        `^Drift run ${run!.id} deleted; it can be restored for 30 days: slipway trash restore \\d+\n$`,
      ),
    )
    expect(cli('drift-run', 'show', String(run!.id)).stderr).toContain(`No drift run #${run!.id}`)
  })
})
