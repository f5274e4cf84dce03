// A test-only hold for worker tasks (read by worker.ts): off unless the environment asks for it.
import fs from 'node:fs'

/** The longest a test hold waits for its cancel (or release) before the task carries on. */
const HOLD_LIMIT_MS = 60_000
/** How often a held task posts its held progress message again while it waits. */
const REPOST_MS = 150

/**
 * A test-only hold, off unless the environment asks for it: with SLIPWAY_TEST_HOLD_AT=REGEX
 * (and SLIPWAY_TEST_HOLD_SKIP=N) the task stops right after reporting the (N+1)-th progress
 * message that matches, says so in a progress message ending in HELD_SUFFIX, and waits until the
 * job is cancelled, or, with SLIPWAY_TEST_HOLD_RELEASE=FILE, until that file exists (then the
 * task carries on). A cancel test then lands while the task is provably running, at a moment it
 * chose, instead of racing a timer against the data's size; a test of what happens meanwhile (a
 * dataset removed under a run) acts while the task waits, then releases it.
 */
export function testHold(
  cancelFlag: Int32Array,
  post: (message: {
    type: 'progress'
    done: number
    total: number | null
    message: string
  }) => void,
): (done: number, total: number | null, message: string) => void {
  const pattern = process.env.SLIPWAY_TEST_HOLD_AT
  if (!pattern) return () => {}
  const at = new RegExp(pattern)
  let skip = Number(process.env.SLIPWAY_TEST_HOLD_SKIP ?? 0)
  const release = process.env.SLIPWAY_TEST_HOLD_RELEASE
  let held = false
  return (done, total, message) => {
    if (held || !at.test(message)) return
    if (skip-- > 0) return
    held = true
    // The job manager sends progress at most every 100 ms and drops what arrives in between, so
    // the held message is posted again until the cancel (or release) comes: a page following the
    // job's events sees it too, not only a test reading the job.
    const until = Date.now() + HOLD_LIMIT_MS
    let waited: ReturnType<typeof Atomics.wait>
    do {
      post({ type: 'progress', done, total, message: `${message}${HELD_SUFFIX}` })
      waited = Atomics.wait(cancelFlag, 0, 0, Math.max(0, Math.min(REPOST_MS, until - Date.now())))
    } while (
      waited === 'timed-out' &&
      Date.now() < until &&
      !(release !== undefined && fs.existsSync(release))
    )
  }
}

/** Ends the progress message of a task stopped by the test hold. */
export const HELD_SUFFIX = ' (held for a test)'
