// Stored drift runs (of the chosen model, or all): when, which data, the verdict; a click opens one.
import type { DriftRunSummary, DriftStatus } from '../../../../api/drift'
import { formatShare } from '../../lib/charts/drift-format'
import { formatTime } from '../../lib/format'
import { useDrift } from '../../stores/drift'
import { ErrorNote } from '../ErrorNote'
import { Text } from '../Text'

const STATUS_LABELS: Record<DriftStatus, string> = {
  'no-drift': 'no drift',
  'drifting-columns': 'drifting columns',
  'dataset-drift': 'dataset drift',
}

export const statusLabel = (status: DriftStatus): string => STATUS_LABELS[status]

export function RunHistory({
  runs,
  openRunId,
}: {
  runs: DriftRunSummary[]
  openRunId: number | null
}) {
  const historyError = useDrift((state) => state.historyError)
  const openRun = useDrift((state) => state.openRun)
  return (
    <div className="card" data-testid="drift-history">
      <h2>Run history</h2>
      <ErrorNote message={historyError} />
      {runs.length === 0 ? (
        <p className="muted">No stored drift runs yet.</p>
      ) : (
        <table className="data compact">
          <thead>
            <tr>
              <th>Run</th>
              <th>When</th>
              <th>Reference → current</th>
              <th>Model</th>
              <th>Verdict</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr
                key={run.id}
                className={`clickable${run.id === openRunId ? ' selected' : ''}`}
                onClick={() => void openRun(run.id)}
                // reachable by keyboard like the columns table: Tab to a run, Enter opens it
                onKeyDown={(event) => {
                  if (event.key === 'Enter' || event.key === ' ') {
                    event.preventDefault()
                    void openRun(run.id)
                  }
                }}
                tabIndex={0}
                aria-selected={run.id === openRunId}
                data-testid="drift-history-row"
                data-run={run.id}
              >
                <td>#{run.id}</td>
                <td className="muted">{formatTime(run.createdAt)}</td>
                <td className="wrap">
                  <Text value={run.referenceName} max={40} /> →{' '}
                  <Text value={run.currentName} max={40} />
                </td>
                <td>
                  {run.model ? (
                    <>
                      <Text value={run.model} max={40} />
                      {run.version !== null && ` v${run.version}`}
                      {run.monitorId !== null && <span className="muted small"> · monitor</span>}
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  <span className={`drift-badge ${run.status}`}>{statusLabel(run.status)}</span>{' '}
                  <span className="muted small">
                    {run.driftedColumns}/{run.testedColumns} · {formatShare(run.driftShare)}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
