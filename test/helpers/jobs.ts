// Waiting for the job a call started, in tests that start jobs as setup rather than to test them.
import type { Slipway } from '../../src/core/service'

/**
 * Waits for the job `started` (a call's answer) and returns its result; a job that ends otherwise
 * fails the test, naming the job, how it ended and why.
 */
export async function jobResult<T>(slipway: Slipway, started: { id: string }): Promise<T> {
  const done = await slipway.core.jobs.wait(started.id)
  if (done.status !== 'done')
    throw new Error(
      `${done.title} ended ${done.status}${done.error ? `: ${done.error.message}` : ''}`,
    )
  return done.result as T
}

/** The id of the record (dataset, evaluation, comparison…) the job `started` stored. */
export async function storedId(slipway: Slipway, started: { id: string }): Promise<number> {
  return (await jobResult<{ id: number }>(slipway, started)).id
}

/** Imports `file` as a dataset (setup, not under test) and returns the dataset's id. */
export async function importDataset(
  slipway: Slipway,
  file: string,
  name?: string,
): Promise<number> {
  return storedId(slipway, await slipway.call('datasets:add', { file: { path: file }, name }))
}
