// Evaluation, shadow and gate services: resolve versions and datasets, run the worker tasks as
// jobs, and store every result with its version, dataset sha256, mapping, runtime and settings.
import type { FileRef } from '../../api/common'
import type {
  ColumnMapping,
  CostMatrix,
  DatasetInput,
  Evaluation,
  EvaluationResult,
  EvaluationSummary,
  GatePolicy,
  GateReport,
  ResolvedMapping,
  ShadowComparison,
  ShadowResult,
  Task,
} from '../../api/evaluation'
import { GatePolicy as GatePolicySchema } from '../../api/evaluation'
import { SlipwayError } from '../../api/errors'
import type { Actor, CallContext, CoreContext } from '../context'
import {
  abandonImport,
  beginImport,
  completeImport,
  datasetPath,
  getDataset,
  removeDataset,
  type PendingImport,
} from '../data/import'
import type { DescribedFile } from '../data/tasks'
import { appendAudit, type AuditRecord } from '../governance/audit'
import type { JobContext } from '../jobs/manager'
import { runTask } from '../jobs/run-task'
import { onnxruntimeVersion } from '../onnx/version'
import { resolveModelFile, type ModelVersionFile } from '../registry/registry'
import type { ShadowPayload } from '../shadow/compare'
import {
  DEFAULT_BATCH_SIZE,
  type EvaluateOutput,
  type EvaluatePayload,
  type ModelPayload,
} from './evaluate'
import { checkPolicy } from './gates'

export interface DatasetForRun {
  /** 0 while `pending`: the row is written once the run's parse has described the file. */
  id: number
  name: string
  sha256: string
  path: string
  /** True when this run imported the file itself (it did not exist before). */
  importedNow?: boolean
  /** A file this run imports from its own parse (see `beginImport`). */
  pending?: PendingImport
  /** The import's audit record, written with the run's result (see ImportOptions.deferAudit). */
  pendingAudit?: AuditRecord
}

/**
 * What a run's payload says about a pending import: describe the table, and read the file by its
 * own name (parse messages and format detection go by it, as the import's would).
 */
const importFields = (dataset: DatasetForRun): { describe?: true; datasetFileName?: string } =>
  dataset.pending ? { describe: true, datasetFileName: dataset.pending.file.fileName } : {}

/** Writes the dataset row of a pending import from the description the run returned. */
function finishImport(
  core: CoreContext,
  dataset: DatasetForRun,
  described: DescribedFile | undefined,
): void {
  const pending = dataset.pending
  if (!pending) return
  if (!described) throw new SlipwayError('INTERNAL', `${dataset.name}: the run did not describe it`)
  dataset.pending = undefined
  const imported = completeImport(core, pending, described, (record) => {
    dataset.pendingAudit = record
  })
  dataset.id = imported.id
  dataset.importedNow = !imported.existing
}

/** Inside the transaction storing a run's result: records the import of the run's dataset first. */
function recordPendingImport(core: CoreContext, actor: Actor, dataset: DatasetForRun): void {
  if (!dataset.pendingAudit) return
  appendAudit(core, actor, dataset.pendingAudit)
  dataset.pendingAudit = undefined
}

/**
 * Stores a run's result; a dataset removed (by another call or process) while it was being
 * evaluated is said in words instead of SQLite's foreign-key error.
 */
function storingRun<T>(core: CoreContext, dataset: DatasetForRun, store: () => T): T {
  try {
    return store()
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    const gone = !core.db.prepare('SELECT 1 FROM datasets WHERE id = ?').get(dataset.id)
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' && gone)
      throw new SlipwayError(
        'NOT_FOUND',
        `Dataset "${dataset.name}" (id ${dataset.id}) was removed while it was being evaluated, so the result was not stored; import it again and rerun`,
      )
    throw error
  }
}

/**
 * Runs `work` on the prepared dataset; when the work fails or is cancelled, a dataset this run
 * imported from a file is removed again, so a failed call leaves no row and no blob behind.
 */
export async function withDataset<T>(
  core: CoreContext,
  actor: Actor,
  prepare: (job: JobContext) => Promise<DatasetForRun>,
  job: JobContext,
  work: (dataset: DatasetForRun) => Promise<T>,
): Promise<T> {
  const dataset = await prepare(job)
  try {
    return await work(dataset)
  } catch (error) {
    if (dataset.pending) abandonImport(core, dataset.pending)
    if (dataset.importedNow) {
      try {
        removeDataset(core, dataset.id, actor, { audit: !dataset.pendingAudit })
      } catch {
        // Something (another process) now refers to it: it is theirs to keep.
      }
    }
    throw error
  }
}

/**
 * Checks the dataset argument now (a missing file or unknown dataset fails the call, not the
 * job) and returns what the job runs: importing a file so its sha256 is recorded.
 */
export function prepareDataset(
  core: CoreContext,
  input: DatasetInput,
  call: CallContext,
): (job: JobContext) => Promise<DatasetForRun> {
  if ('datasetId' in input) {
    const detail = getDataset(core, input.datasetId)
    return async () => ({
      id: detail.id,
      name: detail.name,
      sha256: detail.sha256,
      path: datasetPath(core, detail.id),
    })
  }
  const file = core.resolveFile(input as FileRef, call)
  return async (job) => {
    job.progress(0, null, `Storing ${file.fileName}`)
    const begun = await beginImport(core, file, { actor: call.actor, signal: job.signal })
    if ('existing' in begun) {
      const { id, name, sha256 } = begun.existing
      return { id, name, sha256, path: datasetPath(core, id) }
    }
    const { pending } = begun
    return {
      id: 0,
      name: pending.name,
      sha256: pending.blob.sha256,
      path: pending.blob.path,
      pending,
    }
  }
}

export function getSavedMapping(core: CoreContext, modelId: number): ColumnMapping | null {
  const row = core.db
    .prepare('SELECT mapping_json FROM column_mappings WHERE model_id = ?')
    .get(modelId) as { mapping_json: string } | undefined
  return row ? (JSON.parse(row.mapping_json) as ColumnMapping) : null
}

export function setSavedMapping(
  core: CoreContext,
  actor: Actor,
  modelId: number,
  modelName: string,
  mapping: ColumnMapping | null,
): ColumnMapping | null {
  core.db
    .transaction(() => {
      if (mapping === null)
        core.db.prepare('DELETE FROM column_mappings WHERE model_id = ?').run(modelId)
      else {
        core.db
          .prepare(
            `INSERT INTO column_mappings (model_id, mapping_json, updated_at, updated_by) VALUES (?, ?, ?, ?)
           ON CONFLICT (model_id) DO UPDATE SET mapping_json = excluded.mapping_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
          )
          .run(modelId, JSON.stringify(mapping), new Date().toISOString(), actor.name)
      }
      appendAudit(core, actor, {
        action: 'mapping.set',
        modelId,
        details: { model: modelName, mapping },
      })
    })
    .immediate()
  return mapping
}

export interface RunSettings {
  label?: string
  slice?: string
  mapping?: ColumnMapping
  costMatrix?: CostMatrix
  batchSize?: number
  task?: Task
}

function modelPayload(
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
}

const EVALUATION_SELECT = `SELECT e.*, m.name AS model, v.version AS version, d.name AS dataset_name, d.row_count AS dataset_rows
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

function storeEvaluation(
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

interface EvaluationRun {
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
async function runEvaluation(
  core: CoreContext,
  version: ModelVersionFile,
  dataset: DatasetForRun,
  settings: RunSettings,
  job: JobContext,
): Promise<EvaluationRun> {
  const payload: EvaluatePayload = {
    ...modelPayload(core, version, settings.mapping),
    datasetPath: dataset.path,
    datasetName: dataset.name,
    ...importFields(dataset),
    label: settings.label ?? null,
    slice: settings.slice ?? null,
    costMatrix: settings.costMatrix ?? null,
    batchSize: settings.batchSize ?? DEFAULT_BATCH_SIZE,
    task: settings.task ?? null,
  }
  const output = await runTask('evaluate', payload, {
    signal: job.signal,
    onProgress: job.progress,
  })
  if (job.signal.aborted) throw new SlipwayError('CANCELLED', 'Cancelled')
  finishImport(core, dataset, output.described)
  return {
    output,
    settings: {
      label: output.mapping.label,
      slice: settings.slice ?? null,
      batchSize: payload.batchSize!,
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

// Shadow comparisons

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
}

const SHADOW_SELECT = `SELECT s.*, mc.name AS champion_model, vc.version AS champion_version, mh.name AS challenger_model,
    vh.version AS challenger_version, d.name AS dataset_name, d.row_count AS dataset_rows
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
  const payload: ShadowPayload = {
    champion: modelPayload(core, champion, settings.mapping),
    challenger: modelPayload(core, challenger, settings.mapping),
    datasetPath: dataset.path,
    datasetName: dataset.name,
    ...importFields(dataset),
    label: settings.label ?? null,
    slice: settings.slice ?? null,
    batchSize: settings.batchSize ?? DEFAULT_BATCH_SIZE,
    task: settings.task ?? null,
  }
  const output = await runTask('shadow', payload, {
    signal: job.signal,
    onProgress: job.progress,
  })
  if (job.signal.aborted) throw new SlipwayError('CANCELLED', 'Cancelled')
  finishImport(core, dataset, output.described)
  const now = new Date().toISOString()
  const storedSettings = {
    label: output.mapping.champion.label,
    slice: settings.slice ?? null,
    batchSize: payload.batchSize!,
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

// Gates

export function getPolicy(core: CoreContext, modelId: number): GatePolicy | null {
  const row = core.db
    .prepare('SELECT policy_json FROM gate_policies WHERE model_id = ?')
    .get(modelId) as { policy_json: string } | undefined
  return row ? GatePolicySchema.parse(JSON.parse(row.policy_json)) : null
}

export function setPolicy(
  core: CoreContext,
  actor: Actor,
  modelId: number,
  modelName: string,
  policy: GatePolicy,
): GatePolicy {
  core.db
    .transaction(() => {
      core.db
        .prepare(
          `INSERT INTO gate_policies (model_id, policy_json, updated_at, updated_by) VALUES (?, ?, ?, ?)
         ON CONFLICT (model_id) DO UPDATE SET policy_json = excluded.policy_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        )
        .run(modelId, JSON.stringify(policy), new Date().toISOString(), actor.name)
      appendAudit(core, actor, {
        action: 'gate-policy.set',
        modelId,
        details: { model: modelName, policy },
      })
    })
    .immediate()
  return policy
}

interface GateRow {
  id: number
  version_id: number
  evaluation_id: number
  baseline_version_id: number | null
  baseline_evaluation_id: number | null
  passed: number
  policy_json: string
  rules_json: string
  created_at: string
  created_by: string
  model: string
  version: number
  baseline_version: number | null
}

const GATE_SELECT = `SELECT g.*, m.name AS model, v.version AS version, bv.version AS baseline_version
  FROM gate_reports g JOIN model_versions v ON v.id = g.version_id JOIN models m ON m.id = v.model_id
  LEFT JOIN model_versions bv ON bv.id = g.baseline_version_id`

function toGateReport(core: CoreContext, row: GateRow): GateReport {
  const evaluation = core.db
    .prepare(
      'SELECT e.dataset_id, e.dataset_sha256, d.name, d.row_count FROM evaluations e JOIN datasets d ON d.id = e.dataset_id WHERE e.id = ?',
    )
    .get(row.evaluation_id) as {
    dataset_id: number
    dataset_sha256: string
    name: string
    row_count: number
  }
  return {
    id: row.id,
    model: row.model,
    version: row.version,
    versionId: row.version_id,
    passed: row.passed === 1,
    policy: JSON.parse(row.policy_json) as GatePolicy,
    baseline:
      row.baseline_version !== null && row.baseline_evaluation_id !== null
        ? { version: row.baseline_version, evaluationId: row.baseline_evaluation_id }
        : null,
    evaluationId: row.evaluation_id,
    dataset: {
      id: evaluation.dataset_id,
      name: evaluation.name,
      sha256: evaluation.dataset_sha256,
      rows: evaluation.row_count,
    },
    rules: JSON.parse(row.rules_json) as GateReport['rules'],
    createdAt: row.created_at,
    createdBy: row.created_by,
  }
}

export function getGateReport(core: CoreContext, id: number): GateReport {
  const row = core.db.prepare(`${GATE_SELECT} WHERE g.id = ?`).get(id) as GateRow | undefined
  if (!row) throw new SlipwayError('NOT_FOUND', `No gate report with id ${id}`)
  return toGateReport(core, row)
}

export function listGateReports(core: CoreContext, model: string, version?: number): GateReport[] {
  const rows = core.db
    .prepare(
      `${GATE_SELECT} WHERE m.name = ? ${version ? 'AND v.version = ?' : ''} ORDER BY g.id DESC LIMIT 500`,
    )
    .all(...(version ? [model, version] : [model])) as GateRow[]
  return rows.map((row) => toGateReport(core, row))
}

/**
 * The champion's evaluation on the same data and label: reused when stored, else run now (and
 * stored by the caller together with the gate report, so a failed or cancelled check stores nothing).
 */
async function championEvaluation(
  core: CoreContext,
  candidate: ModelVersionFile,
  candidateLabel: string | null,
  dataset: DatasetForRun,
  settings: RunSettings,
  job: JobContext,
  candidateRun?: EvaluationRun,
): Promise<
  | { version: ModelVersionFile; evaluation: Evaluation; run?: never }
  | { version: ModelVersionFile; run: EvaluationRun; evaluation?: never }
  | null
> {
  const holder = core.db
    .prepare(
      'SELECT v.version FROM aliases a JOIN model_versions v ON v.id = a.version_id WHERE a.model_id = ? AND a.alias = ?',
    )
    .get(candidate.modelId, 'champion') as { version: number } | undefined
  if (!holder) return null
  const champion = resolveModelFile(core, candidate.model, holder.version)
  if (candidateRun && champion.versionId === candidate.versionId)
    return { version: champion, run: candidateRun }
  const stored = core.db
    .prepare(
      'SELECT id, settings_json, mapping_json FROM evaluations WHERE version_id = ? AND dataset_sha256 = ? ORDER BY id DESC',
    )
    .all(champion.versionId, dataset.sha256) as {
    id: number
    settings_json: string
    mapping_json: string
  }[]
  // Reused only when a run now would read the same columns the same way: an evaluation made with a
  // hand-written (or since-changed saved) mapping, another task or slice is not this baseline.
  const same = stored.find((row) => {
    const was = JSON.parse(row.settings_json) as Evaluation['settings']
    const mapping = JSON.parse(row.mapping_json) as Evaluation['mapping']
    return (
      was.label === candidateLabel &&
      (was.task ?? null) === (settings.task ?? null) &&
      !settings.mapping &&
      (mapping.source === 'feature_names' ||
        mapping.source === 'input_names' ||
        (mapping.source === 'numeric_columns' && (was.slice ?? null) === (settings.slice ?? null)))
    )
  })
  if (same) return { version: champion, evaluation: getEvaluation(core, same.id) }
  job.progress(0, null, `Evaluating the champion (${champion.label}) on ${dataset.name}`)
  const label = candidateLabel ?? undefined
  return {
    version: champion,
    run: await runEvaluation(core, champion, dataset, { ...settings, label }, job),
  }
}

export async function checkGates(
  core: CoreContext,
  actor: Actor,
  candidate: ModelVersionFile,
  dataset: DatasetForRun,
  policy: GatePolicy,
  settings: RunSettings,
  job: JobContext,
): Promise<GateReport> {
  const candidateRun = await runEvaluation(core, candidate, dataset, settings, job)
  const championRun = await championEvaluation(
    core,
    candidate,
    candidateRun.settings.label,
    dataset,
    settings,
    job,
    candidateRun,
  )
  const rules = checkPolicy(
    policy,
    candidateRun.output.result,
    championRun
      ? championRun.evaluation
        ? championRun.evaluation.result
        : championRun.run.output.result
      : null,
  )
  const passed = rules.every((r) => r.passed)
  if (job.signal.aborted) throw new SlipwayError('CANCELLED', 'Cancelled')
  // Both evaluations and the report land together: a check that fails half-way stores nothing.
  const id = core.db
    .transaction(() => {
      const evaluation = storeEvaluation(
        core,
        actor,
        candidate,
        dataset,
        candidateRun.output,
        candidateRun.settings,
      )
      const champion = championRun && {
        version: championRun.version,
        evaluation:
          championRun.evaluation ??
          (championRun.run === candidateRun
            ? evaluation
            : storeEvaluation(
                core,
                actor,
                championRun.version,
                dataset,
                championRun.run.output,
                championRun.run.settings,
              )),
      }
      const info = core.db
        .prepare(
          `INSERT INTO gate_reports (version_id, evaluation_id, baseline_version_id, baseline_evaluation_id, passed, policy_json, rules_json, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          candidate.versionId,
          evaluation.id,
          champion?.version.versionId ?? null,
          champion?.evaluation.id ?? null,
          passed ? 1 : 0,
          JSON.stringify(policy),
          JSON.stringify(rules),
          new Date().toISOString(),
          actor.name,
        )
      const reportId = Number(info.lastInsertRowid)
      appendAudit(core, actor, {
        action: 'gate.check',
        modelId: candidate.modelId,
        versionId: candidate.versionId,
        details: {
          reportId,
          passed,
          evaluationId: evaluation.id,
          champion: champion?.version.label ?? null,
          failed: rules.filter((r) => !r.passed).map((r) => r.rule),
        },
      })
      return reportId
    })
    .immediate()
  return getGateReport(core, id)
}
