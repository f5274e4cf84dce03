// The shared store in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2...). Create-only writes
// use `If-None-Match: *`; model files go up in parallel multipart parts that a later push resumes.
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3'
import { writeVerified } from './folder-store'
import {
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

export interface S3Location {
  bucket: string
  prefix: string
}

export interface S3StoreOptions {
  endpoint?: string
  region?: string
  /** Folder where interrupted multipart uploads are remembered, so the next push resumes them. */
  resumeDir?: string
  partSize?: number
  concurrency?: number
}

// The SDK is pinned (STACK.md) on purpose: its notice that later releases need Node 22 would
// otherwise print on every command that opens an S3 store.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const SINGLE_PUT_LIMIT = 16 * 1024 * 1024
const DEFAULT_PART_SIZE = 16 * 1024 * 1024

export function parseS3Location(location: string): S3Location | null {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(location)
  if (!match) return null
  const bucket = match[1] ?? ''
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new StoreError(
      `Not an S3 bucket name: ${JSON.stringify(bucket)} (3-63 lowercase letters, digits, dots, hyphens)`,
    )
  const prefix = (match[2] ?? '').replace(/\/+$/, '')
  if (prefix) assertPrefix(prefix)
  return { bucket, prefix }
}

interface S3ErrorLike {
  name?: string
  Code?: string
  message?: string
  $metadata?: { httpStatusCode?: number }
}

function status(error: unknown): number | undefined {
  return (error as S3ErrorLike).$metadata?.httpStatusCode
}

function isNotFound(error: unknown): boolean {
  const e = error as S3ErrorLike
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || status(error) === 404
}

function isPreconditionFailed(error: unknown): boolean {
  const e = error as S3ErrorLike
  return e.name === 'PreconditionFailed' || status(error) === 412
}

/** Real S3 answers 409 while another conditional write to the same key is in flight. */
function isConditionalConflict(error: unknown): boolean {
  return (error as S3ErrorLike).name === 'ConditionalRequestConflict' || status(error) === 409
}

function describe(error: unknown): string {
  const e = error as S3ErrorLike
  const code = status(error)
  return `${e.name ?? 'Error'}${code ? ` (HTTP ${code})` : ''}: ${e.message ?? String(error)}`
}

export class S3Store implements RemoteStore {
  readonly location: string
  readonly client: S3Client
  private readonly bucket: string
  private readonly prefix: string
  private requests = 0

  constructor(
    location: S3Location,
    private readonly options: S3StoreOptions = {},
  ) {
    this.bucket = location.bucket
    this.prefix = location.prefix ? location.prefix + '/' : ''
    this.location = `s3://${location.bucket}${location.prefix ? '/' + location.prefix : ''}`
    this.client = new S3Client(s3ClientConfig(options))
    this.client.middlewareStack.add(
      (next) => async (args) => {
        this.requests++
        return next(args)
      },
      { step: 'finalizeRequest', name: 'slipwayRequestCount' },
    )
  }

  get requestCount(): number {
    return this.requests
  }

  private key(key: string): string {
    assertKey(key)
    return this.prefix + key
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }),
      )
      if (!out.Body)
        throw new StoreError(`${this.location}: reading ${key} failed: the reply has no body`)
      return Buffer.from(await out.Body.transformToByteArray())
    } catch (error) {
      if (isNotFound(error)) return null
      throw this.wrap(error, `reading ${key}`)
    }
  }

  async putCreateOnly(key: string, body: Buffer): Promise<CreateOnlyResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.key(key),
            Body: body,
            ContentLength: body.length,
            IfNoneMatch: '*',
          }),
        )
        return 'created'
      } catch (error) {
        if (isPreconditionFailed(error)) return 'exists'
        if (isConditionalConflict(error) && attempt < 5) {
          await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)))
          continue
        }
        throw this.wrap(error, `writing ${key}`)
      }
    }
  }

  async list(
    prefix: string,
    options: { startAfter?: string; limit?: number } = {},
  ): Promise<ListPage> {
    assertPrefix(prefix)
    try {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          StartAfter:
            options.startAfter !== undefined ? this.prefix + options.startAfter : undefined,
          MaxKeys: options.limit ?? 1000,
        }),
      )
      const keys = (out.Contents ?? [])
        .map((object) => (object.Key ?? '').slice(this.prefix.length))
        .filter((key) => key.length > 0)
      return out.IsTruncated && keys.length > 0 ? { keys, next: keys[keys.length - 1] } : { keys }
    } catch (error) {
      throw this.wrap(error, `listing ${prefix || 'the store'}`)
    }
  }

  async listPrefixes(prefix: string): Promise<string[]> {
    assertPrefix(prefix)
    if (prefix && !prefix.endsWith('/'))
      throw new StoreError(`A prefix to list folders under ends with '/': ${prefix}`)
    const found: string[] = []
    let token: string | undefined
    try {
      do {
        const out = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix + prefix,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        )
        for (const p of out.CommonPrefixes ?? [])
          if (p.Prefix) found.push(p.Prefix.slice(this.prefix.length))
        token = out.IsTruncated ? out.NextContinuationToken : undefined
      } while (token)
    } catch (error) {
      throw this.wrap(error, `listing ${prefix || 'the store'}`)
    }
    return found.sort()
  }

  async blobSize(sha256: string): Promise<number | null> {
    try {
      const out = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(blobKey(sha256)) }),
      )
      return out.ContentLength ?? 0
    } catch (error) {
      if (isNotFound(error)) return null
      throw this.wrap(error, `looking for blob ${sha256.slice(0, 12)}`)
    }
  }

  async putBlob(
    sha256: string,
    file: string,
    options: TransferOptions = {},
  ): Promise<BlobPutResult> {
    if ((await this.blobSize(sha256)) !== null) return { created: false, bytesUploaded: 0 }
    const total = fs.statSync(file).size
    const key = this.key(blobKey(sha256))
    if (total <= SINGLE_PUT_LIMIT) {
      const body = fs.readFileSync(file)
      if (createHash('sha256').update(body).digest('hex') !== sha256)
        throw new StoreError(
          `${path.basename(file)} changed: its bytes no longer hash to ${sha256.slice(0, 12)}`,
        )
      throwIfAborted(options.signal)
      const result = await this.putCreateOnlyRaw(key, body, options.signal)
      new ProgressMeter(total, 0, options.onProgress).report(total, true)
      return { created: result === 'created', bytesUploaded: result === 'created' ? total : 0 }
    }
    return this.putMultipart(sha256, key, file, total, options)
  }

  private async putCreateOnlyRaw(
    key: string,
    body: Buffer,
    signal?: AbortSignal,
  ): Promise<CreateOnlyResult> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: body.length,
          IfNoneMatch: '*',
        }),
        { abortSignal: signal },
      )
      return 'created'
    } catch (error) {
      if (isPreconditionFailed(error)) return 'exists'
      if (signal?.aborted) throw new StoreError('Cancelled')
      throw this.wrap(error, `uploading ${key}`)
    }
  }

  private resumeFile(sha256: string): string | null {
    if (!this.options.resumeDir) return null
    const where = createHash('sha256').update(this.location).digest('hex').slice(0, 16)
    return path.join(this.options.resumeDir, `${where}-${sha256}.json`)
  }

  private async putMultipart(
    sha256: string,
    key: string,
    file: string,
    total: number,
    options: TransferOptions,
  ): Promise<BlobPutResult> {
    const partSize = Math.max(this.options.partSize ?? DEFAULT_PART_SIZE, Math.ceil(total / 9000))
    const partCount = Math.ceil(total / partSize)
    const resumeFile = this.resumeFile(sha256)
    // Parts an interrupted push of these bytes already sent, remembered locally as each one
    // lands (many S3-compatible servers have no ListParts): reused only when the recorded ETag
    // (the MD5 of the part) matches our bytes.
    let uploadId: string | undefined
    let existing: Record<string, string> = {}
    if (resumeFile && fs.existsSync(resumeFile)) {
      try {
        const saved = JSON.parse(fs.readFileSync(resumeFile, 'utf8')) as {
          uploadId: string
          partSize: number
          parts: Record<string, string>
        }
        if (saved.partSize === partSize && typeof saved.uploadId === 'string') {
          uploadId = saved.uploadId
          existing = saved.parts ?? {}
        }
      } catch {
        uploadId = undefined
      }
    }
    const remember = (): void => {
      if (!resumeFile) return
      fs.mkdirSync(path.dirname(resumeFile), { recursive: true })
      const tmp = `${resumeFile}.${process.pid}.tmp`
      fs.writeFileSync(tmp, JSON.stringify({ uploadId, partSize, parts: existing }))
      fs.renameSync(tmp, resumeFile)
    }
    if (!uploadId) {
      const out = await this.client
        .send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }))
        .catch((error: unknown) => {
          throw this.wrap(error, `starting the upload of ${path.basename(file)}`)
        })
      if (!out.UploadId)
        throw new StoreError(
          `${this.location}: starting the upload of ${path.basename(file)} failed: no upload id`,
        )
      uploadId = out.UploadId
      existing = {}
      remember()
    }

    const fd = fs.openSync(file, 'r')
    const hash = createHash('sha256')
    const etags: string[] = new Array(partCount)
    let done = 0
    let sent = 0
    const meter = new ProgressMeter(total, 0, options.onProgress)
    try {
      // Parts are read in order (so the SHA-256 of the whole file is computed on the way) and sent
      // `concurrency` at a time.
      const concurrency = this.options.concurrency ?? 4
      const inFlight = new Set<Promise<void>>()
      let failure: unknown
      for (let n = 1; n <= partCount; n++) {
        throwIfAborted(options.signal)
        if (failure) break
        const size = Math.min(partSize, total - (n - 1) * partSize)
        const body = Buffer.allocUnsafe(size)
        let read = 0
        while (read < size) {
          const got = fs.readSync(fd, body, read, size - read, (n - 1) * partSize + read)
          if (got === 0)
            throw new StoreError(`${path.basename(file)} changed while it was being uploaded`)
          read += got
        }
        hash.update(body)
        // MD5 only to match a part an interrupted push already sent (its ETag).
        const earlier = existing[n]
        if (earlier !== undefined && createHash('md5').update(body).digest('hex') === earlier) {
          etags[n - 1] = earlier
          done += size
          meter.report(done)
          continue
        }
        const task = this.client
          .send(
            new UploadPartCommand({
              Bucket: this.bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: n,
              Body: body,
              ContentLength: size,
            }),
            { abortSignal: options.signal },
          )
          .then((out) => {
            if (!out.ETag)
              throw new StoreError(`the store gave part ${n} of ${path.basename(file)} no ETag`)
            const etag = out.ETag.replace(/"/g, '')
            etags[n - 1] = etag
            existing[n] = etag
            remember()
            done += size
            sent += size
            meter.report(done)
          })
          .catch((error: unknown) => {
            failure ??= error
          })
          .finally(() => inFlight.delete(task))
        inFlight.add(task)
        if (inFlight.size >= concurrency) await Promise.race(inFlight)
      }
      await Promise.all(inFlight)
      if (failure) {
        if (options.signal?.aborted) throw new StoreError('Cancelled')
        throw this.wrap(failure, `uploading ${path.basename(file)}`)
      }
      throwIfAborted(options.signal)
      if (hash.digest('hex') !== sha256)
        throw new StoreError(
          `${path.basename(file)} changed: its bytes no longer hash to ${sha256.slice(0, 12)}`,
        )
      let created = true
      try {
        await this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            IfNoneMatch: '*',
            MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
          }),
        )
      } catch (error) {
        if (isPreconditionFailed(error)) created = false
        else {
          // An upload the server no longer knows (expired, aborted): start again next time.
          if ((error as S3ErrorLike).name === 'NoSuchUpload' && resumeFile)
            fs.rmSync(resumeFile, { force: true })
          throw this.wrap(error, `finishing the upload of ${path.basename(file)}`)
        }
      }
      if (resumeFile) fs.rmSync(resumeFile, { force: true })
      meter.report(total, true)
      return { created, bytesUploaded: sent }
    } finally {
      fs.closeSync(fd)
    }
  }

  async getBlob(
    sha256: string,
    dest: string,
    options: TransferOptions & { size?: number } = {},
  ): Promise<{ size: number }> {
    let out
    try {
      out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key(blobKey(sha256)) }),
        { abortSignal: options.signal },
      )
    } catch (error) {
      if (isNotFound(error))
        throw new StoreError(`blob ${sha256.slice(0, 12)} is missing from the store`)
      if (options.signal?.aborted) throw new StoreError('Cancelled')
      throw this.wrap(error, `downloading blob ${sha256.slice(0, 12)}`)
    }
    return writeVerified(
      out.Body as Readable,
      sha256,
      out.ContentLength ?? options.size ?? 0,
      dest,
      options,
    )
  }

  async checkCreateOnly(): Promise<void> {
    const probe = `probes/${Date.now()}-${randomBytes(8).toString('hex')}`
    let first: CreateOnlyResult
    try {
      first = await this.putCreateOnly(probe, Buffer.from('first'))
    } catch (error) {
      throw new StoreError(`Cannot write to ${this.location}: ${(error as Error).message}`)
    }
    const second = await this.putCreateOnly(probe, Buffer.from('second'))
    const kept = (await this.get(probe))?.toString()
    if (first !== 'created' || second !== 'exists' || kept !== 'first')
      throw new StoreError(
        `The endpoint for ${this.location} does not honour conditional writes: a PUT with ` +
          "'If-None-Match: *' on an existing object " +
          (second === 'created' ? 'overwrote it' : 'was not refused') +
          '. Without them two laptops publishing at once could overwrite each other, so ' +
          'Slipway refuses this store. Use a server that supports them (AWS S3, recent MinIO, R2, Ceph RGW 19+).',
      )
  }

  private wrap(error: unknown, doing: string): StoreError {
    if (error instanceof StoreError) return error
    return new StoreError(`${this.location}: ${doing} failed: ${describe(error)}`)
  }

  close(): void {
    this.client.destroy()
  }
}

export function s3ClientConfig(options: { endpoint?: string; region?: string }): S3ClientConfig {
  return {
    region:
      options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    // Many S3-compatible servers store aws-chunked framing as object bytes when the SDK's default
    // checksums are on: send and check checksums only where the operation requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 10_000, socketTimeout: 120_000 },
  }
}
