// Test helpers for the shared store: a team of homes driven through the built CLI, and a handle
// on a store (a folder, or a prefix in s3rver) to copy it and tamper with it as an attacker with
// write access would.
import fs from 'node:fs'
import path from 'node:path'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { s3ClientConfig } from '../../src/core/sync/s3-store'
import type { TestS3Server } from './s3'

export interface StoreHandle {
  location: string
  /** Extra CLI arguments a remote of this store needs (the endpoint for s3rver). */
  args: string[]
  copy(name: string): Promise<StoreHandle>
  read(key: string): Promise<Buffer | null>
  /** Writes or overwrites an object, ignoring create-only: what an attacker would do. */
  overwrite(key: string, body: Buffer): Promise<void>
  remove(key: string): Promise<void>
  keys(prefix: string): Promise<string[]>
}

export function folderStore(dir: string): StoreHandle {
  return {
    location: dir,
    args: [],
    async copy(name) {
      const target = path.join(path.dirname(dir), name)
      fs.cpSync(dir, target, { recursive: true })
      return folderStore(target)
    },
    async read(key) {
      try {
        return fs.readFileSync(path.join(dir, key))
      } catch {
        return null
      }
    },
    async overwrite(key, body) {
      fs.mkdirSync(path.dirname(path.join(dir, key)), { recursive: true })
      fs.writeFileSync(path.join(dir, key), body)
    },
    async remove(key) {
      fs.rmSync(path.join(dir, key))
    },
    async keys(prefix) {
      const out: string[] = []
      const walk = (rel: string): void => {
        const abs = path.join(dir, rel)
        if (!fs.existsSync(abs)) return
        for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
          const r = rel ? `${rel}/${e.name}` : e.name
          if (e.name.startsWith('.')) continue
          if (e.isDirectory()) walk(r)
          else out.push(r)
        }
      }
      walk(prefix.replace(/\/$/, ''))
      return out.sort()
    },
  }
}

export function s3Store(server: TestS3Server, prefix: string): StoreHandle {
  const client = new S3Client(s3ClientConfig({ endpoint: server.endpoint }))
  const Bucket = server.bucket
  const handle: StoreHandle = {
    location: `s3://${Bucket}/${prefix}`,
    args: ['--endpoint', server.endpoint],
    async copy(name) {
      const target = s3Store(server, name)
      for (const key of await handle.keys('')) {
        const body = await handle.read(key)
        await target.overwrite(key, body!)
      }
      return target
    },
    async read(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket, Key: `${prefix}/${key}` }))
        return Buffer.from(await out.Body!.transformToByteArray())
      } catch {
        return null
      }
    },
    async overwrite(key, body) {
      await client.send(new PutObjectCommand({ Bucket, Key: `${prefix}/${key}`, Body: body }))
    },
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: `${prefix}/${key}` }))
    },
    async keys(sub) {
      const out: string[] = []
      let token: string | undefined
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket,
            Prefix: `${prefix}/${sub}`,
            ContinuationToken: token,
          }),
        )
        for (const o of page.Contents ?? []) out.push(o.Key!.slice(prefix.length + 1))
        token = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (token)
      return out.sort()
    },
  }
  return handle
}
