// Follows a job a command started: its progress on stderr (when that is a terminal), Ctrl-C
// cancels it, and its result comes back typed by the contract's job map.
import type { JobKind, JobResult } from '../api/job-results'
import type { Job } from '../api/jobs'
import type { Slipway } from '../core/service'
import { safe } from './output'

export async function waitForJob<K extends JobKind>(
  slipway: Slipway,
  job: Job,
  kind: K,
  showProgress: boolean,
): Promise<JobResult<K>> {
  let last = ''
  const draw = (update: Job): void => {
    const { done, total, message } = update.progress
    const line = total ? `${message} (${Math.floor((done / total) * 100)}%)` : message
    if (line !== last) process.stderr.write(`\r${safe(line, 100).padEnd(last.length)}`)
    last = line
  }
  const onSignal = (): void => void slipway.call('jobs:cancel', { jobId: job.id })
  process.once('SIGINT', onSignal)
  try {
    return await slipway.jobResult(job.id, kind, showProgress ? draw : undefined)
  } finally {
    if (last) process.stderr.write('\n')
    process.removeListener('SIGINT', onSignal)
  }
}
