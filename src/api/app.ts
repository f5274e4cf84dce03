// Calls about the running application itself.
import { z } from 'zod'

export const AppInfo = z.object({
  version: z.string(),
  home: z.string(),
  user: z.string(),
  face: z.enum(['electron', 'web', 'cli']),
  onnxruntimeVersion: z.string(),
  schemaVersion: z.number(),
})
export type AppInfo = z.infer<typeof AppInfo>

/** One thing `doctor` found wrong with the registry home. */
export const DoctorProblem = z.object({
  kind: z.enum([
    'database',
    'hash-mismatch',
    'missing-blob',
    'orphan-blob',
    'temporary-file',
    'dead-lease',
  ]),
  /** What it concerns, as the user knows it: `churn v2`, `dataset "eval"`, or the blob's hash. */
  subject: z.string(),
  message: z.string(),
  /** True when `repair` fixed it; problems that cannot be fixed safely are only reported. */
  repaired: z.boolean(),
})
export type DoctorProblem = z.infer<typeof DoctorProblem>

export const DoctorReport = z.object({
  /** SQLite's `PRAGMA integrity_check` lines: `["ok"]` for a sound database. */
  databaseIntegrity: z.array(z.string()),
  versionsChecked: z.number(),
  datasetsChecked: z.number(),
  bytesHashed: z.number(),
  problems: z.array(DoctorProblem),
  /** No problem is left unrepaired. */
  healthy: z.boolean(),
})
export type DoctorReport = z.infer<typeof DoctorReport>

export const appCalls = {
  'app:info': {
    input: z.object({}).strict(),
    output: AppInfo,
  },
  /**
   * Checks the whole registry home: the database's integrity, every stored blob against its hash,
   * blobs nothing references, rows whose blob is missing, leftovers of crashed calls. With
   * `repair`, removes what is safe to remove (orphan blobs, temporary files, dead leases).
   */
  'app:doctor': {
    input: z.object({ repair: z.boolean().optional() }).strict(),
    output: DoctorReport,
  },
} as const
