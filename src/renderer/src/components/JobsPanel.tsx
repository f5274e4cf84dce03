// Running jobs with progress and a cancel button, visible from every view.
import { useState } from 'react'
import { isActive, useJobs } from '../stores/jobs'
import { ErrorNote } from './ErrorNote'
import { Text } from './Text'

export function JobsPanel() {
  const { jobs, cancel } = useJobs()
  const [error, setError] = useState<string | null>(null)
  const active = Object.values(jobs).filter(isActive)
  if (active.length === 0 && !error) return null
  return (
    <div className="jobs" data-testid="jobs-panel">
      <h2>Running</h2>
      {active.map((job) => {
        const fraction = job.progress.total
          ? Math.min(1, job.progress.done / job.progress.total)
          : null
        return (
          <div key={job.id} className="job" data-testid="job">
            <div className="job-title">
              <Text value={job.title} max={80} />
            </div>
            <progress value={fraction ?? undefined} max={1} />
            <div className="job-line">
              <span className="muted small">
                <Text value={job.progress.message} max={80} />
              </span>
              <button
                type="button"
                className="link"
                onClick={() => void cancel(job.id).then(setError)}
              >
                Cancel
              </button>
            </div>
          </div>
        )
      })}
      <ErrorNote message={error} />
    </div>
  )
}
