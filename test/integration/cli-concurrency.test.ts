// Several CLI processes on one registry home at once (a script registering in parallel,
// or the CLI next to an open window) each finish their own write.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { Slipway } from '../../src/core/service'
import { blobFiles, fixture, tempHome } from '../helpers/home'

const cli = path.resolve(__dirname, '..', '..', 'out', 'node', 'cli.cjs')
const homes: ReturnType<typeof tempHome>[] = []
afterEach(() => {
  for (const h of homes.splice(0)) h.cleanup()
})

const run = (args: string[]): Promise<{ code: number | null; stdout: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.on('exit', (code) => resolve({ code, stdout }))
  })

it('six registrations started together on a fresh home all succeed', async () => {
  const home = tempHome('slipway-review-cli-')
  homes.push(home)
  const results = await Promise.all(
    [1, 2, 3, 4, 5, 6].map((i) =>
      run([
        'register',
        fixture('models', i % 2 ? 'linear_binary.onnx' : 'tree_ensemble.onnx'),
        '--model',
        `m${i}`,
        '--home',
        home.dir,
        '--json',
      ]),
    ),
  )
  for (const r of results) expect(r.stdout).not.toMatch(/"error"/)
  expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0])
  const slipway = new Slipway({ home: home.dir })
  try {
    const { models } = await slipway.call('registry:list-models', {})
    expect(models.map((m) => m.name).sort()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6'])
  } finally {
    slipway.close()
  }
})

it('eight processes opening one fresh home at once migrate it exactly once, every time', async () => {
  for (let round = 0; round < 5; round++) {
    const home = tempHome('slipway-migrate-race-')
    homes.push(home)
    const results = await Promise.all(
      Array.from({ length: 8 }, () => run(['models', '--home', home.dir, '--json'])),
    )
    for (const r of results) expect(r.stdout).not.toMatch(/"error"/)
    expect(results.map((r) => r.code)).toEqual(Array(8).fill(0))
    const slipway = new Slipway({ home: home.dir })
    slipway.close()
  }
})

it('a registration that fails never removes a blob that a concurrent registration of the same bytes uses', async () => {
  // Failing calls (a parent version that does not exist) store the bytes, then undo; the
  // succeeding call in another process finds the bytes already stored and must not end with a
  // version whose artifact is gone.
  for (let round = 0; round < 6; round++) {
    const home = tempHome('slipway-blob-race-')
    homes.push(home)
    const file = fixture('models', 'tree_ensemble.onnx')
    const failing = (i: number): Promise<{ code: number | null; stdout: string }> =>
      run(['register', file, '--model', `f${i}`, '--parent', '9', '--home', home.dir, '--json'])
    const results = await Promise.all([
      failing(1),
      failing(2),
      run(['register', file, '--model', 'ok', '--home', home.dir, '--json']),
      failing(3),
      failing(4),
    ])
    expect(results[2]!.stdout).not.toMatch(/"error"/)
    expect(results.map((r) => r.code)).toEqual([1, 1, 0, 1, 1])
    const slipway = new Slipway({ home: home.dir })
    try {
      const version = await slipway.call('registry:get-version', { model: 'ok', ref: '1' })
      expect(fs.existsSync(slipway.core.blobs.pathFor(version.sha256))).toBe(true)
      // and nothing else: no second copy, no lease left behind
      expect(blobFiles(home.dir)).toEqual([slipway.core.blobs.pathFor(version.sha256)])
      expect(slipway.core.db.prepare('SELECT COUNT(*) AS n FROM blob_leases').get()).toEqual({
        n: 0,
      })
    } finally {
      slipway.close()
    }
  }
})
