// The registry through the service: real SQLite files, real ONNX models, real blob store.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../../src/core/governance/audit'
import { Slipway } from '../../src/core/service'
import { blobFiles, fixture, tempHome } from '../helpers/home'

let home: { dir: string; cleanup: () => void }
let slipway: Slipway
beforeEach(() => {
  home = tempHome()
  slipway = new Slipway({ home: home.dir, actor: 'ana' })
})
afterEach(() => {
  slipway.close()
  home.cleanup()
})

const model = (name: string): { path: string } => ({ path: fixture('models', name) })
const count = (table: string): number =>
  (slipway.core.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n

describe('registering versions', () => {
  it('registers a model with its signature, metadata and lineage', async () => {
    const manifest = JSON.parse(fs.readFileSync(fixture('models', 'manifest.json'), 'utf8')) as {
      models: Record<
        string,
        { sha256: string; inputs: { name: string }[]; outputs: { name: string }[] }
      >
    }
    const r = await slipway.call('registry:register', {
      file: model('linear_binary.onnx'),
      model: 'churn',
      codeVersion: 'abc1234',
      hyperparameters: [{ key: 'C', value: '1.0' }],
      tags: [{ key: 'team', value: 'risk' }],
      description: 'first cut',
      alias: 'champion',
    })
    expect(r).toMatchObject({
      model: 'churn',
      version: 1,
      existing: false,
      fileName: 'linear_binary.onnx',
    })
    expect(r.sha256).toBe(manifest.models['linear_binary']!.sha256)
    expect(r.size).toBe(fs.statSync(fixture('models', 'linear_binary.onnx')).size)
    expect(r.onnx.inputs.map((t) => t.name)).toEqual(
      manifest.models['linear_binary']!.inputs.map((t) => t.name),
    )
    expect(r.onnx.outputs.map((t) => t.name)).toEqual(
      manifest.models['linear_binary']!.outputs.map((t) => t.name),
    )

    const v = await slipway.call('registry:get-version', { model: 'churn', ref: 'champion' })
    expect(v.version).toBe(1)
    expect(v.registeredBy).toBe('ana')
    expect(v.lineage).toMatchObject({
      codeVersion: 'abc1234',
      hyperparameters: { C: '1.0' },
      description: 'first cut',
      parentVersion: null,
    })
    expect(v.tags).toEqual({ team: 'risk' })
    expect(v.aliases).toEqual(['champion'])
    // the stored blob is the file, byte for byte
    expect(fs.readFileSync(slipway.core.blobs.pathFor(r.sha256))).toEqual(
      fs.readFileSync(fixture('models', 'linear_binary.onnx')),
    )
    expect(verifyAuditChain(slipway.core.db)).toMatchObject({ ok: true })
  })

  it('returns the existing version when the same bytes are registered again', async () => {
    const first = await slipway.call('registry:register', {
      file: model('linear_binary.onnx'),
      model: 'churn',
    })
    const again = await slipway.call('registry:register', {
      file: model('linear_binary.onnx'),
      model: 'churn',
    })
    expect(again).toMatchObject({ version: first.version, existing: true, sha256: first.sha256 })
    expect(count('model_versions')).toBe(1)
    // The same bytes under another model are a new version of that model.
    const other = await slipway.call('registry:register', {
      file: model('linear_binary.onnx'),
      model: 'churn-eu',
    })
    expect(other).toMatchObject({ version: 1, existing: false })
    expect(blobFiles(home.dir)).toHaveLength(1)
  })

  it('applies the alias and tags, but not lineage, when the bytes are already a version', async () => {
    await slipway.call('registry:register', {
      file: model('linear_binary.onnx'),
      model: 'churn',
      codeVersion: 'first',
    })
    await slipway.call('registry:register', {
      file: model('tree_ensemble.onnx'),
      model: 'churn',
      alias: 'champion',
    })
    const again = await slipway.call('registry:register', {
      file: model('linear_binary.onnx'),
      model: 'churn',
      codeVersion: 'second',
      alias: 'champion',
      tags: [{ key: 'stage', value: 'prod' }],
    })
    expect(again).toMatchObject({ version: 1, existing: true })
    const v1 = await slipway.call('registry:get-version', { model: 'churn', ref: 'champion' })
    expect(v1.version).toBe(1)
    expect(v1.tags).toEqual({ stage: 'prod' })
    expect(v1.lineage.codeVersion).toBe('first')
    const history = (await slipway.call('registry:get-model', { model: 'churn' })).aliasHistory
    expect(history[0]).toMatchObject({ alias: 'champion', fromVersion: 2, toVersion: 1 })
    expect(count('model_versions')).toBe(2)
  })

  it('numbers versions per model and records the parent', async () => {
    await slipway.call('registry:register', { file: model('linear_binary.onnx'), model: 'churn' })
    const v2 = await slipway.call('registry:register', {
      file: model('tree_ensemble.onnx'),
      model: 'churn',
      parentVersion: 1,
    })
    expect(v2.version).toBe(2)
    const detail = await slipway.call('registry:get-version', { model: 'churn', ref: 'latest' })
    expect(detail.lineage.parentVersion).toBe(1)
    const { models } = await slipway.call('registry:list-models', {})
    expect(models).toMatchObject([{ name: 'churn', versionCount: 2, latestVersion: 2 }])
    await expect(
      slipway.call('registry:register', {
        file: model('mlp_multiclass.onnx'),
        model: 'churn',
        parentVersion: 9,
      }),
    ).rejects.toThrow(/Parent version 9/)
  })

  it('moves aliases and keeps their history', async () => {
    await slipway.call('registry:register', {
      file: model('linear_binary.onnx'),
      model: 'churn',
      alias: 'champion',
    })
    await slipway.call('registry:register', {
      file: model('tree_ensemble.onnx'),
      model: 'churn',
      alias: 'challenger',
    })
    const moved = await slipway.call('registry:set-alias', {
      model: 'churn',
      version: 2,
      alias: 'champion',
    })
    expect(moved).toMatchObject({ alias: 'champion', fromVersion: 1, toVersion: 2, by: 'ana' })
    const detail = await slipway.call('registry:get-model', { model: 'churn' })
    expect(detail.aliases).toEqual({ challenger: 2, champion: 2 })
    expect(detail.aliasHistory.map((e) => [e.alias, e.fromVersion, e.toVersion])).toEqual([
      ['champion', 1, 2],
      ['challenger', null, 2],
      ['champion', null, 1],
    ])
    const removed = await slipway.call('registry:remove-alias', {
      model: 'churn',
      alias: 'challenger',
    })
    expect(removed).toMatchObject({ fromVersion: 2, toVersion: null })
    await expect(
      slipway.call('registry:get-version', { model: 'churn', ref: 'challenger' }),
    ).rejects.toThrow(/no alias "challenger"/)
  })

  it('sets and removes tags', async () => {
    await slipway.call('registry:register', { file: model('linear_binary.onnx'), model: 'churn' })
    await slipway.call('registry:set-tag', {
      model: 'churn',
      version: 1,
      key: 'stage',
      value: 'staging',
    })
    await slipway.call('registry:set-tag', {
      model: 'churn',
      version: 1,
      key: 'stage',
      value: 'prod',
    })
    expect((await slipway.call('registry:get-version', { model: 'churn', ref: 1 })).tags).toEqual({
      stage: 'prod',
    })
    expect(
      await slipway.call('registry:remove-tag', { model: 'churn', version: 1, key: 'stage' }),
    ).toEqual({ removed: true })
    expect((await slipway.call('registry:get-version', { model: 'churn', ref: 1 })).tags).toEqual(
      {},
    )
  })

  it('searches models by name', async () => {
    await slipway.call('registry:register', { file: model('linear_binary.onnx'), model: 'churn' })
    await slipway.call('registry:register', {
      file: model('regression.onnx'),
      model: 'house-prices',
    })
    expect(
      (await slipway.call('registry:list-models', { search: 'house' })).models.map((m) => m.name),
    ).toEqual(['house-prices'])
    expect(
      (await slipway.call('registry:list-models', { search: '%' })).models.map((m) => m.name),
    ).toEqual([])
  })

  it('keeps one version when two registries on one home register the same bytes at once', async () => {
    const second = new Slipway({ home: home.dir, actor: 'bo' })
    try {
      const results = await Promise.all([
        slipway.call('registry:register', { file: model('linear_binary.onnx'), model: 'churn' }),
        second.call('registry:register', { file: model('linear_binary.onnx'), model: 'churn' }),
      ])
      expect(results.map((r) => r.version)).toEqual([1, 1])
      expect(results.filter((r) => r.existing)).toHaveLength(1)
      expect(count('model_versions')).toBe(1)
    } finally {
      second.close()
    }
  })
})

describe('bad input changes nothing', () => {
  const manifest = JSON.parse(fs.readFileSync(fixture('models', 'manifest.json'), 'utf8')) as {
    bad: Record<string, { expect: string }>
  }
  const bad = fs.readdirSync(fixture('bad')).filter((f) => manifest.bad[f]!.expect !== 'OK')

  it.each(bad)(
    '%s is refused with a message naming it, leaving no row and no blob',
    async (file) => {
      const result = await slipway.invoke(
        'registry:register',
        { file: { path: fixture('bad', file) }, model: 'm' },
        { face: 'cli', readLocalPaths: true },
      )
      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.error.code).toBe(manifest.bad[file]!.expect)
      expect(result.error.message).toContain(file)
      expect(count('models')).toBe(0)
      expect(count('model_versions')).toBe(0)
      expect(count('audit_events')).toBe(0)
      expect(blobFiles(home.dir)).toEqual([])
    },
  )

  it.each([
    ['a missing file', { path: '/nonexistent/model.onnx' }, /no such file/],
    ['a directory', { path: fixture('models') }, /is a directory/],
  ])('%s is refused', async (_what, file, message) => {
    const result = await slipway.invoke(
      'registry:register',
      { file, model: 'm' },
      { face: 'cli', readLocalPaths: true },
    )
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_FILE' } })
    if (!result.ok) expect(result.error.message).toMatch(message)
    expect(count('models')).toBe(0)
  })

  it.each(['', '   ', '../x', 'a/b', 'a\\b', 'x..y', '@champion', 'a\u001b[31m'])(
    'model name %j is refused',
    async (name) => {
      const result = await slipway.invoke(
        'registry:register',
        { file: model('linear_binary.onnx'), model: name },
        { face: 'cli', readLocalPaths: true },
      )
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
      expect(count('models')).toBe(0)
      expect(blobFiles(home.dir)).toEqual([])
    },
  )

  it('refuses paths from web mode; only uploads are accepted there', async () => {
    const result = await slipway.invoke(
      'registry:register',
      { file: model('linear_binary.onnx'), model: 'm' },
      { face: 'web', readLocalPaths: false },
    )
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(count('models')).toBe(0)
    expect(blobFiles(home.dir)).toEqual([])
  })

  it('keeps metadata that looks like HTML, escapes or paths verbatim as data', async () => {
    const r = await slipway.call('registry:register', {
      file: { path: fixture('bad', 'metadata_path.onnx') },
      model: 'm',
    })
    expect(r.onnx.metadata).toMatchObject({
      '../../etc/passwd': '../../etc/passwd',
      artifact: '/etc/shadow',
    })
    // and read back from the registry unchanged
    const v = await slipway.call('registry:get-version', { model: 'm', ref: 1 })
    expect(v.onnx.metadata).toEqual(r.onnx.metadata)
    expect(fs.existsSync(path.join(home.dir, 'etc'))).toBe(false)
  })
})
