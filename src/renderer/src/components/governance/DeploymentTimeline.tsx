// Deployment history of a model: per alias, which version held it from when until when, who
// moved it, and who approved — drawn as bars on one time axis, with the table beneath.
import { useEffect } from 'react'
import { formatTime } from '../../lib/format'
import { useGovernance } from '../../stores/governance'
import { Text } from '../Text'
import type { HistoryEntry } from '../../../../api/governance'

/** Bars as percentages of the span from the first move to now: a pure function, tested. */
export function timelineBars(
  history: HistoryEntry[],
  now: number,
): { entry: HistoryEntry; left: number; width: number }[] {
  if (history.length === 0) return []
  const start = Math.min(...history.map((h) => Date.parse(h.from)))
  const span = Math.max(1, now - start)
  return history.map((entry) => {
    const from = Date.parse(entry.from)
    const until = entry.until ? Date.parse(entry.until) : now
    return {
      entry,
      left: ((from - start) / span) * 100,
      width: Math.max(0.5, ((until - from) / span) * 100),
    }
  })
}

export function DeploymentTimeline({ model }: { model: string }) {
  const { history, historyModel, loadHistory } = useGovernance()
  useEffect(() => {
    void loadHistory(model)
  }, [model, loadHistory])
  if (historyModel !== model || history.length === 0) return null
  const aliases = [...new Set(history.map((h) => h.alias))]
  const bars = timelineBars(history, Date.now())
  return (
    <div className="deployment-history" data-testid="deployment-history">
      <h2>Deployment history</h2>
      <div className="timeline">
        {aliases.map((alias) => (
          <div key={alias} className="timeline-row">
            <span className="timeline-label">
              <Text value={alias} max={40} />
            </span>
            <span className="timeline-track">
              {bars
                .filter((b) => b.entry.alias === alias)
                .map((b) => (
                  <span
                    key={b.entry.from}
                    className="timeline-bar"
                    style={{ left: `${b.left}%`, width: `${b.width}%` }}
                    title={`v${b.entry.version} from ${b.entry.from} until ${b.entry.until ?? 'now'}`}
                  >
                    v{b.entry.version}
                  </span>
                ))}
            </span>
          </div>
        ))}
      </div>
      <table className="data compact" data-testid="history-table">
        <thead>
          <tr>
            <th>Alias</th>
            <th>Version</th>
            <th>From</th>
            <th>Until</th>
            <th>Moved by</th>
            <th>Approved by</th>
          </tr>
        </thead>
        <tbody>
          {history.map((h) => (
            <tr key={`${h.alias}-${h.from}`} data-testid="history-row">
              <td>
                <Text value={h.alias} max={40} />
              </td>
              <td>{h.version === null ? '—' : `v${h.version}`}</td>
              <td>{formatTime(h.from)}</td>
              <td>{h.until ? formatTime(h.until) : 'now'}</td>
              <td>
                <Text value={h.movedBy} max={60} />
              </td>
              <td>
                {h.approvedBy.length ? h.approvedBy.join(', ') : '—'}
                {h.requestId && (
                  <span className="mono muted small"> · {h.requestId.slice(0, 8)}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
