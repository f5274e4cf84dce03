// Deterministic cancel tests: the workers' test hold (src/core/jobs/test-hold.ts) stops a task
// at a progress message the test names, so the cancel lands while the job is provably running.
import { HELD_SUFFIX } from '../../src/core/jobs/test-hold'
import type { Slipway } from '../../src/core/service'

/**
 * Runs `fn` with the hold set for the workers it starts: each stops right after its
 * (skip + 1)-th progress message matching `at`, until its job is cancelled.
 */
export async function withTestHold<T>(at: RegExp, fn: () => Promise<T>, skip = 0): Promise<T> {
  const saved = [process.env.SLIPWAY_TEST_HOLD_AT, process.env.SLIPWAY_TEST_HOLD_SKIP]
  process.env.SLIPWAY_TEST_HOLD_AT = at.source
  process.env.SLIPWAY_TEST_HOLD_SKIP = String(skip)
  try {
    return await fn()
  } finally {
    const [holdAt, holdSkip] = saved
    if (holdAt === undefined) delete process.env.SLIPWAY_TEST_HOLD_AT
    else process.env.SLIPWAY_TEST_HOLD_AT = holdAt
    if (holdSkip === undefined) delete process.env.SLIPWAY_TEST_HOLD_SKIP
    else process.env.SLIPWAY_TEST_HOLD_SKIP = holdSkip
  }
}

/** Resolves with the progress message it stopped at once the job's task is held. */
export function held(slipway: Slipway, jobId: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const job = slipway.core.jobs.get(jobId)
      if (job.progress.message.endsWith(HELD_SUFFIX)) {
        resolve(job.progress.message.slice(0, -HELD_SUFFIX.length))
        return true
      }
      if (job.status !== 'running' && job.status !== 'queued') {
        reject(new Error(`Job ${jobId} ended (${job.status}) before the test hold stopped it`))
        return true
      }
      return false
    }
    // The job manager emits at most ten updates a second, so its state is read, not awaited.
    const poll = setInterval(() => {
      if (check()) clearInterval(poll)
    }, 5)
  })
}
