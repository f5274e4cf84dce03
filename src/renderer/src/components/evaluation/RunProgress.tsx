// A running job's progress bar with the core's own words ("churn v2: 120,000 of 400,000 rows"),
// and its Cancel button. The numbers behind the bar change unit between phases (bytes while
// reading, rows while running), so only the share is shown from them.
import type { Job } from '../../../../api/jobs'
import { Text } from '../Text'

export function RunProgress({
  job,
  onCancel,
  testId,
}: {
  job: Job | null
  onCancel: () => void
  testId: string
}) {
  const progress = job?.progress
  const fraction = progress?.total ? Math.min(1, progress.done / progress.total) : undefined
  return (
    <div className="run-progress" data-testid={testId} role="status">
      <div className="run-progress-line">
        <progress value={fraction} max={1} data-testid={`${testId}-bar`} />
        <button type="button" onClick={onCancel} disabled={!job} data-testid={`${testId}-cancel`}>
          Cancel
        </button>
      </div>
      <div className="muted small" data-testid={`${testId}-text`}>
        {!progress ? (
          'Starting…'
        ) : (
          <>
            {fraction !== undefined && `${Math.floor(fraction * 100)} % · `}
            <Text value={progress.message || 'Working'} max={160} />
          </>
        )}
      </div>
    </div>
  )
}
