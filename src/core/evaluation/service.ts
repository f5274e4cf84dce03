// Evaluation service: run one version on a dataset in a worker as a job, and store the result with
// its version, dataset sha256, mapping, runtime and settings. Shadow comparisons live in
// core/shadow/service.ts, gate checks in ./gates-service.ts.
import type {
  ColumnMapping,
  CostMatrix,
  Evaluation,
  EvaluationResult,
  EvaluationSummary,
  ResolvedMapping,
  Task,
} from '../../api/evaluation'
import { SlipwayError } from '../../api/errors'
import type { Actor, CoreContext } from '../context'
import { appendAudit } from '../governance/audit'
import type { JobContext } from '../jobs/manager'
import { onnxruntimeVersion } from '../onnx/version'
import type { ModelVersionFile } from '../registry/registry'
import {
  DEFAULT_BATCH_SIZE,
  type EvaluateOutput,
  type EvaluatePayload,
  type ModelPayload,
} from './evaluate'
import { getSavedMapping } from './model-settings'
import {
  runOnDataset,
  importFields,
  recordPendingImport,
  storingRun,
  type DatasetForRun,
} from './run-dataset'

export interface RunSettings {
  label?: string
  slice?: string
  mapping?: ColumnMapping
  costMatrix?: CostMatrix
  batchSize?: number
  task?: Task
}

export function modelPayload(
  core: CoreContext,
  version: ModelVersionFile,
  explicit: ColumnMapping | undefined,
): ModelPayload {
  if (explicit)
    return {
      modelPath: version.path,
      modelLabel: version.label,
      onnx: version.onnx,
      mapping: explicit,
      mappingSource: 'explicit',
    }
  return {
    modelPath: version.path,
    modelLabel: version.label,
    onnx: version.onnx,
    savedMapping: getSavedMapping(core, version.modelId),
  }
}

const HEADLINE = [
  'accuracy',
  'f1',
  'f1Macro',
  'rocAuc',
  'prAuc',
  'logLoss',
  'mae',
  'rmse',
  'r2',
  'mape',
]

export function headline(result: EvaluationResult): Record<string, number | null> {
  const metrics = result.metrics as Record<string, unknown>
  const out: Record<string, number | null> = {}
  for (const key of HEADLINE) if (key in metrics) out[key] = (metrics[key] as number | null) ?? null
  out['latency.p95Ms'] = result.latency.p95Ms
  return out
}

interface EvaluationRow {
  id: number
  version_id: number
  dataset_id: number
  dataset_sha256: string
  task: Task
  row_count: number
  mapping_json: string
  settings_json: string
  onnxruntime_version: string
  headline_json: string
  result_json: string
  created_at: string
  created_by: string
  model: string
  version: number
  dataset_name: string
  dataset_rows: number
  dataset_retired_at: string | null
}

const EVALUATION_SELECT = `SELECT e.*, m.name AS model, v.version AS version, d.name AS dataset_name, d.row_count AS dataset_rows, d.retired_at AS dataset_retired_at
  FROM evaluations e JOIN model_versions v ON v.id = e.version_id JOIN models m ON m.id = v.model_id JOIN datasets d ON d.id = e.dataset_id`

function toEvaluation(row: EvaluationRow): Evaluation {
  return {
    id: row.id,
    model: row.model,
    version: row.version,
    versionId: row.version_id,
    dataset: {
      id: row.dataset_id,
      name: row.dataset_name,
      sha256: row.dataset_sha256,
      rows: row.dataset_rows,
      ...(row.dataset_retired_at ? { retiredAt: row.dataset_retired_at } : {}),
    },
    mapping: JSON.parse(row.mapping_json) as ResolvedMapping,
    onnxruntimeVersion: row.onnxruntime_version,
    settings: JSON.parse(row.settings_json) as Evaluation['settings'],
    result: JSON.parse(row.result_json) as EvaluationResult,
    createdAt: row.created_at,
    createdBy: row.created_by,
  }
}

function toSummary(row: EvaluationRow): EvaluationSummary {
  const {
    result: _result,
    mapping: _mapping,
    ...rest
  } = toEvaluation({ ...row, result_json: 'null' })
  return {
    ...rest,
    task: row.task,
    rows: row.row_count,
    headline: JSON.parse(row.headline_json) as Record<string, number | null>,
  }
}

export function getEvaluation(core: CoreContext, id: number): Evaluation {
  const row = core.db.prepare(`${EVALUATION_SELECT} WHERE e.id = ?`).get(id) as
    EvaluationRow | undefined
  if (!row) throw new SlipwayError('NOT_FOUND', `No evaluation with id ${id}`)
  return toEvaluation(row)
}

export function listEvaluations(
  core: CoreContext,
  filter: { model?: string; version?: number },
): EvaluationSummary[] {
  const where: string[] = []
  const args: (string | number)[] = []
  if (filter.model) {
    where.push('m.name = ?')
    args.push(filter.model)
  }
  if (filter.version) {
    where.push('v.version = ?')
    args.push(filter.version)
  }
  const sql = `${EVALUATION_SELECT.replace('e.*', 'e.id, e.version_id, e.dataset_id, e.dataset_sha256, e.task, e.row_count, e.mapping_json, e.settings_json, e.onnxruntime_version, e.headline_json, e.created_at, e.created_by')}
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.id DESC LIMIT 500`
  return (core.db.prepare(sql).all(...args) as EvaluationRow[]).map(toSummary)
}

export function storeEvaluation(
  core: CoreContext,
  actor: Actor,
  version: ModelVersionFile,
  dataset: DatasetForRun,
  output: EvaluateOutput,
  settings: Evaluation['settings'],
): Evaluation {
  const now = new Date().toISOString()
  const id = storingRun(core, dataset, () =>
    core.db
      .transaction(() => {
        recordPendingImport(core, actor, dataset)
        const info = core.db
          .prepare(
            `INSERT INTO evaluations (version_id, dataset_id, dataset_sha256, task, row_count, mapping_json, settings_json,
           onnxruntime_version, headline_json, result_json, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            version.versionId,
            dataset.id,
            dataset.sha256,
            output.result.task,
            output.result.rows,
            JSON.stringify(output.mapping),
            JSON.stringify(settings),
            onnxruntimeVersion(),
            JSON.stringify(headline(output.result)),
            JSON.stringify(output.result),
            now,
            actor.name,
          )
        const evaluationId = Number(info.lastInsertRowid)
        appendAudit(core, actor, {
          action: 'evaluation.store',
          modelId: version.modelId,
          versionId: version.versionId,
          details: {
            evaluationId,
            version: version.version,
            datasetId: dataset.id,
            datasetSha256: dataset.sha256,
            task: output.result.task,
            headline: headline(output.result),
          },
        })
        return evaluationId
      })
      .immediate(),
  )
  return getEvaluation(core, id)
}

export interface EvaluationRun {
  output: EvaluateOutput
  settings: Evaluation['settings']
}

/** Evaluates one version on a prepared dataset inside a job, and stores the result. */
export async function evaluateVersion(
  core: CoreContext,
  actor: Actor,
  version: ModelVersionFile,
  dataset: DatasetForRun,
  settings: RunSettings,
  job: JobContext,
): Promise<Evaluation> {
  const run = await runEvaluation(core, version, dataset, settings, job)
  return storeEvaluation(core, actor, version, dataset, run.output, run.settings)
}

/** Runs the evaluation in a worker without storing it. */
export async function runEvaluation(
  core: CoreContext,
  version: ModelVersionFile,
  dataset: DatasetForRun,
  settings: RunSettings,
  job: JobContext,
): Promise<EvaluationRun> {
  const batchSize = settings.batchSize ?? DEFAULT_BATCH_SIZE
  const payload: EvaluatePayload = {
    ...modelPayload(core, version, settings.mapping),
    datasetPath: dataset.path,
    datasetTable: dataset.table,
    datasetName: dataset.name,
    ...importFields(dataset),
    label: settings.label ?? null,
    slice: settings.slice ?? null,
    costMatrix: settings.costMatrix ?? null,
    batchSize,
    task: settings.task ?? null,
  }
  const output = await runOnDataset(core, dataset, 'evaluate', payload, job)
  return {
    output,
    settings: {
      label: output.mapping.label,
      slice: settings.slice ?? null,
      batchSize,
      costMatrix: settings.costMatrix ?? null,
      task: settings.task ?? null,
    },
  }
}

/**
 * Per version of a model: its latest evaluation and its latest gate report. One statement finds
 * the latest ids of every version (index lookups), and only versions that have one read the row:
 * a model with 10,000 unevaluated versions costs one query, not 20,000.
 */
export function latestForModel(core: CoreContext, model: string) {
  const versions = core.db
    .prepare(
      `SELECT v.id, v.version,
         (SELECT e.id FROM evaluations e WHERE e.version_id = v.id ORDER BY e.id DESC LIMIT 1) AS evaluation_id,
         (SELECT g.id FROM gate_reports g WHERE g.version_id = v.id ORDER BY g.id DESC LIMIT 1) AS gate_id
       FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = ? ORDER BY v.version DESC`,
    )
    .all(model) as {
    id: number
    version: number
    evaluation_id: number | null
    gate_id: number | null
  }[]
  if (!versions.length && !core.db.prepare('SELECT 1 FROM models WHERE name = ?').get(model)) {
    throw new SlipwayError('NOT_FOUND', `No model named "${model}" in this registry`)
  }
  const evaluation = core.db.prepare(
    `${EVALUATION_SELECT.replace('e.*', 'e.id, e.version_id, e.dataset_id, e.dataset_sha256, e.task, e.row_count, e.mapping_json, e.settings_json, e.onnxruntime_version, e.headline_json, e.created_at, e.created_by')} WHERE e.id = ?`,
  )
  const gateReport = core.db.prepare(
    'SELECT id, passed, created_at, rules_json FROM gate_reports WHERE id = ?',
  )
  return versions.map((v) => {
    const row =
      v.evaluation_id === null
        ? undefined
        : (evaluation.get(v.evaluation_id) as EvaluationRow | undefined)
    const gate =
      v.gate_id === null
        ? undefined
        : (gateReport.get(v.gate_id) as
            { id: number; passed: number; created_at: string; rules_json: string } | undefined)
    return {
      version: v.version,
      latestEvaluation: row ? toSummary(row) : null,
      latestGate: gate
        ? {
            id: gate.id,
            passed: gate.passed === 1,
            createdAt: gate.created_at,
            failedRules: (JSON.parse(gate.rules_json) as { rule: string; passed: boolean }[])
              .filter((r) => !r.passed)
              .map((r) => r.rule),
          }
        : null,
    }
  })
}
