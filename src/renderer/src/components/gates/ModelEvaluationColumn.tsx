// The model page's "Evaluation" column: each version's latest headline metric and gate result.
import { useEffect } from 'react'
import { displayText } from '../../../../api/display'
import { formatMetric, metricInfo } from '../../lib/charts/metrics'
import { useGates } from '../../stores/gates'
import { hrefFor } from '../../stores/route'

/** The column header; loads every version's status once per model. */
export function EvaluationColumnHeader({ model }: { model: string }) {
  const loadStatuses = useGates((state) => state.loadStatuses)
  useEffect(() => {
    void loadStatuses(model)
  }, [model, loadStatuses])
  return <th>Latest evaluation</th>
}

export function EvaluationCell({ model, version }: { model: string; version: number }) {
  const status = useGates((state) =>
    state.statuses[model]?.find((entry) => entry.version === version),
  )
  const evaluation = status?.latestEvaluation ?? null
  const gate = status?.latestGate ?? null
  const key = evaluation ? (evaluation.task === 'classification' ? 'accuracy' : 'rmse') : null
  return (
    <td data-testid="version-evaluation-cell">
      {evaluation && key ? (
        <a
          href={hrefFor('evaluate', evaluation.id)}
          title={`Evaluation #${evaluation.id} on ${displayText(evaluation.dataset.name, 80)}`}
        >
          {metricInfo(key).label} {formatMetric(key, evaluation.headline[key] ?? null)}
        </a>
      ) : (
        <span className="muted">—</span>
      )}
      {gate && (
        <span
          className={gate.passed ? 'pill pass' : 'pill fail'}
          title={
            gate.passed
              ? 'All gates passed'
              : `Failed: ${displayText(gate.failedRules.join(', '), 300)}`
          }
          data-testid="version-gate"
        >
          {gate.passed ? 'gates pass' : 'gates fail'}
        </span>
      )}
    </td>
  )
}
