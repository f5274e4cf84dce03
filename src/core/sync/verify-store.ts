// Verifies a shared store as a whole with nothing but the store and a pinned root fingerprint:
// governance's verifier over every policy document and record, plus what only the store can
// say (objects under the wrong name, strays, number claims, blob hashes). `fetch` and
// `audit verify --remote` both stand on it; neither needs a local registry.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { recordId, type SignedRecord } from '../governance/records'
import { verifyRecords, type VerifyReport } from '../governance/verify'
import { STORE_MARKER_KEY, readMarker, readNumber } from './layout'
import { readNew, type RecordObject, type StoredObject } from './reader'
import { StoreError, mapLimit, type RemoteStore } from './store'

export interface StoreProblem {
  /** The store key, or a record id, or 'policy chain'. */
  object: string
  reason: string
}

export interface StoreSnapshot {
  policies: StoredObject[]
  records: RecordObject[]
  report: VerifyReport
  /** Record ids with a problem, and every author whose chain has one. */
  badRecords: Set<string>
  badAuthors: Set<string>
  problems: StoreProblem[]
  /** Valid records by id. */
  valid: Map<string, SignedRecord>
  keyOfRecord: Map<string, string>
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

/** Checks that a record stored under records/<author>/<seq> says that author and seq. */
export function misplacedRecord(object: RecordObject): string | null {
  if (object.problem) return object.problem
  const r = object.value as Partial<SignedRecord> | null
  if (!r || typeof r !== 'object') return 'not a record'
  if (r.author !== object.author || r.seq !== object.seq)
    return `stored as ${object.author.slice(0, 12)}… seq ${object.seq} but says author ${String(r.author).slice(0, 12)}… seq ${String(r.seq)}`
  return null
}

export async function snapshotStore(
  store: RemoteStore,
  pinnedRoot: string,
): Promise<StoreSnapshot> {
  const problems: StoreProblem[] = []
  const marker = await readMarker(store)
  if (!marker)
    throw new StoreError(`${store.location} is not a Slipway store (no ${STORE_MARKER_KEY})`)
  if (marker.root !== pinnedRoot)
    problems.push({
      object: STORE_MARKER_KEY,
      reason: `the store says team root ${marker.root.slice(0, 16)}…, not the pinned ${pinnedRoot.slice(0, 16)}…`,
    })
  const fresh = await readNew(store, { records: {} })
  for (const key of fresh.strays)
    problems.push({ object: key, reason: 'not where a record or policy can be' })
  const policies = fresh.policies.filter((p) => {
    if (p.problem) problems.push({ object: p.key, reason: p.problem })
    return !p.problem
  })
  const keyOfRecord = new Map<string, string>()
  const records: unknown[] = []
  for (const object of fresh.records) {
    const misplaced = misplacedRecord(object)
    if (misplaced) {
      problems.push({ object: object.key, reason: misplaced })
      continue
    }
    try {
      keyOfRecord.set(recordId(object.value as SignedRecord), object.key)
    } catch {
      // malformed: the verifier names it
    }
    records.push(object.value)
  }
  const report = verifyRecords({ policies: policies.map((p) => p.value), records, pinnedRoot })
  const badRecords = new Set<string>()
  const badAuthors = new Set<string>()
  for (const p of report.problems) {
    if (p.record) badRecords.add(p.record)
    if (p.author) badAuthors.add(p.author)
    problems.push({
      object: p.record
        ? (keyOfRecord.get(p.record) ?? `record ${p.record}`)
        : p.type === 'policy'
          ? 'policy chain'
          : 'records',
      reason: p.problem,
    })
  }
  // Records whose misplacement was caught above leave their author's chain broken too.
  for (const object of fresh.records) if (misplacedRecord(object)) badAuthors.add(object.author)
  const valid = new Map<string, SignedRecord>()
  for (const value of records) {
    try {
      const id = recordId(value as SignedRecord)
      if (!badRecords.has(id)) valid.set(id, value as SignedRecord)
    } catch {
      // malformed
    }
  }
  return {
    policies,
    records: fresh.records,
    report,
    badRecords,
    badAuthors,
    problems,
    valid,
    keyOfRecord,
  }
}

export interface PublishedVersion {
  model: string
  versionSha256: string
  number: number | null
  registeredBy: string
  size: number | null
}

/** Every version whose register record is valid and whose bytes the store has numbered. */
export async function publishedVersions(
  store: RemoteStore,
  snapshot: StoreSnapshot,
): Promise<{ versions: PublishedVersion[]; problems: StoreProblem[] }> {
  const problems: StoreProblem[] = []
  const seen = new Map<string, PublishedVersion>()
  for (const r of snapshot.valid.values()) {
    if (r.type !== 'version.register') continue
    const model = str(r.body.model)
    const sha = str(r.body.versionSha256)
    if (!model || !sha || seen.has(`${model}\u0000${sha}`)) continue
    const details = r.body.details as { size?: unknown } | undefined
    const size =
      typeof r.body.size === 'number'
        ? r.body.size
        : typeof details?.size === 'number'
          ? details.size
          : null
    seen.set(`${model}\u0000${sha}`, {
      model,
      versionSha256: sha,
      number: null,
      registeredBy: r.author,
      size,
    })
  }
  const versions = await mapLimit([...seen.values()], 8, async (v) => {
    const n = await readNumber(store, v.model, v.versionSha256)
    if (n.number === null && n.problem)
      problems.push({ object: `${v.model} ${v.versionSha256.slice(0, 12)}`, reason: n.problem })
    return { ...v, number: n.number }
  })
  return { versions: versions.filter((v) => v.number !== null), problems }
}

/** Downloads each blob to a scratch file to check its SHA-256; reports what is missing or swapped. */
export async function checkBlobs(
  store: RemoteStore,
  versions: readonly PublishedVersion[],
): Promise<StoreProblem[]> {
  const problems: StoreProblem[] = []
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-audit-'))
  try {
    await mapLimit(versions, 2, async (v) => {
      const dest = path.join(scratch, randomBytes(8).toString('hex'))
      try {
        await store.getBlob(v.versionSha256, dest, { size: v.size ?? undefined })
      } catch (error) {
        problems.push({
          object: `blobs/${v.versionSha256.slice(0, 2)}/${v.versionSha256}`,
          reason: `${v.model} #${v.number}: ${(error as Error).message}`,
        })
      } finally {
        fs.rmSync(dest, { force: true })
      }
    })
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
  return problems
}
