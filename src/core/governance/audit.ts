// The audit trail: one record per lifecycle step, each hashing the one before it, so an
// edited or deleted record breaks the chain and `verifyAuditChain` says where.
import { createHash } from 'node:crypto'
import type Database from 'better-sqlite3'

/** Every step of the lifecycle that leaves a record, named `subject.verb`. */
export type AuditAction =
  | 'model.create'
  | 'model.update'
  | 'version.register'
  | 'alias.set'
  | 'alias.remove'
  | 'tag.set'
  | 'tag.remove'
  | 'dataset.import'
  | 'dataset.remove'
  | 'mapping.set'
  | 'evaluation.store'
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
  actor: string
  action: AuditAction
  modelId?: number | null
  versionId?: number | null
  details?: Record<string, unknown>
}

/** What the hash covers; read back from the table, the action is plain text. */
type StoredAuditFields = Omit<AuditRecord, 'action'> & { action: string }

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

/** Call inside the transaction that makes the change, so the record and the change land together. */
export function appendAudit(db: Database.Database, record: AuditRecord): void {
  // Outside a transaction, another process could append between our read of the last hash and
  // our insert, forking the chain; take the write lock for both.
  if (!db.inTransaction) {
    db.transaction(() => appendAudit(db, record)).immediate()
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

export function verifyAuditChain(
  db: Database.Database,
): { ok: true; count: number } | { ok: false; brokenAt: number } {
  const rows = db.prepare('SELECT * FROM audit_events ORDER BY id').all() as {
    id: number
    at: string
    actor: string
    action: string
    model_id: number | null
    version_id: number | null
    details_json: string
    prev_hash: string
    hash: string
  }[]
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
