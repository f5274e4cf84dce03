// Past evaluations of the chosen version, newest first; one click shows its full result.
import type { EvaluationSummary } from '../../../../api/evaluation'
import { formatMetric, metricInfo } from '../../lib/charts/metrics'
import { formatCount, formatTime } from '../../lib/format'
import { useEvaluation } from '../../stores/evaluation'
import { hrefFor } from '../../stores/route'
import { ConfirmButton } from '../shared/ConfirmButton'
import { Text } from '../Text'

/** A multiclass result has no binary F1 (it is null): its macro F1 is the one worth a headline. */
const headlineKeys = (entry: EvaluationSummary): string[] =>
  entry.task === 'classification'
    ? [
        'accuracy',
        entry.headline.f1 == null && entry.headline.f1Macro != null ? 'f1Macro' : 'f1',
        'rocAuc',
      ]
    : ['rmse', 'mae', 'r2']

export function EvaluationHistory({
  history,
  openId,
}: {
  history: EvaluationSummary[]
  openId: number | null
}) {
  if (history.length === 0) return null
  return (
    <div className="card" data-testid="evaluation-history">
      <h2>Past evaluations of this version</h2>
      <table className="data compact">
        <thead>
          <tr>
            <th>#</th>
            <th>When</th>
            <th>Dataset</th>
            <th className="num">Rows</th>
            <th>Headline</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {history.map((entry) => (
            <tr
              key={entry.id}
              className={entry.id === openId ? 'selected' : undefined}
              data-testid="history-row"
            >
              <td>
                <a href={hrefFor('evaluate', entry.id)}>#{entry.id}</a>
              </td>
              <td className="muted">{formatTime(entry.createdAt)}</td>
              <td>
                <Text value={entry.dataset.name} max={60} />
              </td>
              <td className="num">{formatCount(entry.rows)}</td>
              <td className="muted">
                {headlineKeys(entry)
                  .filter((key) => key in entry.headline)
                  .map(
                    (key) => `${metricInfo(key).label} ${formatMetric(key, entry.headline[key])}`,
                  )
                  .join(' · ')}
              </td>
              <td className="actions">
                <ConfirmButton
                  label="Delete…"
                  ariaLabel={`Delete evaluation ${entry.id}`}
                  question={`Delete evaluation #${entry.id}? It can be restored from the trash for 30 days.`}
                  confirmLabel="Delete"
                  onConfirm={() => useEvaluation.getState().removeEvaluation(entry.id)}
                  testId="evaluation-delete"
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
