// The one interface the shared store's sync logic talks to, whatever holds the bytes (a folder,
// an S3-compatible bucket). Every object is write-once: nothing here overwrites or deletes.

/** Progress of a blob transfer, with a rate and an estimate, for the CLI and the UI. */
export interface TransferProgress {
  /** Bytes of this blob now in place at the destination (including what a resume skipped). */
  done: number
  total: number
  bytesPerSecond: number
  /** Seconds left at the current rate; null until a rate is known. */
  etaSeconds: number | null
}

export interface TransferOptions {
  onProgress?: (progress: TransferProgress) => void
  signal?: AbortSignal
}

export interface BlobPutResult {
  /** False when the store already had these bytes (nothing was sent). */
  created: boolean
  /** Bytes sent by this call (less than the size when an interrupted upload was resumed). */
  bytesUploaded: number
}

export interface ListPage {
  keys: string[]
  /** Pass as `startAfter` to read on; absent on the last page. */
  next?: string
}

export type CreateOnlyResult = 'created' | 'exists'

export interface RemoteStore {
  /** Where it is, for messages: a folder path or `s3://bucket/prefix`. */
  readonly location: string
  /** Requests (or file-system calls on a folder) made so far, for benchmarks and tests. */
  readonly requestCount: number
  /** The object's bytes, or null when there is no such key. */
  get(key: string): Promise<Buffer | null>
  /** Writes the object only if no object has this key; never overwrites. */
  putCreateOnly(key: string, body: Buffer): Promise<CreateOnlyResult>
  /**
   * One page of keys under `prefix`, in byte order, strictly after `startAfter` when given (a
   * cursor kept from an earlier read, so incremental reads cost what is new).
   */
  list(prefix: string, options?: { startAfter?: string; limit?: number }): Promise<ListPage>
  /** The immediate "sub-folders" under `prefix` (S3 common prefixes), each ending in '/'. */
  listPrefixes(prefix: string): Promise<string[]>
  /** Size of a blob in the store, or null when it is absent (a partial upload is absent). */
  blobSize(sha256: string): Promise<number | null>
  /** Uploads a local file as the blob with this SHA-256, resuming an interrupted upload. */
  putBlob(sha256: string, file: string, options?: TransferOptions): Promise<BlobPutResult>
  /**
   * Downloads a blob to `dest`, checking its SHA-256 and size before `dest` appears: on a
   * mismatch nothing is written and a BlobMismatchError is thrown.
   */
  getBlob(
    sha256: string,
    dest: string,
    options?: TransferOptions & { size?: number },
  ): Promise<{ size: number }>
  /** Throws a StoreError saying why when the store cannot do create-only writes. */
  checkCreateOnly(): Promise<void>
  close(): void
}

export class StoreError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StoreError'
  }
}

export class BlobMismatchError extends StoreError {
  constructor(
    readonly sha256: string,
    readonly actualSha256: string,
    readonly actualSize: number,
  ) {
    super(
      `blob ${sha256.slice(0, 12)} in the store does not match its name ` +
        `(its bytes hash to ${actualSha256.slice(0, 12)}, ${actualSize} bytes)`,
    )
    this.name = 'BlobMismatchError'
  }
}

/** Keys are relative, '/'-separated, made of a safe alphabet: no '..', no leading '/'. */
export function assertKey(key: string): void {
  if (!/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/.test(key) || key.includes('..'))
    throw new StoreError(`Not a store key: ${JSON.stringify(key)}`)
}

export function assertPrefix(prefix: string): void {
  if (prefix === '') return
  assertKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix)
}

export function blobKey(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new StoreError(`Not a sha256: ${sha256}`)
  return `blobs/${sha256.slice(0, 2)}/${sha256}`
}

/** Tracks bytes over time for a TransferProgress. */
export class ProgressMeter {
  private readonly started = Date.now()
  private lastEmit = 0
  constructor(
    private readonly total: number,
    private readonly skipped: number,
    private readonly onProgress?: (progress: TransferProgress) => void,
  ) {}

  report(done: number, force = false): void {
    if (!this.onProgress) return
    const now = Date.now()
    if (!force && now - this.lastEmit < 100 && done < this.total) return
    this.lastEmit = now
    const seconds = (now - this.started) / 1000
    const moved = done - this.skipped
    const bytesPerSecond = seconds > 0 ? moved / seconds : 0
    const etaSeconds = bytesPerSecond > 0 ? (this.total - done) / bytesPerSecond : null
    this.onProgress({ done, total: this.total, bytesPerSecond, etaSeconds })
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new StoreError('Cancelled')
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order of the results. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length)
  // One iterator shared by every worker: each takes the next item not yet taken.
  const queue = items.entries()
  const worker = async (): Promise<void> => {
    for (const [i, item] of queue) results[i] = await fn(item)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
