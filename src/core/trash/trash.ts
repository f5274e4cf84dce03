// The trash: a deleted evaluation, comparison, drift run or dataset is kept here whole (its row as
// JSON, a dataset's snapshot still in the blob store) and can be restored with the same id until
// it is purged, 30 days after the delete. Delete and restore are one audit record each.
import type Database from 'better-sqlite3'
import { SlipwayError } from '../../api/errors'
import type { TrashEntry, TrashKind, trashCalls } from '../../api/trash'
import { removeBlobIfUnused } from '../artifacts/leases'
import { dropSnapshotIfUnused } from '../data/import'
import type { Actor, CoreContext, HandlersFor } from '../context'
import { appendAudit, type AuditAction } from '../governance/audit'

/** The key under which a trashed result keeps its dataset's fingerprint (not a column). */
const DATASET_SHA = '_dataset_sha256'

/** How long a deleted item can be restored. */
export const TRASH_DAYS = 30

const tables: Record<TrashKind, { table: string; restore: AuditAction }> = {
  evaluation: { table: 'evaluations', restore: 'evaluation.restore' },
  comparison: { table: 'shadow_comparisons', restore: 'shadow.restore' },
  'drift-run': { table: 'drift_runs', restore: 'drift.run.restore' },
  dataset: { table: 'datasets', restore: 'dataset.restore' },
}

interface TrashRow {
  id: number
  kind: TrashKind
  item_id: number
  title: string
  model_id: number | null
  row_json: string
  blob_sha256: string | null
  deleted_at: string
  deleted_by: string
}

const toEntry = (row: TrashRow): TrashEntry => ({
  id: row.id,
  kind: row.kind,
  itemId: row.item_id,
  title: row.title,
  deletedAt: row.deleted_at,
  deletedBy: row.deleted_by,
  purgeAfter: new Date(Date.parse(row.deleted_at) + TRASH_DAYS * 86_400_000).toISOString(),
})

/**
 * Moves one row into the trash and deletes it, inside the caller's transaction. Returns the trash
 * entry's id, which `restoreFromTrash` takes.
 */
export function moveToTrash(
  db: Database.Database,
  actor: Actor,
  item: {
    kind: TrashKind
    id: number
    title: string
    modelId?: number | null
    blob?: string
    /** A dataset retired with its results kept: its row stays (the caller retires it). */
    keepRow?: boolean
  },
): number {
  const { table } = tables[item.kind]
  const row = db.prepare(`SELECT * FROM ${table} WHERE id = ?`).get(item.id) as
    Record<string, unknown> | undefined
  if (!row) throw new SlipwayError('NOT_FOUND', `No ${item.kind} with id ${item.id}`)
  // Ids are reused, so a result also keeps its dataset's fingerprint: a restore finds the dataset
  // by it, never another dataset that took the old id.
  if (typeof row.dataset_id === 'number') {
    const dataset = db.prepare('SELECT sha256 FROM datasets WHERE id = ?').get(row.dataset_id) as
      { sha256: string } | undefined
    if (dataset) row[DATASET_SHA] = dataset.sha256
  }
  // Ids are reused after a delete, so an older entry with the same id is another item: both stay.
  const entry = db
    .prepare(
      `INSERT INTO trash (kind, item_id, title, model_id, row_json, blob_sha256, deleted_at, deleted_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      item.kind,
      item.id,
      item.title,
      item.modelId ?? null,
      JSON.stringify(row),
      item.blob ?? null,
      new Date().toISOString(),
      actor.name,
    )
  if (!item.keepRow) db.prepare(`DELETE FROM ${table} WHERE id = ?`).run(item.id)
  return Number(entry.lastInsertRowid)
}

export function listTrash(core: CoreContext): TrashEntry[] {
  purgeTrash(core)
  return (
    core.db.prepare('SELECT * FROM trash ORDER BY deleted_at DESC, id DESC').all() as TrashRow[]
  ).map(toEntry)
}

/** Puts the item back with its id, refusing (naming why) when its model, version or name is gone. */
export function restoreFromTrash(core: CoreContext, actor: Actor, id: number): TrashEntry {
  const { db } = core
  return db
    .transaction((): TrashEntry => {
      const row = db.prepare('SELECT * FROM trash WHERE id = ?').get(id) as TrashRow | undefined
      if (!row)
        throw new SlipwayError(
          'NOT_FOUND',
          `Nothing in the trash with id ${id} (restored already, or purged ${TRASH_DAYS} days after the delete)`,
        )
      const { table, restore } = tables[row.kind]
      const values = JSON.parse(row.row_json) as Record<string, unknown>
      if (row.kind === 'dataset') {
        const retired = db
          .prepare(
            'SELECT id, name FROM datasets WHERE id = ? AND sha256 = ? AND retired_at IS NOT NULL',
          )
          .get(row.item_id, values.sha256) as { id: number; name: string } | undefined
        if (retired) {
          const taken = db
            .prepare('SELECT id FROM datasets WHERE name = ? AND retired_at IS NULL')
            .get(retired.name) as { id: number } | undefined
          if (taken)
            throw new SlipwayError(
              'CONFLICT',
              `${row.title} cannot be restored: dataset ${taken.id} now has the name "${retired.name}"; rename that one first`,
            )
          db.prepare('UPDATE datasets SET retired_at = NULL WHERE id = ?').run(retired.id)
          db.prepare('DELETE FROM trash WHERE id = ?').run(id)
          appendAudit(core, actor, {
            action: restore,
            details: { datasetId: retired.id, trashId: id, keptResults: true },
          })
          return toEntry(row)
        }
      }
      const known = new Set(
        (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name),
      )
      // Ids are reused after a delete (no AUTOINCREMENT): when a newer row took this one's id, the
      // item comes back under a new id, and the entry says so.
      const idTaken = Boolean(db.prepare(`SELECT 1 FROM ${table} WHERE id = ?`).get(row.item_id))
      const columns = Object.keys(values).filter((c) => known.has(c) && !(idTaken && c === 'id'))
      const sha = values[DATASET_SHA]
      if (typeof sha === 'string' && typeof values.dataset_id === 'number') {
        const same = db
          .prepare('SELECT 1 FROM datasets WHERE id = ? AND sha256 = ?')
          .get(values.dataset_id, sha)
        if (!same) {
          const moved = db
            .prepare('SELECT id FROM datasets WHERE sha256 = ? ORDER BY id LIMIT 1')
            .get(sha) as { id: number } | undefined
          if (!moved)
            throw new SlipwayError(
              'CONFLICT',
              `${row.title} cannot be restored: its dataset (sha256 ${sha.slice(0, 12)}…) is gone; restore the dataset first`,
            )
          values.dataset_id = moved.id
        }
      }
      if (row.kind === 'dataset') {
        const taken = db
          .prepare('SELECT id FROM datasets WHERE name = ? AND retired_at IS NULL')
          .get(values.name) as { id: number } | undefined
        if (taken)
          throw new SlipwayError(
            'CONFLICT',
            `${row.title} cannot be restored: dataset ${taken.id} now has the name "${String(values.name)}"; rename that one first`,
          )
        const same = db
          .prepare('SELECT id, name FROM datasets WHERE sha256 = ?')
          .get(values.sha256) as { id: number; name: string } | undefined
        if (same)
          throw new SlipwayError(
            'CONFLICT',
            `${row.title} need not be restored: the same rows were imported again as dataset ${same.id} ("${same.name}"); its results can be restored onto that one`,
          )
      }
      let itemId = row.item_id
      try {
        const inserted = db
          .prepare(
            `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
          )
          .run(...columns.map((c) => values[c] as string | number | null))
        if (idTaken) itemId = Number(inserted.lastInsertRowid)
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY')
          throw new SlipwayError(
            'CONFLICT',
            `${row.title} cannot be restored: the model version or dataset it belongs to is gone`,
          )
        throw error
      }
      db.prepare('DELETE FROM trash WHERE id = ?').run(id)
      appendAudit(core, actor, {
        action: restore,
        modelId: row.model_id,
        details: {
          [`${row.kind === 'drift-run' ? 'run' : row.kind}Id`]: itemId,
          trashId: id,
          ...(idTaken ? { formerId: row.item_id } : {}),
        },
      })
      const entry = toEntry(row)
      return idTaken
        ? {
            ...entry,
            itemId,
            title: `${entry.title} (its id was taken meanwhile: it is back as #${itemId})`,
          }
        : entry
    })
    .immediate()
}

/** Drops entries deleted more than TRASH_DAYS ago (and a dataset's snapshot nothing else uses). */
export function purgeTrash(core: CoreContext, now = Date.now()): number {
  const cutoff = new Date(now - TRASH_DAYS * 86_400_000).toISOString()
  const old = core.db
    .prepare(
      "SELECT id, blob_sha256, CASE kind WHEN 'dataset' THEN json_extract(row_json, '$.table_sha256') END AS table_sha256 FROM trash WHERE deleted_at < ?",
    )
    .all(cutoff) as { id: number; blob_sha256: string | null; table_sha256: string | null }[]
  if (!old.length) return 0
  core.db
    .transaction(() => {
      const drop = core.db.prepare('DELETE FROM trash WHERE id = ?')
      for (const entry of old) drop.run(entry.id)
    })
    .immediate()
  for (const entry of old) {
    if (entry.blob_sha256) removeBlobIfUnused(core, entry.blob_sha256)
    dropSnapshotIfUnused(core, entry.table_sha256)
  }
  return old.length
}

export function createTrashHandlers(core: CoreContext): HandlersFor<typeof trashCalls> {
  return {
    'trash:list': async () => listTrash(core),
    'trash:restore': async ({ id }, { actor }) => restoreFromTrash(core, actor, id),
  }
}
