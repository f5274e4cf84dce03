// The audit trail: one record per lifecycle step. A home with an identity signs each record
// (signed_records, see store.ts and docs/TRUST.md); a home without one keeps the unsigned
// hash chain of audit_events, where an edited or deleted record breaks the chain and
// `verifyAuditChain` says where. Unsigned rows written before the identity stay readable.
import { createHash } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { Actor, CoreContext } from '../context'
import { toSignable, type Signable } from './canonical'
import { appendSigned } from './store'

/** Every step of the lifecycle that leaves a record, named `subject.verb`. */
export type AuditAction =
  | 'model.create'
  | 'model.update'
  | 'version.register'
  | 'version.lineage'
  | 'model.archive'
  | 'model.restore'
  | 'version.archive'
  | 'version.restore'
  | 'alias.set'
  | 'alias.remove'
  | 'tag.set'
  | 'tag.remove'
  | 'dataset.import'
  | 'dataset.remove'
  | 'dataset.rename'
  | 'mapping.set'
  | 'evaluation.store'
  | 'evaluation.remove'
  | 'shadow.remove'
  | 'drift.run.remove'
  | 'evaluation.restore'
  | 'shadow.restore'
  | 'drift.run.restore'
  | 'dataset.restore'
  | 'shadow.store'
  | 'gate-policy.set'
  | 'gate.check'
  | 'drift.alert'
  | 'drift.monitor.create'
  | 'drift.monitor.delete'
  | 'drift.monitor.pause'
  | 'drift.monitor.resume'
  | 'recipe.set'
  | 'recipe.remove'
  | 'retrain.start'
  | 'retrain.finish'

export interface AuditRecord {
  action: AuditAction
  modelId?: number | null
  versionId?: number | null
  details?: Record<string, unknown>
  /** The signed body, when the record type has one fixed by docs/TRUST.md. */
  body?: { [key: string]: Signable }
}

/** An unsigned row as the legacy chain hashes it. */
interface LegacyAuditRecord {
  actor: string
  action: string
  modelId?: number | null
  versionId?: number | null
  details?: Record<string, unknown>
}
type StoredAuditFields = LegacyAuditRecord

const GENESIS = '0'.repeat(64)

function recordHash(
  prevHash: string,
  at: string,
  r: StoredAuditFields,
  detailsJson: string,
): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        prevHash,
        at,
        r.actor,
        r.action,
        r.modelId ?? null,
        r.versionId ?? null,
        detailsJson,
      ]),
    )
    .digest('hex')
}

/**
 * Names a record's model and version the way another laptop can find them (name, SHA-256),
 * never by local ids alone; details are made signable (floats become decimal text).
 */
export function signedBodyOf(
  db: Database.Database,
  record: AuditRecord,
): { [key: string]: Signable } {
  if (record.body) return record.body
  const model = record.modelId
    ? (db.prepare('SELECT name FROM models WHERE id = ?').get(record.modelId) as
        { name: string } | undefined)
    : undefined
  const version = record.versionId
    ? (db
        .prepare('SELECT sha256, version FROM model_versions WHERE id = ?')
        .get(record.versionId) as { sha256: string; version: number } | undefined)
    : undefined
  return {
    model: model?.name ?? null,
    versionSha256: version?.sha256 ?? null,
    localVersion: version?.version ?? null,
    details: toSignable(record.details ?? {}),
  }
}

/**
 * Call inside the transaction that makes the change, so the record and the change land together.
 * Signed by the home's identity when it has one; else an unsigned row in the legacy chain.
 */
export function appendAudit(core: CoreContext, actor: Actor, record: AuditRecord): void {
  if (core.identity) {
    appendSigned(core, actor, record.action, signedBodyOf(core.db, record))
    return
  }
  appendLegacyAudit(core.db, {
    actor: actor.name,
    action: record.action,
    modelId: record.modelId,
    versionId: record.versionId,
    details: record.details,
  })
}

/** The unsigned chain of a home without identity. */
export function appendLegacyAudit(db: Database.Database, record: LegacyAuditRecord): void {
  // Outside a transaction, another process could append between our read of the last hash and
  // our insert, forking the chain; take the write lock for both.
  if (!db.inTransaction) {
    db.transaction(() => appendLegacyAudit(db, record)).immediate()
    return
  }
  const prev = db.prepare('SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1').get() as
    { hash: string } | undefined
  const prevHash = prev?.hash ?? GENESIS
  const at = new Date().toISOString()
  const detailsJson = JSON.stringify(record.details ?? {})
  db.prepare(
    `INSERT INTO audit_events (at, actor, action, model_id, version_id, details_json, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    at,
    record.actor,
    record.action,
    record.modelId ?? null,
    record.versionId ?? null,
    detailsJson,
    prevHash,
    recordHash(prevHash, at, record, detailsJson),
  )
}

/** The legacy chain's head: its count and last hash, anchored in the identity.init record. */
export function legacyHead(db: Database.Database): { count: number; head: string } {
  const row = db
    .prepare(
      'SELECT COUNT(*) AS n, (SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1) AS head FROM audit_events',
    )
    .get() as {
    n: number
    head: string | null
  }
  return { count: row.n, head: row.head ?? GENESIS }
}

/** A row of audit_events as stored (the hash chain aside). */
export interface AuditEventRow {
  id: number
  at: string
  actor: string
  action: string
  model_id: number | null
  version_id: number | null
  details_json: string
}

export function verifyAuditChain(
  db: Database.Database,
): { ok: true; count: number } | { ok: false; brokenAt: number } {
  const rows = db.prepare('SELECT * FROM audit_events ORDER BY id').all() as (AuditEventRow & {
    prev_hash: string
    hash: string
  })[]
  let prevHash = GENESIS
  for (const row of rows) {
    const expected = recordHash(
      prevHash,
      row.at,
      { actor: row.actor, action: row.action, modelId: row.model_id, versionId: row.version_id },
      row.details_json,
    )
    if (row.prev_hash !== prevHash || row.hash !== expected) return { ok: false, brokenAt: row.id }
    prevHash = row.hash
  }
  return { ok: true, count: rows.length }
}
