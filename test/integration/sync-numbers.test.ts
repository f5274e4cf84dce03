// Team numbers under real concurrency: four processes claim 25 numbers each at once in one store
// (a folder, and s3rver on 127.0.0.1): 100 distinct numbers, and bytes claimed by all four
// writers get one number.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { buildSync } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readNumber } from '../../src/core/sync/layout'
import { openRemoteStore } from '../../src/core/sync/open'
import { startS3Server, type TestS3Server } from '../helpers/s3'

let s3: TestS3Server
let work: string
let child: string

beforeAll(async () => {
  s3 = await startS3Server()
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-numbers-'))
  child = path.join(work, 'claim-child.cjs')
  buildSync({
    entryPoints: [path.resolve(__dirname, '..', 'helpers', 'claim-child.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: child,
    logLevel: 'error',
  })
})
afterAll(async () => {
  await s3?.stop()
  fs.rmSync(work, { recursive: true, force: true })
})

interface ChildResult {
  claims: { sha256: string; number: number }[]
  sharedNumber: number
}

function runChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()))
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()))
    proc.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as ChildResult)
        : reject(new Error(`child exited ${code}: ${err}`)),
    )
  })
}

describe.each([
  ['folder', () => ({ location: path.join(work, 'store'), endpoint: '-' })],
  ['s3', () => ({ location: `s3://${s3.bucket}/numbers-test`, endpoint: s3.endpoint })],
])('team numbers on %s', (_name, where) => {
  it('four processes × 25 claims at once: 100 distinct numbers, shared bytes one number', async () => {
    const { location, endpoint } = where()
    const results = await Promise.all(
      [0, 1, 2, 3].map((w) => runChild([location, endpoint, 'churn model', '25', `writer-${w}`])),
    )
    const numbers = results.flatMap((r) => r.claims.map((c) => c.number))
    expect(numbers).toHaveLength(100)
    expect(new Set(numbers).size).toBe(100)
    expect(new Set(results.map((r) => r.sharedNumber)).size).toBe(1)
    expect(numbers).not.toContain(results[0]!.sharedNumber)
    // Every reader sees the same number for the same bytes.
    const store = openRemoteStore(location, { endpoint: endpoint === '-' ? null : endpoint })
    for (const r of results)
      for (const c of r.claims.slice(0, 5))
        expect(await readNumber(store, 'churn model', c.sha256)).toEqual({ number: c.number })
    store.close()
  })
})
