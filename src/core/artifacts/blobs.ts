// Content-addressed blob store: sha256-named files, written to a temporary name, flushed,
// then renamed, so a crash never leaves a half file under a real name.
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { SlipwayError } from '../../api/errors'

export interface StoredBlob {
  sha256: string
  size: number
  path: string
  /** False when a blob with these bytes was already in the store. */
  created: boolean
}

/** Bytes copied and hashed under a temporary name, not yet in the store (see BlobStore.stage). */
export interface StagedBlob {
  sha256: string
  size: number
  tmp: string
}

export interface HashedFile {
  sha256: string
  size: number
}

export const isSha256 = (value: string): boolean => /^[0-9a-f]{64}$/.test(value)

/** Bytes read per call while hashing: few calls, and a buffer that stays in cache. */
const HASH_CHUNK = 4 << 20

/**
 * The sha256 and size of a file. Read in large chunks into one buffer (about twice as fast as a
 * stream on a 300 MB file); the hash itself runs here, a few milliseconds per chunk.
 */
export async function hashFile(
  file: string,
  onBytes?: (bytes: number) => void,
): Promise<HashedFile> {
  const hash = createHash('sha256')
  const handle = await fs.promises.open(file, 'r')
  try {
    // A small file (a model) gets a buffer its size; a pipe (size 0) or a large file the chunk.
    const known = (await handle.stat()).size
    const buffer = Buffer.allocUnsafe(known > 0 && known < HASH_CHUNK ? known + 1 : HASH_CHUNK)
    let size = 0
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) break
      hash.update(buffer.subarray(0, bytesRead))
      size += bytesRead
      onBytes?.(size)
    }
    return { sha256: hash.digest('hex'), size }
  } finally {
    await handle.close()
  }
}

/**
 * Copies `source` to the new file `target`. A regular file is copied by the kernel
 * (copy_file_range: no bytes through this process); anything else (a pipe, a process
 * substitution, a device) has no size to copy up to and is streamed. When a file's copy fails,
 * it is read once, so a file that cannot be read fails with its own error, naming it.
 */
async function copyInto(source: string, target: string): Promise<void> {
  // A source that does not exist fails here, with its own error naming it.
  const regular = (await fs.promises.stat(source)).isFile()
  try {
    if (regular) await fs.promises.copyFile(source, target, fs.constants.COPYFILE_EXCL)
    else
      await pipeline(
        fs.createReadStream(source, { highWaterMark: 1 << 20 }),
        fs.createWriteStream(target, { flags: 'wx' }),
      )
  } catch (error) {
    if (!regular) throw error
    const handle = await fs.promises.open(source, 'r')
    try {
      await handle.read(Buffer.alloc(1), 0, 1, 0)
    } finally {
      await handle.close()
    }
    throw error
  }
}

export class BlobStore {
  readonly root: string
  private readonly tmpDir: string

  constructor(root: string) {
    this.root = root
    this.tmpDir = path.join(root, 'tmp')
    fs.mkdirSync(this.tmpDir, { recursive: true })
  }

  pathFor(sha256: string): string {
    if (!isSha256(sha256)) throw new Error(`Not a sha256: ${sha256}`)
    return path.join(this.root, sha256.slice(0, 2), sha256)
  }

  has(sha256: string): boolean {
    return fs.existsSync(this.pathFor(sha256))
  }

  /**
   * Copies a file into the store while hashing it. When `expectedSha256` is given and the bytes
   * differ (the file changed under us), nothing is stored and an error is thrown. Callers that
   * must lease the bytes first use `stage` and `commit` (see leases.ts).
   */
  async putFile(source: string, expectedSha256?: string): Promise<StoredBlob> {
    return this.commit(await this.stage(source, expectedSha256))
  }

  /**
   * Copies a file to a temporary name in the store (in the kernel: copy_file_range, no bytes
   * through this process), hashes the copy — the bytes stored, whatever the source does
   * meanwhile — and flushes it; nothing is under a real name yet. A crash leaves only the
   * temporary file, which the start-up sweep removes once its writer is gone. Follow with
   * `commit` or `discard`.
   */
  async stage(source: string, expectedSha256?: string): Promise<StagedBlob> {
    const tmp = path.join(
      this.tmpDir,
      `p${process.pid}-${Date.now()}-${randomBytes(8).toString('hex')}.part`,
    )
    try {
      await copyInto(source, tmp)
      const { sha256, size } = await hashFile(tmp)
      if (expectedSha256 && expectedSha256 !== sha256) {
        throw new Error(`${path.basename(source)} changed while it was being stored`)
      }
      const fd = fs.openSync(tmp, 'r+')
      try {
        fs.fsyncSync(fd)
      } finally {
        fs.closeSync(fd)
      }
      return { sha256, size, tmp }
    } catch (error) {
      fs.rmSync(tmp, { force: true })
      throw error
    }
  }

  /** Puts staged bytes under their real name (or drops them when the store has them already). */
  commit(staged: StagedBlob): StoredBlob {
    const { sha256, size, tmp } = staged
    try {
      const target = this.pathFor(sha256)
      if (fs.existsSync(target)) {
        fs.rmSync(tmp, { force: true })
        return { sha256, size, path: target, created: false }
      }
      fs.mkdirSync(path.dirname(target), { recursive: true })
      fs.renameSync(tmp, target)
      return { sha256, size, path: target, created: true }
    } catch (error) {
      fs.rmSync(tmp, { force: true })
      throw error
    }
  }

  /** Drops staged bytes that will not be committed. */
  discard(staged: StagedBlob): void {
    fs.rmSync(staged.tmp, { force: true })
  }

  /** Every blob under its real name: its hash, path and last-modified time. */
  list(): { sha256: string; path: string; mtimeMs: number }[] {
    const found: { sha256: string; path: string; mtimeMs: number }[] = []
    for (const dir of fs.readdirSync(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue
      const folder = path.join(this.root, dir)
      let names: string[]
      try {
        names = fs.readdirSync(folder)
      } catch {
        continue // not a folder, or removed meanwhile
      }
      for (const name of names) {
        if (!isSha256(name) || !name.startsWith(dir)) continue
        const file = path.join(folder, name)
        try {
          const stat = fs.statSync(file)
          if (stat.isFile()) found.push({ sha256: name, path: file, mtimeMs: stat.mtimeMs })
        } catch {
          // removed meanwhile
        }
      }
    }
    return found
  }

  /** Removes a blob this call created, used to undo a write whose database transaction failed. */
  remove(sha256: string): void {
    fs.rmSync(this.pathFor(sha256), { force: true })
  }

  /**
   * Temporary files left by a crash; removed at start-up. Another process on the same home (the
   * window, web mode, a CLI command) may be writing one right now, so a file whose writer is
   * still alive is kept unless it is older than a day.
   */
  sweepTemporary(now = Date.now()): number {
    let removed = 0
    for (const name of fs.readdirSync(this.tmpDir)) {
      if (!name.endsWith('.part')) continue
      const file = path.join(this.tmpDir, name)
      try {
        if (!abandonedTemp(file, name, now)) continue
        fs.rmSync(file, { force: true })
        removed++
      } catch {
        // Its writer renamed or removed it meanwhile.
      }
    }
    return removed
  }
}

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * A temporary file named `p<pid>-…` that a crash left: its writer is gone, or it is older than a
 * day (a file naming no writer counts as left too). One that a live process is writing is not.
 */
export function abandonedTemp(file: string, name: string, now = Date.now()): boolean {
  const writer = /^p(\d+)-/.exec(name)
  return !writer || !processAlive(Number(writer[1])) || now - fs.statSync(file).mtimeMs >= DAY_MS
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * The hash a file must have when it is a blob of a store (`…/blobs/ab/ab…` named by its SHA-256),
 * else null: data and models are read straight from the store for runs, and checked as they are.
 */
export function blobHashOf(file: string): string | null {
  const name = path.basename(file)
  const dir = path.dirname(file)
  if (!isSha256(name) || path.basename(dir) !== name.slice(0, 2)) return null
  return path.basename(path.dirname(dir)) === 'blobs' ? name : null
}

/** The INTEGRITY refusal for stored bytes that no longer match their hash; names `what`. */
export const integrityError = (what: string, expected: string, found: string): SlipwayError =>
  new SlipwayError(
    'INTEGRITY',
    `${what}: the stored file does not match its recorded SHA-256 (expected ${expected.slice(0, 12)}…, found ${found.slice(0, 12)}…); it was changed or damaged on disk, so nothing was run. \`slipway doctor\` checks the whole store.`,
  )

/** Reads a blob's bytes, checking their hash as they are read (a model given to ONNX Runtime). */
export async function readVerified(file: string, what: string): Promise<Buffer> {
  const bytes = await fs.promises.readFile(file)
  const expected = blobHashOf(file)
  if (expected) {
    const found = createHash('sha256').update(bytes).digest('hex')
    if (found !== expected) throw integrityError(what, expected, found)
  }
  return bytes
}

/** Checks a stored file's hash (a dataset before a run reads it); other files pass unchecked. */
export async function verifyBlobFile(file: string, what: string): Promise<void> {
  const expected = blobHashOf(file)
  if (!expected) return
  const { sha256 } = await hashFile(file)
  if (sha256 !== expected) throw integrityError(what, expected, sha256)
}
