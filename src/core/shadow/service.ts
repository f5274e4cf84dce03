// Shadow comparisons: champion and challenger on the same rows in one worker, stored with both
// versions, the dataset sha256, the mapping, the runtime and the settings.
import type { ShadowComparison, ShadowResult } from '../../api/evaluation'
import { SlipwayError } from '../../api/errors'
import type { Actor, CoreContext } from '../context'
import { DEFAULT_BATCH_SIZE } from '../evaluation/evaluate'
import {
  runOnDataset,
  importFields,
  recordPendingImport,
  storingRun,
  type DatasetForRun,
} from '../evaluation/run-dataset'
import { modelPayload, type RunSettings } from '../evaluation/service'
import { appendAudit } from '../governance/audit'
import type { JobContext } from '../jobs/manager'
import { onnxruntimeVersion } from '../onnx/version'
import type { ModelVersionFile } from '../registry/registry'
import type { ShadowPayload } from './compare'

interface ShadowRow {
  id: number
  champion_version_id: number
  challenger_version_id: number
  dataset_id: number
  dataset_sha256: string
  mapping_json: string
  settings_json: string
  onnxruntime_version: string
  result_json: string | null
  created_at: string
  created_by: string
  champion_model: string
  champion_version: number
  challenger_model: string
  challenger_version: number
  dataset_name: string
  dataset_rows: number
  dataset_retired_at: string | null
}

const SHADOW_SELECT = `SELECT s.*, mc.name AS champion_model, vc.version AS champion_version, mh.name AS challenger_model,
    vh.version AS challenger_version, d.name AS dataset_name, d.row_count AS dataset_rows, d.retired_at AS dataset_retired_at
  FROM shadow_comparisons s
  JOIN model_versions vc ON vc.id = s.champion_version_id JOIN models mc ON mc.id = vc.model_id
  JOIN model_versions vh ON vh.id = s.challenger_version_id JOIN models mh ON mh.id = vh.model_id
  JOIN datasets d ON d.id = s.dataset_id`

function toShadow(row: ShadowRow): ShadowComparison {
  return {
    id: row.id,
    champion: {
      model: row.champion_model,
      version: row.champion_version,
      versionId: row.champion_version_id,
    },
    challenger: {
      model: row.challenger_model,
      version: row.challenger_version,
      versionId: row.challenger_version_id,
    },
    dataset: {
      id: row.dataset_id,
      name: row.dataset_name,
      sha256: row.dataset_sha256,
      rows: row.dataset_rows,
      ...(row.dataset_retired_at ? { retiredAt: row.dataset_retired_at } : {}),
    },
    mapping: JSON.parse(row.mapping_json) as ShadowComparison['mapping'],
    onnxruntimeVersion: row.onnxruntime_version,
    settings: JSON.parse(row.settings_json) as ShadowComparison['settings'],
    result: (row.result_json ? JSON.parse(row.result_json) : null) as ShadowResult,
    createdAt: row.created_at,
    createdBy: row.created_by,
  }
}

export function getShadow(core: CoreContext, id: number): ShadowComparison {
  const row = core.db.prepare(`${SHADOW_SELECT} WHERE s.id = ?`).get(id) as ShadowRow | undefined
  if (!row) throw new SlipwayError('NOT_FOUND', `No shadow comparison with id ${id}`)
  return toShadow(row)
}

export function listShadows(core: CoreContext, model?: string): Omit<ShadowComparison, 'result'>[] {
  const rows = core.db
    .prepare(
      `${SHADOW_SELECT.replace('s.*', 's.id, s.champion_version_id, s.challenger_version_id, s.dataset_id, s.dataset_sha256, s.mapping_json, s.settings_json, s.onnxruntime_version, s.created_at, s.created_by')}
      ${model ? 'WHERE mc.name = ? OR mh.name = ?' : ''} ORDER BY s.id DESC LIMIT 500`,
    )
    .all(...(model ? [model, model] : [])) as ShadowRow[]
  return rows.map((row) => {
    const { result: _result, ...rest } = toShadow({ ...row, result_json: null })
    return rest
  })
}

export async function compareVersions(
  core: CoreContext,
  actor: Actor,
  champion: ModelVersionFile,
  challenger: ModelVersionFile,
  dataset: DatasetForRun,
  settings: RunSettings,
  job: JobContext,
): Promise<ShadowComparison> {
  const batchSize = settings.batchSize ?? DEFAULT_BATCH_SIZE
  const payload: ShadowPayload = {
    champion: modelPayload(core, champion, settings.mapping),
    challenger: modelPayload(core, challenger, settings.mapping),
    datasetPath: dataset.path,
    datasetTable: dataset.table,
    datasetName: dataset.name,
    ...importFields(dataset),
    label: settings.label ?? null,
    slice: settings.slice ?? null,
    batchSize,
    task: settings.task ?? null,
  }
  const output = await runOnDataset(core, dataset, 'shadow', payload, job)
  const now = new Date().toISOString()
  const storedSettings = {
    label: output.mapping.champion.label,
    slice: settings.slice ?? null,
    batchSize,
    costMatrix: null,
    task: settings.task ?? null,
  }
  const id = storingRun(core, dataset, () =>
    core.db
      .transaction(() => {
        recordPendingImport(core, actor, dataset)
        const info = core.db
          .prepare(
            `INSERT INTO shadow_comparisons (champion_version_id, challenger_version_id, dataset_id, dataset_sha256, mapping_json,
           settings_json, onnxruntime_version, result_json, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            champion.versionId,
            challenger.versionId,
            dataset.id,
            dataset.sha256,
            JSON.stringify(output.mapping),
            JSON.stringify(storedSettings),
            onnxruntimeVersion(),
            JSON.stringify(output.result),
            now,
            actor.name,
          )
        const shadowId = Number(info.lastInsertRowid)
        appendAudit(core, actor, {
          action: 'shadow.store',
          modelId: challenger.modelId,
          versionId: challenger.versionId,
          details: {
            shadowId,
            champion: champion.label,
            challenger: challenger.label,
            datasetSha256: dataset.sha256,
            agreementRate: output.result.agreementRate,
            mcnemar: output.result.mcnemar,
          },
        })
        return shadowId
      })
      .immediate(),
  )
  return getShadow(core, id)
}
