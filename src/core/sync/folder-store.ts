// The shared store in a folder (a network share, a synced folder): each object is a file written
// under a temporary name, flushed, then hard-linked to its real name, which fails when the name
// exists, so a write never overwrites and a reader never sees half a file.
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Transform } from 'node:stream'
import { processAlive } from '../artifacts/blobs'
import {
  BlobMismatchError,
  ProgressMeter,
  StoreError,
  assertKey,
  assertPrefix,
  blobKey,
  throwIfAborted,
  type BlobPutResult,
  type CreateOnlyResult,
  type ListPage,
  type RemoteStore,
  type TransferOptions,
} from './store'

const STALE_LOCK_MS = 10 * 60 * 1000

export class FolderStore implements RemoteStore {
  readonly location: string
  private readonly tmpDir: string
  private requests = 0

  constructor(root: string) {
    this.location = path.resolve(root)
    this.tmpDir = path.join(this.location, '.tmp')
  }

  get requestCount(): number {
    return this.requests
  }

  private file(key: string): string {
    assertKey(key)
    return path.join(this.location, ...key.split('/'))
  }

  private ensureRoot(): void {
    try {
      fs.mkdirSync(this.tmpDir, { recursive: true })
    } catch (error) {
      throw new StoreError(
        `Cannot write to the store folder ${this.location}: ${(error as Error).message}`,
      )
    }
  }

  private tmpName(label: string): string {
    return path.join(this.tmpDir, `${label}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  }

  async get(key: string): Promise<Buffer | null> {
    const file = this.file(key)
    this.requests++
    try {
      return await fs.promises.readFile(file)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR') return null
      throw error
    }
  }

  async putCreateOnly(key: string, body: Buffer): Promise<CreateOnlyResult> {
    const target = this.file(key)
    this.ensureRoot()
    this.requests++
    const tmp = this.tmpName('put')
    try {
      const fd = fs.openSync(tmp, 'wx')
      try {
        fs.writeSync(fd, body)
        fs.fsyncSync(fd)
      } finally {
        fs.closeSync(fd)
      }
      fs.mkdirSync(path.dirname(target), { recursive: true })
      return linkCreateOnly(tmp, target)
    } finally {
      fs.rmSync(tmp, { force: true })
    }
  }

  async list(
    prefix: string,
    options: { startAfter?: string; limit?: number } = {},
  ): Promise<ListPage> {
    assertPrefix(prefix)
    const limit = options.limit ?? 1000
    const slash = prefix.lastIndexOf('/')
    const dirKey = slash >= 0 ? prefix.slice(0, slash) : ''
    const rest = prefix.slice(slash + 1)
    const keys: string[] = []
    const walk = (dir: string, keyPrefix: string): void => {
      this.requests++
      let entries: fs.Dirent[]
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true })
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'ENOENT' || code === 'ENOTDIR') return
        throw error
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue
        const key = keyPrefix + entry.name
        if (entry.isDirectory()) walk(path.join(dir, entry.name), key + '/')
        else if (entry.isFile()) keys.push(key)
      }
    }
    const base = dirKey ? path.join(this.location, ...dirKey.split('/')) : this.location
    this.requests++
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(base, { withFileTypes: true })
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR') return { keys: [] }
      throw error
    }
    const keyPrefix = dirKey ? dirKey + '/' : ''
    for (const entry of entries) {
      if (entry.name.startsWith('.') || !entry.name.startsWith(rest)) continue
      const key = keyPrefix + entry.name
      if (entry.isDirectory()) walk(path.join(base, entry.name), key + '/')
      else if (entry.isFile()) keys.push(key)
    }
    keys.sort(compareKeys)
    const after = options.startAfter
    const selected = after === undefined ? keys : keys.filter((k) => compareKeys(k, after) > 0)
    const page = selected.slice(0, limit)
    return selected.length > limit ? { keys: page, next: page[page.length - 1] } : { keys: page }
  }

  async listPrefixes(prefix: string): Promise<string[]> {
    assertPrefix(prefix)
    if (prefix && !prefix.endsWith('/'))
      throw new StoreError(`A prefix to list folders under ends with '/': ${prefix}`)
    this.requests++
    const dir = prefix ? path.join(this.location, ...prefix.slice(0, -1).split('/')) : this.location
    try {
      return fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => `${prefix}${e.name}/`)
        .sort(compareKeys)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR') return []
      throw error
    }
  }

  async blobSize(sha256: string): Promise<number | null> {
    this.requests++
    try {
      return fs.statSync(this.file(blobKey(sha256))).size
    } catch {
      return null
    }
  }

  async putBlob(
    sha256: string,
    source: string,
    options: TransferOptions = {},
  ): Promise<BlobPutResult> {
    const target = this.file(blobKey(sha256))
    if (fs.existsSync(target)) return { created: false, bytesUploaded: 0 }
    this.ensureRoot()
    const total = fs.statSync(source).size
    const lock = path.join(this.tmpDir, `${sha256}.lock`)
    const part = path.join(this.tmpDir, `${sha256}.part`)
    await acquireLock(lock, () => fs.existsSync(target), options.signal)
    try {
      if (fs.existsSync(target)) return { created: false, bytesUploaded: 0 }
      let offset = 0
      try {
        offset = fs.statSync(part).size
      } catch {
        offset = 0
      }
      if (offset > total) {
        fs.rmSync(part, { force: true })
        offset = 0
      }
      const meter = new ProgressMeter(total, offset, options.onProgress)
      let done = offset
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          done += chunk.length
          meter.report(done)
          cb(null, chunk)
        },
      })
      this.requests++
      if (offset < total) {
        await pipeline(
          fs.createReadStream(source, { start: offset, highWaterMark: 1 << 20 }),
          tap,
          fs.createWriteStream(part, { flags: 'a' }),
          { signal: options.signal },
        ).catch((error: unknown) => {
          if (options.signal?.aborted) throw new StoreError('Cancelled')
          throw error
        })
      }
      const fd = fs.openSync(part, 'r+')
      try {
        fs.fsyncSync(fd)
      } finally {
        fs.closeSync(fd)
      }
      // A resumed part holds bytes from an earlier run: check the whole file before publishing it.
      const actual = await hashFileSha256(part)
      if (actual.sha256 !== sha256) {
        fs.rmSync(part, { force: true })
        throw new BlobMismatchError(sha256, actual.sha256, actual.size)
      }
      meter.report(total, true)
      fs.mkdirSync(path.dirname(target), { recursive: true })
      const created = linkCreateOnly(part, target) === 'created'
      fs.rmSync(part, { force: true })
      return { created, bytesUploaded: total - offset }
    } finally {
      fs.rmSync(lock, { force: true })
    }
  }

  async getBlob(
    sha256: string,
    dest: string,
    options: TransferOptions & { size?: number } = {},
  ): Promise<{ size: number }> {
    const source = this.file(blobKey(sha256))
    this.requests++
    let total: number
    try {
      total = fs.statSync(source).size
    } catch {
      throw new StoreError(`blob ${sha256.slice(0, 12)} is missing from the store`)
    }
    return writeVerified(
      fs.createReadStream(source, { highWaterMark: 1 << 20 }),
      sha256,
      total,
      dest,
      options,
    )
  }

  async checkCreateOnly(): Promise<void> {
    this.ensureRoot()
    const probe = path.join(this.tmpDir, `probe.${process.pid}.${randomBytes(6).toString('hex')}`)
    const a = `${probe}.a`
    try {
      fs.writeFileSync(a, 'probe')
      try {
        fs.linkSync(a, `${probe}.b`)
        fs.linkSync(a, `${probe}.b`)
        throw new StoreError(`The folder ${this.location} let a hard link replace an existing file`)
      } catch (error) {
        if (error instanceof StoreError) throw error
        const code = (error as NodeJS.ErrnoException).code
        if (code !== 'EEXIST')
          throw new StoreError(
            `The folder ${this.location} cannot do create-only writes (hard links: ${code}); ` +
              'use a file system that supports hard links',
          )
      }
    } finally {
      fs.rmSync(a, { force: true })
      fs.rmSync(`${probe}.b`, { force: true })
    }
  }

  close(): void {}
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function linkCreateOnly(tmp: string, target: string): CreateOnlyResult {
  try {
    fs.linkSync(tmp, target)
    return 'created'
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'exists'
    throw error
  }
}

async function acquireLock(lock: string, done: () => boolean, signal?: AbortSignal): Promise<void> {
  const owner = JSON.stringify({ pid: process.pid, host: os.hostname(), at: Date.now() })
  for (;;) {
    throwIfAborted(signal)
    try {
      fs.writeFileSync(lock, owner, { flag: 'wx' })
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    if (done()) return
    try {
      const held = JSON.parse(fs.readFileSync(lock, 'utf8')) as { pid: number; host: string }
      const stale =
        (held.host === os.hostname() && !processAlive(held.pid)) ||
        Date.now() - fs.statSync(lock).mtimeMs > STALE_LOCK_MS
      if (stale) {
        fs.rmSync(lock, { force: true })
        continue
      }
    } catch {
      // Half-written or just released: look again.
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export async function hashFileSha256(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer)
    size += (chunk as Buffer).length
  }
  return { sha256: hash.digest('hex'), size }
}

/**
 * Streams bytes to a temporary file next to `dest` while hashing them, and renames it to `dest`
 * only when the SHA-256 (and the expected size, when given) match.
 */
export async function writeVerified(
  body: NodeJS.ReadableStream,
  sha256: string,
  total: number,
  dest: string,
  options: TransferOptions & { size?: number },
): Promise<{ size: number }> {
  fs.mkdirSync(path.dirname(dest), { recursive: true })
  const tmp = `${dest}.${process.pid}.${randomBytes(6).toString('hex')}.part`
  const hash = createHash('sha256')
  let size = 0
  const meter = new ProgressMeter(total, 0, options.onProgress)
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk)
      size += chunk.length
      meter.report(size)
      cb(null, chunk)
    },
  })
  try {
    await pipeline(body, tap, fs.createWriteStream(tmp, { flags: 'wx' }), {
      signal: options.signal,
    }).catch((error: unknown) => {
      if (options.signal?.aborted) throw new StoreError('Cancelled')
      throw error
    })
    const actual = hash.digest('hex')
    if (actual !== sha256 || (options.size !== undefined && options.size !== size))
      throw new BlobMismatchError(sha256, actual, size)
    const fd = fs.openSync(tmp, 'r+')
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, dest)
    meter.report(size, true)
    return { size }
  } finally {
    fs.rmSync(tmp, { force: true })
  }
}
