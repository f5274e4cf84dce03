// Gate checks: evaluate a candidate, compare it with the champion's evaluation on the same data
// under the model's policy, and store both evaluations and the report together.
import type { Evaluation, GatePolicy, GateReport } from '../../api/evaluation'
import { SlipwayError } from '../../api/errors'
import type { Actor, CoreContext } from '../context'
import { appendAudit } from '../governance/audit'
import type { JobContext } from '../jobs/manager'
import { resolveModelFile, type ModelVersionFile } from '../registry/registry'
import { checkPolicy } from './gates'
import type { DatasetForRun } from './run-dataset'
import {
  getEvaluation,
  runEvaluation,
  storeEvaluation,
  type EvaluationRun,
  type RunSettings,
} from './service'

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
