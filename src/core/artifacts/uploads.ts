// Files uploaded to web mode wait here under a random id until a call consumes them.
// The id is the only handle a page gets; the original name is kept as metadata only.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { SlipwayError } from '../../api/errors'

export interface Upload {
  uploadId: string
  fileName: string
  size: number
  path: string
}

const MAX_AGE_MS = 24 * 60 * 60 * 1000

/** A display name only: base name, no control characters, bounded length. */
export function safeFileName(name: string): string {
  const base = (name.split(/[\\/]/).at(-1) ?? '')
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
  return (base || 'unnamed').slice(0, 255)
}

/**
 * The error to give when a call failed while reading an uploaded file: if another call consumed
 * the same upload first (one dropped file sent twice), say so, rather than ENOENT with the upload
 * folder's absolute path. Any other error is returned as it is.
 */
export function consumedUploadError(
  file: { uploadId?: string; fileName: string },
  error: unknown,
): unknown {
  const missing =
    (error as NodeJS.ErrnoException | null)?.code === 'ENOENT' ||
    (error instanceof Error && /\bENOENT\b/.test(error.message))
  if (!file.uploadId || !missing) return error
  return new SlipwayError(
    'NOT_FOUND',
    `${file.fileName}: the uploaded file is gone (another call used it); upload it again`,
  )
}

export class UploadStore {
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true })
  }

  async create(body: Readable, fileName: string, maxBytes = 8 * 1024 ** 3): Promise<Upload> {
    const uploadId = randomBytes(16).toString('hex')
    const file = path.join(this.dir, `${uploadId}.bin`)
    let size = 0
    body.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes)
        body.destroy(
          new SlipwayError(
            'INVALID_INPUT',
            `${safeFileName(fileName)} is larger than ${maxBytes} bytes`,
          ),
        )
    })
    const out = fs.createWriteStream(file, { flags: 'wx' })
    try {
      await pipeline(body, out)
    } catch (error) {
      // The file opens asynchronously: a body that fails early can beat the open, and removing
      // the file before the stream has closed would leave it behind once the open lands.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()))
      fs.rmSync(file, { force: true })
      throw error
    }
    const upload: Upload = { uploadId, fileName: safeFileName(fileName), size, path: file }
    fs.writeFileSync(
      path.join(this.dir, `${uploadId}.json`),
      JSON.stringify({ fileName: upload.fileName, size }),
    )
    return upload
  }

  get(uploadId: string): Upload {
    if (!/^[0-9a-f]{32}$/.test(uploadId)) throw new SlipwayError('NOT_FOUND', 'Unknown upload')
    const file = path.join(this.dir, `${uploadId}.bin`)
    const meta = path.join(this.dir, `${uploadId}.json`)
    if (!fs.existsSync(file) || !fs.existsSync(meta)) {
      throw new SlipwayError(
        'NOT_FOUND',
        'The uploaded file is gone (uploads are kept for 24 hours); upload it again',
      )
    }
    const { fileName, size } = JSON.parse(fs.readFileSync(meta, 'utf8')) as {
      fileName: string
      size: number
    }
    return { uploadId, fileName, size, path: file }
  }

  remove(uploadId: string): void {
    fs.rmSync(path.join(this.dir, `${uploadId}.bin`), { force: true })
    fs.rmSync(path.join(this.dir, `${uploadId}.json`), { force: true })
  }

  sweep(now = Date.now()): void {
    for (const name of fs.readdirSync(this.dir)) {
      const file = path.join(this.dir, name)
      try {
        if (now - fs.statSync(file).mtimeMs > MAX_AGE_MS) fs.rmSync(file, { force: true })
      } catch {
        // Another process removed it first.
      }
    }
  }
}
