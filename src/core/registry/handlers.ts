// Handlers of the registry calls.
import { SlipwayError } from '../../api/errors'
import type { registryCalls } from '../../api/registry'
import type { CoreContext, HandlersFor } from '../context'
import { appendAudit } from '../governance/audit'
import { archiveModel, archiveVersion } from './archive'
import { updateLineage } from './lineage'
import { registerVersion, setAliasInTx } from './register'
import {
  listModels,
  listVersions,
  modelDetail,
  modelSummary,
  requireModel,
  resolveVersion,
  versionDetail,
} from './registry'

export function createRegistryHandlers(core: CoreContext): HandlersFor<typeof registryCalls> {
  const { db } = core
  return {
    'registry:list-models': async (input) => {
      const page = listModels(db, input)
      return { models: page.rows, nextCursor: page.nextCursor, total: page.total }
    },
    'registry:list-versions': async ({ model, ...options }) => {
      const page = listVersions(db, requireModel(db, model), options)
      return { versions: page.rows, nextCursor: page.nextCursor, total: page.total }
    },
    'registry:archive-model': async ({ model, archived }, { actor }) =>
      archiveModel(core, actor, model, archived),
    'registry:archive-version': async ({ model, version, archived }, { actor }) =>
      archiveVersion(core, actor, model, version, archived),
    'registry:get-model': async ({ model, versionLimit }) => modelDetail(db, model, versionLimit),
    'registry:get-version': async ({ model, ref }) => {
      const row = resolveVersion(db, model, ref)
      return versionDetail(db, row, row.model)
    },
    'registry:register': async (input, call) => registerVersion(core, input, call),
    'registry:set-alias': async ({ model, version, alias }, { actor }) =>
      db
        .transaction(() => {
          const row = resolveVersion(db, model, version)
          const { from } = setAliasInTx(core, actor, row.model.id, alias, row.id)
          const fromVersion =
            from === null
              ? null
              : (
                  db.prepare('SELECT version FROM model_versions WHERE id = ?').get(from) as {
                    version: number
                  }
                ).version
          return {
            alias,
            fromVersion,
            toVersion: row.version,
            at: new Date().toISOString(),
            by: actor.name,
          }
        })
        .immediate(),
    'registry:remove-alias': async ({ model, alias }, { actor }) =>
      db
        .transaction(() => {
          const modelRow = requireModel(db, model)
          const row = resolveVersion(db, model, alias)
          setAliasInTx(core, actor, modelRow.id, alias, null)
          return {
            alias,
            fromVersion: row.version,
            toVersion: null,
            at: new Date().toISOString(),
            by: actor.name,
          }
        })
        .immediate(),
    'registry:set-tag': async ({ model, version, key, value }, { actor }) =>
      db
        .transaction(() => {
          const row = resolveVersion(db, model, version)
          db.prepare(
            'INSERT INTO tags (version_id, key, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
          ).run(row.id, key, value)
          appendAudit(core, actor, {
            action: 'tag.set',
            modelId: row.model.id,
            versionId: row.id,
            details: { key, value },
          })
          return { key, value }
        })
        .immediate(),
    'registry:remove-tag': async ({ model, version, key }, { actor }) =>
      db
        .transaction(() => {
          const row = resolveVersion(db, model, version)
          const removed =
            db.prepare('DELETE FROM tags WHERE version_id = ? AND key = ?').run(row.id, key)
              .changes > 0
          if (removed)
            appendAudit(core, actor, {
              action: 'tag.remove',
              modelId: row.model.id,
              versionId: row.id,
              details: { key },
            })
          return { removed }
        })
        .immediate(),
    'registry:update-lineage': async (input, { actor }) => updateLineage(core, actor, input),
    'registry:update-model': async ({ model, description, task }, { actor }) =>
      db
        .transaction(() => {
          const row = requireModel(db, model)
          if (description === undefined && task === undefined)
            throw new SlipwayError(
              'INVALID_INPUT',
              'Nothing to update: give a description or a task',
            )
          const now = new Date().toISOString()
          db.prepare(
            'UPDATE models SET description = COALESCE(?, description), task = CASE WHEN ? THEN ? ELSE task END, updated_at = ? WHERE id = ?',
          ).run(description ?? null, task === undefined ? 0 : 1, task ?? null, now, row.id)
          appendAudit(core, actor, {
            action: 'model.update',
            modelId: row.id,
            details: { description, task },
          })
          return modelSummary(db, requireModel(db, model))
        })
        .immediate(),
  }
}
