// On the model page: any evaluations of the model, hand-picked, side by side (as MLflow compares
// runs): every metric they have as a row, the best of each row marked, each column linked to its
// evaluation.
import { useEffect, useMemo } from 'react'
import type { EvaluationSummary } from '../../../../api/evaluation'
import { formatMetric, metricInfo } from '../../lib/charts/metrics'
import { formatTime } from '../../lib/format'
import { sideBySide } from '../../lib/side-by-side'
import { hrefFor } from '../../stores/route'
import { useSideBySide } from '../../stores/side-by-side'
import { ErrorNote } from '../ErrorNote'
import { Text } from '../Text'

export function EvaluationsSideBySide({
  model,
  evaluations,
}: {
  model: string
  evaluations: EvaluationSummary[]
}) {
  const { picked, loaded, error, toggle, clear, forModel } = useSideBySide()
  useEffect(() => forModel(model), [model, forModel])
  const columns = useMemo(
    () => picked.flatMap((id) => (loaded[id] ? [loaded[id]] : [])),
    [picked, loaded],
  )
  const rows = useMemo(() => sideBySide(columns), [columns])
  if (evaluations.length < 2) return null
  return (
    <div className="card" data-testid="side-by-side">
      <h2>Compare evaluations</h2>
      <p className="muted small">
        Pick any evaluations of {model} — other versions, other datasets — to see all their metrics
        side by side.
      </p>
      <fieldset className="pick-list">
        <legend className="muted small">Evaluations</legend>
        {evaluations.map((evaluation) => (
          <label key={evaluation.id} className="pick" data-testid="side-by-side-pick">
            <input
              type="checkbox"
              checked={picked.includes(evaluation.id)}
              onChange={() => void toggle(evaluation.id)}
            />{' '}
            #{evaluation.id} · v{evaluation.version} on{' '}
            <Text value={evaluation.dataset.name} max={40} />{' '}
            <span className="muted small">{formatTime(evaluation.createdAt)}</span>
          </label>
        ))}
      </fieldset>
      <ErrorNote message={error} />
      {columns.length < 2 ? (
        <p className="muted" data-testid="side-by-side-empty">
          Pick two or more evaluations to compare them.
        </p>
      ) : (
        <>
          <div className="scroll-x">
            <table className="data compact" data-testid="side-by-side-table">
              <thead>
                <tr>
                  <th>Metric</th>
                  {columns.map((evaluation) => (
                    <th key={evaluation.id} className="num" data-testid="side-by-side-column">
                      <a href={hrefFor('evaluate', evaluation.id)}>
                        #{evaluation.id} · v{evaluation.version}
                      </a>
                      <div className="muted small">
                        <Text value={evaluation.dataset.name} max={30} />
                      </div>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.key} data-testid="side-by-side-row" data-metric={row.key}>
                    <th scope="row">{metricInfo(row.key).label}</th>
                    {row.values.map((value, index) => (
                      <td
                        key={columns[index]?.id ?? index}
                        className={`num${row.best.includes(index) ? ' best' : ''}`}
                        data-best={row.best.includes(index) ? 'yes' : undefined}
                      >
                        {formatMetric(row.key, value)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted small">
            Bold: the best value of the row.{' '}
            <button type="button" className="link" onClick={clear}>
              Clear the picks
            </button>
          </p>
        </>
      )}
    </div>
  )
}
