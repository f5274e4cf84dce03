// Deleting stored results: an evaluation (refused while a gate report rests on it, naming the
// reports), a shadow comparison, a drift run (refused while a monitor's file record points at it).
// Each goes to the trash (restorable for 30 days) and is one audit record carrying what was
// deleted and the trash entry that restores it, so the trail still tells it.
import { SlipwayError } from '../../api/errors'
import type { Removed } from '../../api/trash'
import type { Actor, CoreContext } from '../context'
import { appendAudit } from '../governance/audit'
import { moveToTrash } from '../trash/trash'

export function removeEvaluation(core: CoreContext, actor: Actor, id: number): Removed {
  const { db } = core
  return db
    .transaction(() => {
      const row = db
        .prepare(
          `SELECT e.id, e.version_id, v.model_id, v.version, m.name AS model, e.dataset_id, d.name AS dataset, e.created_at
           FROM evaluations e JOIN model_versions v ON v.id = e.version_id JOIN models m ON m.id = v.model_id
           JOIN datasets d ON d.id = e.dataset_id WHERE e.id = ?`,
        )
        .get(id) as
        | {
            id: number
            version_id: number
            model_id: number
            version: number
            model: string
            dataset_id: number
            dataset: string
            created_at: string
          }
        | undefined
      if (!row) throw new SlipwayError('NOT_FOUND', `No evaluation with id ${id}`)
      const reports = (
        db
          .prepare(
            'SELECT id FROM gate_reports WHERE evaluation_id = ? OR baseline_evaluation_id = ? ORDER BY id',
          )
          .all(id, id) as { id: number }[]
      ).map((r) => r.id)
      if (reports.length)
        throw new SlipwayError(
          'CONFLICT',
          `Evaluation ${id} (${row.model} v${row.version}) is the basis of gate ${reports.length === 1 ? 'report' : 'reports'} ${reports.join(', ')}; it is kept as their evidence`,
        )
      const trashId = moveToTrash(db, actor, {
        kind: 'evaluation',
        id,
        title: `Evaluation ${id} (${row.model} v${row.version} on ${row.dataset})`,
        modelId: row.model_id,
      })
      appendAudit(core, actor, {
        action: 'evaluation.remove',
        modelId: row.model_id,
        versionId: row.version_id,
        details: { evaluationId: id, version: row.version, datasetId: row.dataset_id, trashId },
      })
      return { id, removed: true as const, trashId }
    })
    .immediate()
}

export function removeComparison(core: CoreContext, actor: Actor, id: number): Removed {
  const { db } = core
  return db
    .transaction(() => {
      const row = db
        .prepare(
          `SELECT s.id, s.champion_version_id, s.challenger_version_id, v.model_id, s.dataset_id,
             m.name AS model, v.version AS champion, w.version AS challenger
           FROM shadow_comparisons s JOIN model_versions v ON v.id = s.champion_version_id
           JOIN models m ON m.id = v.model_id JOIN model_versions w ON w.id = s.challenger_version_id
           WHERE s.id = ?`,
        )
        .get(id) as
        | {
            id: number
            champion_version_id: number
            challenger_version_id: number
            model_id: number
            dataset_id: number
            model: string
            champion: number
            challenger: number
          }
        | undefined
      if (!row) throw new SlipwayError('NOT_FOUND', `No comparison with id ${id}`)
      const trashId = moveToTrash(db, actor, {
        kind: 'comparison',
        id,
        title: `Comparison ${id} (${row.model} v${row.champion} vs v${row.challenger})`,
        modelId: row.model_id,
      })
      appendAudit(core, actor, {
        action: 'shadow.remove',
        modelId: row.model_id,
        details: {
          comparisonId: id,
          championVersionId: row.champion_version_id,
          challengerVersionId: row.challenger_version_id,
          datasetId: row.dataset_id,
          trashId,
        },
      })
      return { id, removed: true as const, trashId }
    })
    .immediate()
}

export function removeDriftRun(core: CoreContext, actor: Actor, id: number): Removed {
  const { db } = core
  return db
    .transaction(() => {
      const row = db
        .prepare('SELECT id, model_id, version_id, monitor_id FROM drift_runs WHERE id = ?')
        .get(id) as
        | {
            id: number
            model_id: number | null
            version_id: number | null
            monitor_id: number | null
          }
        | undefined
      if (!row) throw new SlipwayError('NOT_FOUND', `No drift run #${id}`)
      const file = db
        .prepare('SELECT path FROM drift_monitor_files WHERE run_id = ? LIMIT 1')
        .get(id) as { path: string } | undefined
      if (file)
        throw new SlipwayError(
          'CONFLICT',
          `Drift run ${id} is the record of a monitored file; deleting it would make the monitor run that file again. Delete the monitor to drop its runs`,
        )
      const trashId = moveToTrash(db, actor, {
        kind: 'drift-run',
        id,
        title: `Drift run ${id}`,
        modelId: row.model_id,
      })
      appendAudit(core, actor, {
        action: 'drift.run.remove',
        modelId: row.model_id,
        versionId: row.version_id,
        details: { runId: id, trashId },
      })
      return { id, removed: true as const, trashId }
    })
    .immediate()
}
