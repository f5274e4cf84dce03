// Past comparisons of the champion's model, newest first; one click shows the full comparison.
import type { PastComparison } from '../../stores/shadow'
import { formatCount, formatTime } from '../../lib/format'
import { hrefFor } from '../../stores/route'
import { useShadow } from '../../stores/shadow'
import { ConfirmButton } from '../shared/ConfirmButton'
import { Text } from '../Text'

export function CompareHistory({
  history,
  openId,
}: {
  history: PastComparison[]
  openId: number | null
}) {
  if (history.length === 0) return null
  return (
    <div className="card" data-testid="compare-history">
      <h2>Past comparisons</h2>
      <table className="data compact">
        <thead>
          <tr>
            <th>#</th>
            <th>When</th>
            <th>Champion</th>
            <th>Challenger</th>
            <th>Dataset</th>
            <th className="num">Rows</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {history.map((entry) => (
            <tr
              key={entry.id}
              className={entry.id === openId ? 'selected' : undefined}
              data-testid="compare-history-row"
            >
              <td>
                <a href={hrefFor('compare', entry.id)}>#{entry.id}</a>
              </td>
              <td className="muted">{formatTime(entry.createdAt)}</td>
              <td>
                <Text value={entry.champion.model} max={40} /> v{entry.champion.version}
              </td>
              <td>
                <Text value={entry.challenger.model} max={40} /> v{entry.challenger.version}
              </td>
              <td>
                <Text value={entry.dataset.name} max={40} />
              </td>
              <td className="num">{formatCount(entry.dataset.rows)}</td>
              <td className="actions">
                <ConfirmButton
                  label="Delete…"
                  ariaLabel={`Delete comparison ${entry.id}`}
                  question={`Delete comparison #${entry.id}? It can be restored from the trash for 30 days.`}
                  confirmLabel="Delete"
                  onConfirm={() => useShadow.getState().removeComparison(entry.id)}
                  testId="comparison-delete"
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
