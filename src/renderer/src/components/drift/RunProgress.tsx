// The drift run's state next to the Start button: upload, progress bar with Cancel, or the outcome.
import type { DriftRunState } from '../../stores/drift'
import { Text } from '../Text'

export function RunProgress({ run, onCancel }: { run: DriftRunState; onCancel(): void }) {
  return (
    <div className="drift-run" data-testid="drift-run" data-status={run.status}>
      {(run.status === 'uploading' || run.status === 'running') && (
        <>
          <progress value={run.progress ?? undefined} max={1} data-testid="drift-progress" />
          <span className="muted small">
            <Text value={run.message} max={80} />
            {run.progress !== null && ` · ${Math.round(run.progress * 100)}%`}
          </span>
          {run.status === 'running' && (
            <button type="button" onClick={onCancel} data-testid="drift-cancel">
              Cancel
            </button>
          )}
        </>
      )}
      {run.status === 'cancelled' && (
        <span className="muted" data-testid="drift-cancelled">
          Drift run cancelled.
        </span>
      )}
      {run.status === 'failed' && (
        <span className="error-text" role="alert" data-testid="drift-error">
          {run.error}
        </span>
      )}
      {run.status !== 'failed' && run.error && (
        <span className="error-text" role="alert">
          {run.error}
        </span>
      )}
    </div>
  )
}
