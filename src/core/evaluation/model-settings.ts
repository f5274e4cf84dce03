// What a model remembers between runs: its saved column mapping and its gate policy, one row
// each per model, written with an audit record in the same transaction.
import type { ColumnMapping, GatePolicy } from '../../api/evaluation'
import { GatePolicy as GatePolicySchema } from '../../api/evaluation'
import type { Actor, CoreContext } from '../context'
import { appendAudit } from '../governance/audit'

/** The per-model settings tables: the table, its JSON column and the audit action of a change. */
const SETTINGS = {
  mapping: { table: 'column_mappings', column: 'mapping_json', action: 'mapping.set' },
  policy: { table: 'gate_policies', column: 'policy_json', action: 'gate-policy.set' },
} as const

type SettingKind = keyof typeof SETTINGS

function readSetting(core: CoreContext, kind: SettingKind, modelId: number): unknown {
  const { table, column } = SETTINGS[kind]
  const row = core.db
    .prepare(`SELECT ${column} AS json FROM ${table} WHERE model_id = ?`)
    .get(modelId) as { json: string } | undefined
  return row ? JSON.parse(row.json) : null
}

/** Stores (or, given null, clears) one model's setting and audits it, in one transaction. */
function writeSetting(
  core: CoreContext,
  actor: Actor,
  kind: SettingKind,
  modelId: number,
  modelName: string,
  value: object | null,
): void {
  const { table, column, action } = SETTINGS[kind]
  core.db
    .transaction(() => {
      if (value === null) core.db.prepare(`DELETE FROM ${table} WHERE model_id = ?`).run(modelId)
      else
        core.db
          .prepare(
            `INSERT INTO ${table} (model_id, ${column}, updated_at, updated_by) VALUES (?, ?, ?, ?)
           ON CONFLICT (model_id) DO UPDATE SET ${column} = excluded.${column}, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
          )
          .run(modelId, JSON.stringify(value), new Date().toISOString(), actor.name)
      appendAudit(core, actor, {
        action,
        modelId,
        details: { model: modelName, [kind]: value },
      })
    })
    .immediate()
}

export function getSavedMapping(core: CoreContext, modelId: number): ColumnMapping | null {
  return readSetting(core, 'mapping', modelId) as ColumnMapping | null
}

export function setSavedMapping(
  core: CoreContext,
  actor: Actor,
  modelId: number,
  modelName: string,
  mapping: ColumnMapping | null,
): ColumnMapping | null {
  writeSetting(core, actor, 'mapping', modelId, modelName, mapping)
  return mapping
}

export function getPolicy(core: CoreContext, modelId: number): GatePolicy | null {
  const stored = readSetting(core, 'policy', modelId)
  return stored === null ? null : GatePolicySchema.parse(stored)
}

export function setPolicy(
  core: CoreContext,
  actor: Actor,
  modelId: number,
  modelName: string,
  policy: GatePolicy,
): GatePolicy {
  writeSetting(core, actor, 'policy', modelId, modelName, policy)
  return policy
}
