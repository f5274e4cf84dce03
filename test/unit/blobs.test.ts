// The content-addressed blob store and the upload area.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { BlobStore, hashFile } from '../../src/core/artifacts/blobs'
import { UploadStore, consumedUploadError, safeFileName } from '../../src/core/artifacts/uploads'
import { tempHome } from '../helpers/home'

const homes: (() => void)[] = []
afterEach(() => homes.splice(0).forEach((c) => c()))
const home = (): string => {
  const h = tempHome()
  homes.push(h.cleanup)
  return h.dir
}

describe('BlobStore', () => {
  it('stores bytes under their sha256 and deduplicates', async () => {
    const dir = home()
    const src = path.join(dir, 'model.onnx')
    const bytes = Buffer.from('some model bytes '.repeat(100_000))
    fs.writeFileSync(src, bytes)
    const store = new BlobStore(path.join(dir, 'blobs'))
    const first = await store.putFile(src)
    const expected = createHash('sha256').update(bytes).digest('hex')
    expect(first).toMatchObject({ sha256: expected, size: bytes.length, created: true })
    expect(fs.readFileSync(store.pathFor(expected)).equals(bytes)).toBe(true)
    const second = await store.putFile(src)
    expect(second).toMatchObject({ sha256: expected, size: bytes.length, created: false })
    expect(fs.readdirSync(path.join(dir, 'blobs', 'tmp'))).toEqual([])
    expect(await hashFile(src)).toEqual({ sha256: expected, size: bytes.length })
  })

  it('leaves nothing behind when the expected hash does not match', async () => {
    const dir = home()
    const src = path.join(dir, 'x.bin')
    fs.writeFileSync(src, 'abc')
    const store = new BlobStore(path.join(dir, 'blobs'))
    await expect(store.putFile(src, '0'.repeat(64))).rejects.toThrow(
      /changed while it was being stored/,
    )
    const files = fs
      .readdirSync(path.join(dir, 'blobs'), { recursive: true })
      .filter((f) => !String(f).startsWith('tmp'))
    expect(files).toEqual([])
    expect(fs.readdirSync(path.join(dir, 'blobs', 'tmp'))).toEqual([])
  })

  it('sweeps temporary files a crash left behind', () => {
    const dir = home()
    const store = new BlobStore(path.join(dir, 'blobs'))
    fs.writeFileSync(path.join(dir, 'blobs', 'tmp', '123-abc.part'), 'half')
    expect(store.sweepTemporary()).toBe(1)
    expect(fs.readdirSync(path.join(dir, 'blobs', 'tmp'))).toEqual([])
  })

  it('refuses a name that is not a sha256, so no path can escape the store', () => {
    const store = new BlobStore(path.join(home(), 'blobs'))
    expect(() => store.pathFor('../../etc/passwd')).toThrow(/Not a sha256/)
  })
})

describe('UploadStore', () => {
  it('keeps an upload under a random id with its display name only', async () => {
    const uploads = new UploadStore(path.join(home(), 'uploads'))
    const up = await uploads.create(
      Readable.from([Buffer.from('hello')]),
      '../../evil\u001b[31m.onnx',
    )
    expect(up.fileName).toBe('evil[31m.onnx')
    expect(path.basename(up.path)).toBe(`${up.uploadId}.bin`)
    expect(uploads.get(up.uploadId).size).toBe(5)
    expect(fs.readFileSync(up.path, 'utf8')).toBe('hello')
    uploads.remove(up.uploadId)
    expect(() => uploads.get(up.uploadId)).toThrow(/gone/)
    expect(() => uploads.get('../../x')).toThrow(/Unknown upload/)
  })

  it('refuses an upload over the size limit and keeps nothing', async () => {
    const dir = path.join(home(), 'uploads')
    const uploads = new UploadStore(dir)
    await expect(
      uploads.create(Readable.from([Buffer.alloc(1000), Buffer.alloc(1000)]), 'big.onnx', 1500),
    ).rejects.toThrow(/larger than/)
    expect(fs.readdirSync(dir)).toEqual([])
  })

  it('explains a missing upload as consumed by another call, and nothing else', async () => {
    const dir = path.join(home(), 'uploads')
    const uploads = new UploadStore(dir)
    const upload = await uploads.create(Readable.from([Buffer.from('x')]), 'model.onnx')
    uploads.remove(upload.uploadId)
    // The real error a reader gets once the upload is gone.
    let gone: unknown
    try {
      fs.readFileSync(upload.path)
    } catch (error) {
      gone = error
    }
    expect(consumedUploadError(upload, gone)).toMatchObject({
      code: 'NOT_FOUND',
      message: 'model.onnx: the uploaded file is gone (another call used it); upload it again',
    })
    // A path on disk that is missing, or another error, stays as it is.
    expect(consumedUploadError({ fileName: 'model.onnx' }, gone)).toBe(gone)
    const other = new Error('EACCES: permission denied')
    expect(consumedUploadError(upload, other)).toBe(other)
  })

  it('sanitises display names', () => {
    expect(safeFileName('C:\\Users\\a\\model.onnx')).toBe('model.onnx')
    expect(safeFileName('')).toBe('unnamed')
    expect(safeFileName('x'.repeat(400))).toHaveLength(255)
  })
})
