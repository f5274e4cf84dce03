// The registry commands of the built CLI against real data directories and real ONNX models.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { runCli, useCliHome } from '../helpers/cli'
import { blobFiles, fixture } from '../helpers/home'

const { home, cli } = useCliHome()

describe('slipway register', () => {
  it('prints the contract fields with --json', () => {
    const run = cli(
      'register',
      fixture('models', 'mlp_multiclass.onnx'),
      '--model',
      'iris',
      '--json',
      '--code-version',
      'deadbeef',
      '--param',
      'hidden=16',
      '--param',
      'lr=0.01',
    )
    expect(run.status, run.stderr).toBe(0)
    const r = run.json() as Record<string, unknown> & { onnx: Record<string, unknown> }
    expect(r).toMatchObject({
      model: 'iris',
      version: 1,
      existing: false,
      size: fs.statSync(fixture('models', 'mlp_multiclass.onnx')).size,
    })
    expect(Object.keys(r.onnx)).toEqual(
      expect.arrayContaining([
        'irVersion',
        'opsets',
        'producer',
        'modelVersion',
        'docString',
        'metadata',
        'inputs',
        'outputs',
        'nodeCount',
        'opTypes',
        'parameterCount',
      ]),
    )
    expect(r.onnx.opsets).toHaveProperty('ai.onnx')
    const input = (r.onnx.inputs as { name: string; type: string; shape: unknown[] }[])[0]!
    expect(input.type).toBe('float32')
    expect(typeof input.shape[0]).toBe('string') // the symbolic batch dimension keeps its name
    expect(input.shape[1]).toBe(6)
  })

  it('says "already registered" for the same bytes and registers several files in one call', () => {
    const first = cli(
      'register',
      fixture('models', 'linear_binary.onnx'),
      fixture('models', 'tree_ensemble.onnx'),
      '--model',
      'churn',
      '--json',
    )
    expect(first.status, first.stderr).toBe(0)
    expect((first.json() as { version: number }[]).map((r) => r.version)).toEqual([1, 2])
    const again = cli('register', fixture('models', 'linear_binary.onnx'), '--model', 'churn')
    expect(again.status).toBe(0)
    expect(again.stdout).toMatch(/already registered as churn v1/)
  })

  it('records the training dataset in the lineage', () => {
    const run = cli(
      'register',
      fixture('models', 'linear_binary.onnx'),
      '--model',
      'churn',
      '--training-data',
      fixture('data', 'linear_binary-train.csv'),
      '--json',
    )
    expect(run.status, run.stderr).toBe(0)
    const show = cli('show', 'churn@1', '--json')
    const v = show.json() as {
      lineage: {
        trainingDataset: { name: string; rows: number; columns: string[]; sha256: string }
      }
    }
    const csv = fs
      .readFileSync(fixture('data', 'linear_binary-train.csv'), 'utf8')
      .trim()
      .split('\n')
    expect(v.lineage.trainingDataset).toMatchObject({
      name: 'linear_binary-train',
      rows: csv.length - 1,
      columns: csv[0]!.split(','),
    })
    // the hash of the file's bytes, computed here
    expect(v.lineage.trainingDataset.sha256).toBe(
      createHash('sha256')
        .update(fs.readFileSync(fixture('data', 'linear_binary-train.csv')))
        .digest('hex'),
    )
  })

  it('fails with the file and the reason, exit 1, and writes nothing', () => {
    const run = cli('register', fixture('bad', 'png_renamed.onnx'), '--model', 'x', '--json')
    expect(run.status).toBe(1)
    const out = run.json() as { error: { code: string; message: string } }
    expect(out.error.code).toBe('ONNX_INVALID')
    expect(out.error.message).toContain('png_renamed.onnx')
    expect(blobFiles(home.dir)).toEqual([])
    const human = cli('register', fixture('bad', 'truncated.onnx'), '--model', 'x')
    expect(human.status).toBe(1)
    expect(human.stderr).toMatch(/truncated\.onnx/)
    const models = cli('models', '--json')
    expect(models.json()).toEqual([])
  })
})

describe('slipway models, versions, show, alias, tag', () => {
  it('lists, shows and moves aliases', () => {
    cli(
      'register',
      fixture('models', 'linear_binary.onnx'),
      '--model',
      'churn',
      '--alias',
      'champion',
    )
    cli('register', fixture('models', 'tree_ensemble.onnx'), '--model', 'churn')
    const models = cli('models', '--json').json() as {
      name: string
      versionCount: number
      aliases: Record<string, number>
    }[]
    expect(models).toMatchObject([{ name: 'churn', versionCount: 2, aliases: { champion: 1 } }])
    expect(cli('alias', 'set', 'churn@2', 'champion').status).toBe(0)
    const champion = cli('show', 'churn@champion', '--json').json() as {
      version: number
      aliasHistory: unknown[]
    }
    expect(champion.version).toBe(2)
    expect(champion.aliasHistory).toHaveLength(1)
    expect(cli('tag', 'churn@v2', 'stage=prod').status).toBe(0)
    const versions = cli('versions', 'churn', '--json').json() as {
      version: number
      tags: Record<string, string>
    }[]
    expect(versions.find((v) => v.version === 2)!.tags).toEqual({ stage: 'prod' })
    const human = cli('versions', 'churn')
    expect(human.stdout).toMatch(/VERSION\s+TEAM\s+FILE/)
    const missing = cli('show', 'churn@7', '--json')
    expect(missing.status).toBe(1)
    expect(missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } })
  })

  it('shows terminal escapes in metadata escaped, never raw', () => {
    cli('register', fixture('bad', 'metadata_escape.onnx'), '--model', 'esc')
    const show = cli('show', 'esc')
    expect(show.status, show.stderr).toBe(0)
    expect(show.stdout).not.toContain('\u001b')
    expect(show.stdout).toContain('\\x1b')
  })

  it('uses SLIPWAY_HOME when --home is not given', () => {
    const run = runCli(
      ['register', fixture('models', 'regression.onnx'), '--model', 'prices', '--json'],
      { SLIPWAY_HOME: home.dir },
    )
    expect(run.status, run.stderr).toBe(0)
    expect(fs.existsSync(`${home.dir}/registry.sqlite`)).toBe(true)
  })
})
