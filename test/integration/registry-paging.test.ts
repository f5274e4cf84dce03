// Paging the registry's lists: keyset cursors that hold their place across inserts, search and
// sort in SQL, limits and cursors checked by the contract, and the CLI's --limit/--cursor.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Slipway } from '../../src/core/service'
import { runCli } from '../helpers/cli'
import { fixture, tempHome } from '../helpers/home'
import { copyBytes } from '../helpers/onnx-copies'

let home: { dir: string; cleanup: () => void }
let slipway: Slipway
let made = 0
const base = fs.readFileSync(fixture('models', 'linear_binary.onnx'))

beforeEach(() => {
  home = tempHome()
  made = 0
  slipway = new Slipway({ home: home.dir, actor: 'ana' })
})
afterEach(() => {
  slipway.close()
  home.cleanup()
})

/** Registers a new distinct small model as the next version of `model`. */
async function register(
  model: string,
  extra: { alias?: string; tags?: { key: string; value: string }[]; description?: string } = {},
): Promise<number> {
  const file = path.join(home.dir, `copy-${made}.onnx`)
  fs.writeFileSync(file, copyBytes(base, made++))
  const r = await slipway.call('registry:register', { file: { path: file }, model, ...extra })
  return r.version
}

async function allPages<T>(
  fetch: (cursor?: string) => Promise<{ rows: T[]; nextCursor: string | null }>,
  between?: () => Promise<void>,
): Promise<T[][]> {
  const pages: T[][] = []
  let cursor: string | undefined
  for (;;) {
    const page = await fetch(cursor)
    pages.push(page.rows)
    if (!page.nextCursor) return pages
    cursor = page.nextCursor
    if (between) await between()
  }
}

const versionPages =
  (model: string, limit: number, extra: object = {}) =>
  async (cursor?: string) => {
    const r = await slipway.call('registry:list-versions', {
      model,
      limit,
      ...extra,
      ...(cursor ? { cursor } : {}),
    })
    return { rows: r.versions.map((v) => v.version), nextCursor: r.nextCursor }
  }

const refusal = async (name: 'registry:list-versions' | 'registry:list-models', input: object) => {
  const r = await slipway.invoke(name, input as never, { face: 'cli', readLocalPaths: true })
  if (r.ok) throw new Error(`expected ${name} to refuse ${JSON.stringify(input)}`)
  return r.error
}

describe('paging a model’s versions', () => {
  it('pages newest first, and versions added between pages neither repeat nor hide others', async () => {
    for (let i = 0; i < 25; i++) await register('churn')
    const first = await slipway.call('registry:list-versions', { model: 'churn', limit: 7 })
    expect(first.total).toBe(25)
    expect(first.versions.map((v) => v.version)).toEqual([25, 24, 23, 22, 21, 20, 19])
    expect(first.nextCursor).toEqual(expect.any(String))

    let added = 0
    const pages = await allPages(versionPages('churn', 7), async () => {
      await register('churn')
      added++
    })
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 4])
    // Every version that was there at the start, once each, in order; the new ones are above the
    // cursor, so a reload (not the next page) shows them.
    expect(pages.flat()).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i))
    expect(added).toBe(3)
    const reloaded = await slipway.call('registry:list-versions', { model: 'churn', limit: 3 })
    expect(reloaded.versions.map((v) => v.version)).toEqual([28, 27, 26])
    expect(reloaded.total).toBe(28)
  })

  it('sorts oldest first, and without a limit gives every version on one page', async () => {
    for (let i = 0; i < 5; i++) await register('churn')
    const pages = await allPages(versionPages('churn', 2, { sort: 'oldest' }))
    expect(pages).toEqual([[1, 2], [3, 4], [5]])
    const all = await slipway.call('registry:list-versions', { model: 'churn' })
    expect(all.versions.map((v) => v.version)).toEqual([5, 4, 3, 2, 1])
    expect(all.nextCursor).toBeNull()
  })

  it('finds a version by number, alias, tag and file name in SQL', async () => {
    for (let i = 1; i <= 14; i++)
      await register('churn', {
        ...(i === 3 ? { alias: 'champion' } : {}),
        ...(i === 7 ? { tags: [{ key: 'stage', value: 'canary' }] } : {}),
        ...(i === 9 ? { description: 'Trained on 100% of March' } : {}),
      })
    const find = async (search: string): Promise<number[]> =>
      (await slipway.call('registry:list-versions', { model: 'churn', search })).versions.map(
        (v) => v.version,
      )
    expect(await find('v12')).toEqual([12])
    expect(await find('12')).toEqual([12])
    expect(await find('V1')).toEqual([1])
    expect(await find('champ')).toEqual([3])
    expect(await find('canary')).toEqual([7])
    expect(await find('stage=canary')).toEqual([7])
    expect(await find('stage=other')).toEqual([])
    // LIKE's wildcards match themselves.
    expect(await find('100%')).toEqual([9])
    expect(await find('%')).toEqual([9])
    expect(await find('copy-5.onnx')).toEqual([6])
    const page = await slipway.call('registry:list-versions', {
      model: 'churn',
      search: 'copy-1',
      limit: 2,
    })
    // copy-1, copy-10 … copy-13: files of v2 and v11…v14.
    expect(page.total).toBe(5)
    expect(page.versions.map((v) => v.version)).toEqual([14, 13])
    const rest = await allPages(versionPages('churn', 2, { search: 'copy-1' }))
    expect(rest.flat()).toEqual([14, 13, 12, 11, 2])
  })

  it('carries aliases and tags on each row, like the model detail did', async () => {
    await register('churn', { alias: 'champion', tags: [{ key: 'team', value: 'risk' }] })
    const { versions } = await slipway.call('registry:list-versions', { model: 'churn' })
    expect(versions[0]).toMatchObject({ version: 1, aliases: ['champion'], tags: { team: 'risk' } })
    const detail = await slipway.call('registry:get-model', { model: 'churn' })
    expect(detail.versions).toEqual(versions)
    const bare = await slipway.call('registry:get-model', { model: 'churn', versionLimit: 0 })
    expect(bare.versions).toEqual([])
    expect(bare.versionCount).toBe(1)
  })
})

describe('paging the models list', () => {
  it('pages by last change and by name; a model added between pages comes first on reload', async () => {
    const names = Array.from({ length: 13 }, (_, i) => `m${String(i).padStart(2, '0')}`)
    for (const name of names) await register(name)
    const pages = async (sort: 'updated' | 'name', between?: () => Promise<void>) =>
      (
        await allPages(async (cursor) => {
          const r = await slipway.call('registry:list-models', {
            limit: 5,
            sort,
            ...(cursor ? { cursor } : {}),
          })
          return { rows: r.models.map((m) => m.name), nextCursor: r.nextCursor }
        }, between)
      ).flat()
    let extra = 0
    const byUpdate = await pages('updated', async () => {
      await register(`new${extra++}`)
    })
    // Registrations in one millisecond share updated_at; the name breaks the tie.
    expect(byUpdate.toSorted()).toEqual(names)
    expect(new Set(byUpdate).size).toBe(13)
    const byName = await pages('name')
    expect(byName).toEqual([...names, 'new0', 'new1'].toSorted((a, b) => a.localeCompare(b)))
    const head = await slipway.call('registry:list-models', { limit: 1 })
    expect(head.total).toBe(15)
    expect(head.models[0]?.name).toBe('new1')
  })

  it('searches name and description, with a total over all pages', async () => {
    for (const name of ['house-a', 'house-b', 'house-c', 'churn']) await register(name)
    const r = await slipway.call('registry:list-models', {
      search: 'HOUSE',
      limit: 2,
      sort: 'name',
    })
    expect(r.models.map((m) => m.name)).toEqual(['house-a', 'house-b'])
    expect(r.total).toBe(3)
    const next = await slipway.call('registry:list-models', {
      search: 'HOUSE',
      limit: 2,
      sort: 'name',
      cursor: r.nextCursor ?? '',
    })
    expect(next.models.map((m) => m.name)).toEqual(['house-c'])
    expect(next.nextCursor).toBeNull()
  })
})

describe('refusals', () => {
  it.each([0, -1, 1.5, 1001])('limit %j is refused by the contract', async (limit) => {
    await register('churn')
    for (const call of ['registry:list-versions', 'registry:list-models'] as const) {
      const error = await refusal(call, {
        ...(call === 'registry:list-versions' ? { model: 'churn' } : {}),
        limit,
      })
      expect(error.code).toBe('INVALID_INPUT')
      expect(error.message).toMatch(/limit/)
    }
  })

  it('refuses a cursor it did not give out, or one from another sort, search or listing', async () => {
    for (let i = 0; i < 3; i++) await register('churn')
    await register('other')
    const page = await slipway.call('registry:list-versions', { model: 'churn', limit: 1 })
    const cursor = page.nextCursor ?? ''
    const models = await slipway.call('registry:list-models', { limit: 1 })
    const cases: [object, RegExp][] = [
      [{ model: 'churn', cursor: 'garbage!' }, /cursor: not a cursor this listing gave out/],
      [{ model: 'churn', cursor: Buffer.from('{"a":1}').toString('base64url') }, /not a cursor/],
      [{ model: 'churn', cursor, sort: 'oldest' }, /cursor: it belongs to another sort or search/],
      [{ model: 'churn', cursor, search: 'v1' }, /another sort or search/],
      [{ model: 'other', cursor }, /cursor: it belongs to another listing/],
      [{ model: 'churn', cursor: models.nextCursor ?? '' }, /another listing/],
      [{ model: 'churn', cursor: '' }, /cursor/],
    ]
    for (const [input, message] of cases) {
      const error = await refusal('registry:list-versions', input)
      expect(error.code).toBe('INVALID_INPUT')
      expect(error.message).toMatch(message)
      expect(error.message).not.toMatch(/SQLITE|undefined|NaN/)
    }
    expect((await refusal('registry:list-models', { cursor })).message).toMatch(/another listing/)
    expect(
      (await refusal('registry:list-versions', { model: 'nobody', limit: 2 })).message,
    ).toMatch(/No model named "nobody"/)
  })
})

describe('the CLI pages', () => {
  it('prints one page with --limit and the next with --cursor', async () => {
    for (let i = 0; i < 4; i++) await register('churn', i === 1 ? { alias: 'champion' } : {})
    slipway.close()
    const first = runCli(['versions', 'churn', '--limit', '3', '--home', home.dir, '--json'])
    expect(first.status, first.stderr).toBe(0)
    expect((first.json() as { version: number }[]).map((v) => v.version)).toEqual([4, 3, 2])
    const cursor = /--cursor (\S+)/.exec(first.stderr)?.[1] ?? ''
    expect(first.stderr).toContain('3 of 4 versions')
    const second = runCli(['versions', 'churn', '--cursor', cursor, '--home', home.dir, '--json'])
    expect((second.json() as { version: number }[]).map((v) => v.version)).toEqual([1])
    const found = runCli([
      'versions',
      'churn',
      '--search',
      'champion',
      '--home',
      home.dir,
      '--json',
    ])
    expect((found.json() as { version: number }[]).map((v) => v.version)).toEqual([2])
    const bad = runCli(['models', '--limit', 'lots', '--home', home.dir, '--json'])
    expect(bad.status).toBe(1)
    expect((bad.json() as { error: { message: string } }).error.message).toMatch(/limit/)
    slipway = new Slipway({ home: home.dir, actor: 'ana' })
  })
})
