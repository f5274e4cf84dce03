// Opens the store a remote's location names: `s3://bucket/prefix`, else a folder path.
import path from 'node:path'
import { FolderStore } from './folder-store'
import { S3Store, parseS3Location } from './s3-store'
import { StoreError, type RemoteStore } from './store'

export interface RemoteLocationOptions {
  endpoint?: string | null
  region?: string | null
  /** Where interrupted uploads are remembered for resuming (the home's sync folder). */
  resumeDir?: string
}

export function isS3Location(location: string): boolean {
  return /^s3:\/\//i.test(location)
}

export function openRemoteStore(
  location: string,
  options: RemoteLocationOptions = {},
): RemoteStore {
  if (isS3Location(location)) {
    const parsed = parseS3Location(location)
    if (!parsed)
      throw new StoreError(
        `Not an S3 location: ${JSON.stringify(location)} (use s3://bucket/prefix)`,
      )
    if (options.endpoint) {
      let url: URL
      try {
        url = new URL(options.endpoint)
      } catch {
        throw new StoreError(`--endpoint is not a URL: ${JSON.stringify(options.endpoint)}`)
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new StoreError(`--endpoint must be an http(s) URL, not ${url.protocol}`)
    }
    return new S3Store(parsed, {
      endpoint: options.endpoint ?? undefined,
      region: options.region ?? undefined,
      resumeDir: options.resumeDir,
    })
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location))
    throw new StoreError(
      `Unsupported store location ${JSON.stringify(location)}: use a folder path or s3://bucket/prefix`,
    )
  if (options.endpoint || options.region)
    throw new StoreError('--endpoint and --region apply to s3:// locations only')
  return new FolderStore(path.resolve(location))
}

/** Every key under a prefix after `startAfter`, page by page. */
export async function listAll(
  store: RemoteStore,
  prefix: string,
  startAfter?: string,
): Promise<string[]> {
  const keys: string[] = []
  let cursor = startAfter
  for (;;) {
    const page = await store.list(prefix, { startAfter: cursor })
    keys.push(...page.keys)
    if (!page.next) return keys
    cursor = page.next
  }
}
