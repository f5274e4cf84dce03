// Deterministic cancel tests: the workers' test hold (src/core/jobs/test-hold.ts) stops a task
// at a progress message the test names, so the cancel lands while the job is provably running.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { HELD_SUFFIX } from '../../src/core/jobs/test-hold'
import type { Slipway } from '../../src/core/service'

/**
 * Runs `fn` with the hold set for the workers it starts: each stops right after its
 * (skip + 1)-th progress message matching `at`, until its job is cancelled or `fn` calls the
 * `release` it is given (then every held task carries on).
 */
export async function withTestHold<T>(
  at: RegExp,
  fn: (release: () => void) => Promise<T>,
  skip = 0,
): Promise<T> {
  const names = ['SLIPWAY_TEST_HOLD_AT', 'SLIPWAY_TEST_HOLD_SKIP', 'SLIPWAY_TEST_HOLD_RELEASE']
  const saved = names.map((name) => process.env[name])
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-hold-'))
  const releaseFile = path.join(folder, 'release')
  process.env.SLIPWAY_TEST_HOLD_AT = at.source
  process.env.SLIPWAY_TEST_HOLD_SKIP = String(skip)
  process.env.SLIPWAY_TEST_HOLD_RELEASE = releaseFile
  try {
    return await fn(() => fs.writeFileSync(releaseFile, ''))
  } finally {
    names.forEach((name, i) => {
      const value = saved[i]
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    })
    fs.rmSync(folder, { recursive: true, force: true })
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
