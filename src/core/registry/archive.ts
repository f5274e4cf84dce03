// Archiving models and versions: set aside, out of the default lists, nothing deleted, undone by
// archiving with `archived: false`. Each change is one audit record.
import type Database from 'better-sqlite3'
import { SlipwayError } from '../../api/errors'
import type { ModelSummary, VersionSummary } from '../../api/registry'
import type { Actor, CoreContext } from '../context'
import { appendAudit } from '../governance/audit'
import { requestView } from '../governance/requests'
import {
  modelSummary,
  requireModel,
  resolveVersion,
  toVersionSummary,
  type ModelRow,
  type VersionRow,
} from './registry'

/** The aliases held by the model's versions (or one version), as "champion → v2". */
function heldAliases(db: Database.Database, modelId: number, versionId?: number): string[] {
  const rows = db
    .prepare(
      `SELECT a.alias, v.version FROM aliases a JOIN model_versions v ON v.id = a.version_id
       WHERE a.model_id = ? ${versionId === undefined ? '' : 'AND a.version_id = ?'} ORDER BY a.alias`,
    )
    .all(...(versionId === undefined ? [modelId] : [modelId, versionId])) as {
    alias: string
    version: number
  }[]
  return rows.map((r) => `${r.alias} → v${r.version}`)
}

/**
 * The promotion requests still open (pending or approved, not yet applied) for the model's
 * versions, or one version's bytes, as "request 1a2b3c4d (v2 → production, pending)".
 */
function openRequests(db: Database.Database, model: string, sha256?: string): string[] {
  const rows = db
    .prepare(
      `SELECT * FROM promotion_requests WHERE model = ? ${sha256 === undefined ? '' : 'AND version_sha256 = ?'}
       AND withdrawn_at IS NULL AND applied_at IS NULL AND superseded_at IS NULL ORDER BY created_at`,
    )
    .all(...(sha256 === undefined ? [model] : [model, sha256])) as Parameters<
    typeof requestView
  >[1][]
  return rows
    .map((row) => requestView(db, row))
    .filter((r) => r.status === 'pending' || r.status === 'approved')
    .map(
      (r) =>
        `request ${r.id.slice(0, 8)} (${r.version === null ? 'a version' : `v${r.version}`} → ${r.alias}, ${r.status})`,
    )
}

export function archiveModel(
  core: CoreContext,
  actor: Actor,
  name: string,
  archived: boolean,
): ModelSummary {
  const { db } = core
  return db
    .transaction((): ModelSummary => {
      const model = requireModel(db, name)
      if (archived === (model.archived_at !== null)) return modelSummary(db, model)
      if (archived) {
        const held = heldAliases(db, model.id)
        if (held.length)
          throw new SlipwayError(
            'CONFLICT',
            `Model "${model.name}" cannot be archived while its versions hold aliases (${held.join(', ')}): an alias names what runs somewhere; remove or move them first`,
          )
        const open = openRequests(db, model.name)
        if (open.length)
          throw new SlipwayError(
            'CONFLICT',
            `Model "${model.name}" cannot be archived while a promotion request for it is open (${open.join(', ')}): withdraw, reject or apply it first`,
          )
      }
      const now = new Date().toISOString()
      db.prepare('UPDATE models SET archived_at = ?, updated_at = ? WHERE id = ?').run(
        archived ? now : null,
        now,
        model.id,
      )
      appendAudit(core, actor, {
        action: archived ? 'model.archive' : 'model.restore',
        modelId: model.id,
        details: { name: model.name },
      })
      return modelSummary(
        db,
        db.prepare('SELECT * FROM models WHERE id = ?').get(model.id) as ModelRow,
      )
    })
    .immediate()
}

export function archiveVersion(
  core: CoreContext,
  actor: Actor,
  name: string,
  version: number,
  archived: boolean,
): VersionSummary {
  const { db } = core
  return db
    .transaction((): VersionSummary => {
      const row = resolveVersion(db, name, version)
      if (archived === (row.archived_at !== null)) return toVersionSummary(db, row, row.model.name)
      if (archived) {
        const held = heldAliases(db, row.model.id, row.id)
        if (held.length)
          throw new SlipwayError(
            'CONFLICT',
            `${row.model.name} v${row.version} cannot be archived while it holds ${held.length === 1 ? 'the alias' : 'the aliases'} ${held.map((h) => h.split(' ')[0]).join(', ')}: an alias names what runs somewhere; move or remove it first`,
          )
        const open = openRequests(db, row.model.name, row.sha256)
        if (open.length)
          throw new SlipwayError(
            'CONFLICT',
            `${row.model.name} v${row.version} cannot be archived while a promotion request for it is open (${open.join(', ')}): withdraw, reject or apply it first`,
          )
      }
      const now = new Date().toISOString()
      db.prepare('UPDATE model_versions SET archived_at = ? WHERE id = ?').run(
        archived ? now : null,
        row.id,
      )
      db.prepare('UPDATE models SET updated_at = ? WHERE id = ?').run(now, row.model.id)
      appendAudit(core, actor, {
        action: archived ? 'version.archive' : 'version.restore',
        modelId: row.model.id,
        versionId: row.id,
        details: { version: row.version },
      })
      return toVersionSummary(
        db,
        db.prepare('SELECT * FROM model_versions WHERE id = ?').get(row.id) as VersionRow,
        row.model.name,
      )
    })
    .immediate()
}
