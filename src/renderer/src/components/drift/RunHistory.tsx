// Stored drift runs (of the chosen model, or all): when, which data, the verdict; each run's link
// opens it (#/drift/run/N), and Delete… asks first and can be undone from the Undo bar.
import type { DriftRunSummary, DriftStatus } from '../../../../api/drift'
import { formatShare } from '../../lib/charts/drift-format'
import { formatTime } from '../../lib/format'
import { useDrift } from '../../stores/drift'
import { hrefFor } from '../../stores/route'
import { ErrorNote } from '../ErrorNote'
import { ConfirmButton } from '../shared/ConfirmButton'
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
  const removeRun = useDrift((state) => state.removeRun)
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
              <th />
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr
                key={run.id}
                className={run.id === openRunId ? 'selected' : undefined}
                data-testid="drift-history-row"
                data-run={run.id}
              >
                <td>
                  <a
                    href={hrefFor('drift', 'run', run.id)}
                    aria-current={run.id === openRunId ? 'page' : undefined}
                    data-testid="drift-history-open"
                  >
                    #{run.id}
                  </a>
                </td>
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
                <td className="actions">
                  <ConfirmButton
                    label="Delete…"
                    ariaLabel={`Delete drift run ${run.id}`}
                    question={`Delete drift run #${run.id}? It can be restored from the trash for 30 days.`}
                    confirmLabel="Delete"
                    onConfirm={() => removeRun(run.id)}
                    testId="drift-run-delete"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
