// Editing a version's lineage after registration: code version, description, training data,
// parent version and hyperparameters. The bytes never change; each edited field is one audit record
// with the value before and after, so the trail says who changed what a version claims.
import { SlipwayError } from '../../api/errors'
import type { registryCalls, VersionDetail } from '../../api/registry'
import type { z } from 'zod'
import type { Actor, CoreContext } from '../context'
import { refuseRetired } from '../data/import'
import { appendAudit } from '../governance/audit'
import { refuseRepeatedKeys } from './register'
import { resolveVersion, versionDetail, type VersionRow } from './registry'

type LineageEdit = z.output<(typeof registryCalls)['registry:update-lineage']['input']>

export function updateLineage(core: CoreContext, actor: Actor, input: LineageEdit): VersionDetail {
  const { db } = core
  if (input.hyperparameters) refuseRepeatedKeys(input.hyperparameters, 'Hyperparameter')
  return db
    .transaction((): VersionDetail => {
      const row = resolveVersion(db, input.model, input.version)
      const label = `${row.model.name} v${row.version}`
      const record = (field: string, from: unknown, to: unknown): void => {
        if (JSON.stringify(from) === JSON.stringify(to)) return
        appendAudit(core, actor, {
          action: 'version.lineage',
          modelId: row.model.id,
          versionId: row.id,
          details: { version: row.version, field, from, to },
        })
      }
      if (input.codeVersion !== undefined) {
        db.prepare('UPDATE model_versions SET code_version = ? WHERE id = ?').run(
          input.codeVersion,
          row.id,
        )
        record('codeVersion', row.code_version, input.codeVersion)
      }
      if (input.description !== undefined) {
        db.prepare('UPDATE model_versions SET description = ? WHERE id = ?').run(
          input.description,
          row.id,
        )
        record('description', row.description, input.description)
      }
      if (input.trainingDatasetId !== undefined) {
        if (input.trainingDatasetId !== null) {
          const dataset = db
            .prepare('SELECT id, name, retired_at FROM datasets WHERE id = ?')
            .get(input.trainingDatasetId) as
            { id: number; name: string; retired_at: string | null } | undefined
          if (!dataset)
            throw new SlipwayError('NOT_FOUND', `No dataset with id ${input.trainingDatasetId}`)
          refuseRetired(dataset)
        }
        db.prepare('UPDATE model_versions SET training_dataset_id = ? WHERE id = ?').run(
          input.trainingDatasetId,
          row.id,
        )
        record('trainingDatasetId', row.training_dataset_id, input.trainingDatasetId)
      }
      if (input.parentVersion !== undefined) {
        let parentId: number | null = null
        if (input.parentVersion !== null) {
          if (input.parentVersion === row.version)
            throw new SlipwayError('INVALID_INPUT', `${label} cannot be its own parent`)
          const parent = db
            .prepare('SELECT * FROM model_versions WHERE model_id = ? AND version = ?')
            .get(row.model.id, input.parentVersion) as VersionRow | undefined
          if (!parent)
            throw new SlipwayError(
              'NOT_FOUND',
              `Parent version ${input.parentVersion} of model "${row.model.name}" does not exist`,
            )
          // Walk up from the new parent: reaching this version would make a loop.
          for (let at: VersionRow | undefined = parent; at;) {
            if (at.id === row.id)
              throw new SlipwayError(
                'INVALID_INPUT',
                `v${input.parentVersion} descends from ${label}; it cannot also be its parent`,
              )
            at = at.parent_version_id
              ? (db
                  .prepare('SELECT * FROM model_versions WHERE id = ?')
                  .get(at.parent_version_id) as VersionRow | undefined)
              : undefined
          }
          parentId = parent.id
        }
        db.prepare('UPDATE model_versions SET parent_version_id = ? WHERE id = ?').run(
          parentId,
          row.id,
        )
        record('parentVersionId', row.parent_version_id, parentId)
      }
      if (input.hyperparameters !== undefined) {
        const before = Object.fromEntries(
          (
            db
              .prepare('SELECT key, value FROM hyperparameters WHERE version_id = ? ORDER BY key')
              .all(row.id) as { key: string; value: string }[]
          ).map((p) => [p.key, p.value]),
        )
        db.prepare('DELETE FROM hyperparameters WHERE version_id = ?').run(row.id)
        const insert = db.prepare(
          'INSERT INTO hyperparameters (version_id, key, value) VALUES (?, ?, ?)',
        )
        for (const p of input.hyperparameters) insert.run(row.id, p.key, p.value)
        const after = Object.fromEntries(
          [...input.hyperparameters]
            .sort((a, b) => a.key.localeCompare(b.key))
            .map((p) => [p.key, p.value]),
        )
        record('hyperparameters', before, after)
      }
      const fresh = db
        .prepare('SELECT * FROM model_versions WHERE id = ?')
        .get(row.id) as VersionRow
      return versionDetail(db, fresh, row.model)
    })
    .immediate()
}
