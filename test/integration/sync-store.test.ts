// One test suite for the RemoteStore interface, run against a folder and against a real
// S3-protocol server (s3rver on 127.0.0.1, started here): create-only, incremental listing,
// blob upload with resume, verified download, and refusal of an endpoint without conditional writes.
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FolderStore } from '../../src/core/sync/folder-store'
import { listAll, openRemoteStore } from '../../src/core/sync/open'
import { S3Store } from '../../src/core/sync/s3-store'
import { BlobMismatchError, blobKey, type RemoteStore } from '../../src/core/sync/store'
import { startS3Server, type TestS3Server } from '../helpers/s3'

let s3: TestS3Server
let work: string

beforeAll(async () => {
  s3 = await startS3Server()
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-store-'))
})
afterAll(async () => {
  await s3?.stop()
  fs.rmSync(work, { recursive: true, force: true })
})

let counter = 0
const backends: [string, () => RemoteStore][] = [
  ['folder', () => new FolderStore(path.join(work, `folder-${++counter}`))],
  [
    's3',
    () =>
      openRemoteStore(`s3://${s3.bucket}/t${++counter}`, {
        endpoint: s3.endpoint,
        resumeDir: path.join(work, 'resume'),
      }),
  ],
]

function writeRandom(bytes: number): { file: string; sha256: string } {
  const file = path.join(work, `blob-${randomBytes(4).toString('hex')}`)
  const data = randomBytes(bytes)
  fs.writeFileSync(file, data)
  return { file, sha256: createHash('sha256').update(data).digest('hex') }
}

describe.each(backends)('RemoteStore on %s', (_name, open) => {
  it('creates once and never overwrites', async () => {
    const store = open()
    expect(await store.get('records/a/0000000001.json')).toBeNull()
    expect(await store.putCreateOnly('records/a/0000000001.json', Buffer.from('one'))).toBe(
      'created',
    )
    expect(await store.putCreateOnly('records/a/0000000001.json', Buffer.from('two'))).toBe(
      'exists',
    )
    expect((await store.get('records/a/0000000001.json'))!.toString()).toBe('one')
    store.close()
  })

  it('lets exactly one of many racing create-only writes in', async () => {
    const store = open()
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.putCreateOnly(`claims/n${round}`, Buffer.from(`w${i}`)),
        ),
      )
      expect(results.filter((r) => r === 'created')).toHaveLength(1)
      const winner = results.indexOf('created')
      expect((await store.get(`claims/n${round}`))!.toString()).toBe(`w${winner}`)
    }
    store.close()
  })

  it('lists by prefix in order, page by page, after a cursor', async () => {
    const store = open()
    const keys = Array.from(
      { length: 25 },
      (_, i) => `records/b/${String(i + 1).padStart(10, '0')}.json`,
    )
    for (const key of keys) await store.putCreateOnly(key, Buffer.from(key))
    await store.putCreateOnly('records/c/0000000001.json', Buffer.from('c'))
    const page = await store.list('records/b/', { limit: 10 })
    expect(page.keys).toEqual(keys.slice(0, 10))
    expect(page.next).toBe(keys[9])
    const rest = await store.list('records/b/', { startAfter: page.next, limit: 10 })
    expect(rest.keys).toEqual(keys.slice(10, 20))
    expect(await listAll(store, 'records/b/')).toEqual(keys)
    expect(await listAll(store, 'records/b/', keys[22])).toEqual(keys.slice(23))
    expect(await listAll(store, 'records/b/', keys[24])).toEqual([])
    expect(await listAll(store, 'records/')).toEqual([...keys, 'records/c/0000000001.json'])
    expect(await listAll(store, 'nothing/here/')).toEqual([])
    expect(await store.listPrefixes('records/')).toEqual(['records/b/', 'records/c/'])
    expect(await store.listPrefixes('nothing/')).toEqual([])
    store.close()
  })

  it('refuses keys that could escape the store', async () => {
    const store = open()
    await expect(store.get('../x')).rejects.toThrow(/Not a store key/)
    await expect(store.putCreateOnly('/abs', Buffer.from('x'))).rejects.toThrow(/Not a store key/)
    await expect(store.putCreateOnly('a/../../b', Buffer.from('x'))).rejects.toThrow(
      /Not a store key/,
    )
    store.close()
  })

  it('uploads a blob once, downloads it verified, with progress', async () => {
    const store = open()
    const { file, sha256 } = writeRandom(3 * 1024 * 1024 + 17)
    const seen: number[] = []
    const first = await store.putBlob(sha256, file, { onProgress: (p) => seen.push(p.done) })
    expect(first).toEqual({ created: true, bytesUploaded: 3 * 1024 * 1024 + 17 })
    expect(seen[seen.length - 1]).toBe(3 * 1024 * 1024 + 17)
    expect(await store.putBlob(sha256, file)).toEqual({ created: false, bytesUploaded: 0 })
    expect(await store.blobSize(sha256)).toBe(3 * 1024 * 1024 + 17)
    const dest = path.join(work, `down-${sha256.slice(0, 8)}`)
    expect(await store.getBlob(sha256, dest)).toEqual({ size: 3 * 1024 * 1024 + 17 })
    expect(fs.readFileSync(dest).equals(fs.readFileSync(file))).toBe(true)
    store.close()
  })

  it('refuses a blob whose bytes do not match its name and writes nothing', async () => {
    const store = open()
    const { file } = writeRandom(1000)
    const wrong = createHash('sha256').update('something else').digest('hex')
    // A store where someone put other bytes under a blob's name.
    await store.putCreateOnly(blobKey(wrong), fs.readFileSync(file))
    const dest = path.join(work, `swapped-${wrong.slice(0, 8)}`)
    await expect(store.getBlob(wrong, dest)).rejects.toBeInstanceOf(BlobMismatchError)
    expect(fs.existsSync(dest)).toBe(false)
    expect(
      fs.readdirSync(path.dirname(dest)).filter((n) => n.startsWith(path.basename(dest))),
    ).toEqual([])
    await expect(store.getBlob('0'.repeat(64), dest)).rejects.toThrow(/missing from the store/)
    store.close()
  })

  it('has create-only writes', async () => {
    const store = open()
    await expect(store.checkCreateOnly()).resolves.toBeUndefined()
    store.close()
  })
})

describe('resuming an interrupted blob upload', () => {
  it('S3: a second push sends only the parts the first did not finish', async () => {
    const resumeDir = path.join(work, 'resume-s3')
    const store = new S3Store(
      { bucket: s3.bucket, prefix: 'resume' },
      { endpoint: s3.endpoint, resumeDir, partSize: 5 * 1024 * 1024, concurrency: 1 },
    )
    const { file, sha256 } = writeRandom(26 * 1024 * 1024)
    const abort = new AbortController()
    await expect(
      store.putBlob(sha256, file, {
        signal: abort.signal,
        onProgress: (p) => {
          if (p.done >= 10 * 1024 * 1024) abort.abort()
        },
      }),
    ).rejects.toThrow(/Cancelled/)
    expect(await store.blobSize(sha256)).toBeNull()
    expect(fs.readdirSync(resumeDir)).toHaveLength(1)
    const again = await store.putBlob(sha256, file)
    expect(again.created).toBe(true)
    expect(again.bytesUploaded).toBeLessThanOrEqual(16 * 1024 * 1024 + 1)
    expect(again.bytesUploaded).toBeGreaterThan(0)
    expect(fs.readdirSync(resumeDir)).toHaveLength(0)
    const dest = path.join(work, 'resumed-s3')
    await store.getBlob(sha256, dest)
    expect(fs.readFileSync(dest).equals(fs.readFileSync(file))).toBe(true)
    store.close()
  })

  it('folder: a second push appends to the part the first left', async () => {
    const store = new FolderStore(path.join(work, 'resume-folder'))
    const { file, sha256 } = writeRandom(8 * 1024 * 1024)
    const abort = new AbortController()
    await expect(
      store.putBlob(sha256, file, {
        signal: abort.signal,
        onProgress: (p) => {
          if (p.done >= 3 * 1024 * 1024) abort.abort()
        },
      }),
    ).rejects.toThrow(/Cancelled/)
    expect(await store.blobSize(sha256)).toBeNull()
    const again = await store.putBlob(sha256, file)
    expect(again.created).toBe(true)
    expect(again.bytesUploaded).toBeLessThan(8 * 1024 * 1024)
    const dest = path.join(work, 'resumed-folder')
    await store.getBlob(sha256, dest)
    expect(fs.readFileSync(dest).equals(fs.readFileSync(file))).toBe(true)
  })
})

describe('an S3 endpoint without conditional writes', () => {
  let plain: TestS3Server
  beforeAll(async () => {
    plain = await startS3Server({ conditional: false })
  })
  afterAll(async () => plain?.stop())

  it('is refused, saying why', async () => {
    const store = openRemoteStore(`s3://${plain.bucket}/x`, { endpoint: plain.endpoint })
    await expect(store.checkCreateOnly()).rejects.toThrow(
      /does not honour conditional writes.*overwrote it/,
    )
    store.close()
  })
})
