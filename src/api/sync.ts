// Shared-store calls: remotes, push, pull, sync with progress and cancel, rejected objects, the
// team numbers of versions, and the store-wide audit.
import { z } from 'zod'
import { ModelName, Timestamp, VersionRef } from './common'

export const RemoteName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'use letters, digits, ".", "_" or "-" (up to 64)')

const Fingerprint = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'a root fingerprint is 64 lowercase hex characters')

export const Remote = z.object({
  name: z.string(),
  location: z.string(),
  kind: z.enum(['folder', 's3']),
  endpoint: z.string().nullable(),
  region: z.string().nullable(),
  root: z.string(),
  addedAt: Timestamp,
  lastSyncAt: Timestamp.nullable(),
  rejected: z.number(),
})
export type Remote = z.infer<typeof Remote>

export const RejectedObject = z.object({ object: z.string(), reason: z.string() })
export type RejectedObject = z.infer<typeof RejectedObject>

export const PushResult = z.object({
  model: z.string(),
  /** The team number (the same in every home of the team). */
  version: z.number(),
  /** This home's own number for the version; never the team's. */
  localVersion: z.number(),
  sha256: z.string(),
  bytesUploaded: z.number(),
  records: z.number(),
})
export type PushResult = z.infer<typeof PushResult>

export const PullResult = z.object({
  versions: z.number(),
  records: z.number(),
  policies: z.number(),
  rejected: z.array(RejectedObject),
  /** Requests made to the store (file-system calls on a folder): what this pull cost. */
  requests: z.number(),
})
export type PullResult = z.infer<typeof PullResult>

export const SyncResult = z.object({
  pulled: PullResult,
  pushed: z.array(PushResult),
  records: z.number(),
})
export type SyncResult = z.infer<typeof SyncResult>

export const TeamVersion = z.object({
  model: z.string(),
  sha256: z.string(),
  /** This home's local number, or null when the version is not on this laptop. */
  localVersion: z.number().nullable(),
  teamNumber: z.number(),
  remote: z.string(),
  origin: z.enum(['pushed', 'pulled']),
  publishedBy: z.string().nullable(),
})
export type TeamVersion = z.infer<typeof TeamVersion>

export const StoreAudit = z.object({
  ok: z.boolean(),
  location: z.string(),
  records: z.number(),
  policies: z.number(),
  versions: z.number(),
  problems: z.array(RejectedObject),
})
export type StoreAudit = z.infer<typeof StoreAudit>

export const SyncProgress = z.object({
  remote: z.string(),
  phase: z.enum(['reading', 'verifying', 'downloading', 'uploading', 'records', 'done']),
  message: z.string(),
  transfer: z
    .object({
      done: z.number(),
      total: z.number(),
      bytesPerSecond: z.number(),
      etaSeconds: z.number().nullable(),
    })
    .optional(),
})
export type SyncProgress = z.infer<typeof SyncProgress>

const RemoteChoice = z.object({ remote: RemoteName.optional() }).strict()

export const syncCalls = {
  'sync:remote-add': {
    input: z
      .object({
        name: RemoteName,
        location: z.string().trim().min(1, 'give a folder path or s3://bucket/prefix').max(4096),
        endpoint: z.string().trim().url().max(2048).optional(),
        region: z
          .string()
          .trim()
          .regex(/^[a-z0-9-]{2,64}$/, 'a region like us-east-1')
          .optional(),
        trust: Fingerprint.optional(),
      })
      .strict(),
    output: z.object({ remote: Remote, initialised: z.boolean(), joined: z.boolean() }),
  },
  'sync:remote-list': { input: z.object({}).strict(), output: z.array(Remote) },
  'sync:remote-remove': {
    input: z.object({ name: RemoteName }).strict(),
    output: z.object({ removed: z.string() }),
  },
  'sync:push': {
    input: z.object({ model: ModelName, ref: VersionRef, remote: RemoteName.optional() }).strict(),
    output: PushResult,
  },
  'sync:pull': { input: RemoteChoice, output: PullResult },
  'sync:run': { input: RemoteChoice, output: SyncResult },
  /** Cancels a pull, push or sync in progress with this remote (all of them when none is named). */
  'sync:cancel': { input: RemoteChoice, output: z.object({ cancelled: z.number() }) },
  'sync:rejections': {
    input: z.object({ remote: RemoteName }).strict(),
    output: z.array(RejectedObject.extend({ at: Timestamp })),
  },
  'sync:team-versions': {
    input: z.object({ model: ModelName.optional() }).strict(),
    output: z.array(TeamVersion),
  },
  'sync:audit': { input: z.object({ remote: RemoteName }).strict(), output: StoreAudit },
} as const
