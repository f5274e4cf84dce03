// Jobs: progress events, results, failures and cancellation.
import { describe, expect, it } from 'vitest'
import type { Job } from '../../src/api/jobs'
import { SlipwayError } from '../../src/api/errors'
import { JobManager } from '../../src/core/jobs/manager'
import { runTaskByName } from '../../src/core/jobs/run-task'

describe('JobManager', () => {
  it('reports progress and keeps the result', async () => {
    const jobs = new JobManager<Record<string, unknown>>()
    const seen: Job[] = []
    jobs.onUpdate((job) => seen.push(job))
    const job = jobs.start('count', 'Counting', async ({ progress }) => {
      for (let i = 1; i <= 3; i++) progress(i, 3, `step ${i}`)
      return { total: 3 }
    })
    const done = await jobs.wait(job.id)
    expect(done).toMatchObject({ status: 'done', result: { total: 3 }, error: null })
    expect(done.finishedAt).not.toBeNull()
    expect(seen[0]!.status).toBe('running')
    expect(seen.at(-1)).toMatchObject({ status: 'done', result: { total: 3 } })
    // The final step of progress is always delivered even when throttled.
    expect(seen.some((j) => j.progress.done === 3 && j.progress.total === 3)).toBe(true)
    expect(jobs.list().map((j) => j.id)).toEqual([job.id])
  })

  it('records a failure with its code and message', async () => {
    const jobs = new JobManager<Record<string, unknown>>()
    const job = jobs.start('x', 'Failing', async () => {
      throw new SlipwayError('DATA_INVALID', 'data.csv: row 3 is ragged')
    })
    expect(await jobs.wait(job.id)).toMatchObject({
      status: 'failed',
      error: { code: 'DATA_INVALID', message: 'data.csv: row 3 is ragged' },
    })
  })

  it('cancels a running job through its signal', async () => {
    const jobs = new JobManager<Record<string, unknown>>()
    const job = jobs.start('slow', 'Slow work', ({ signal }) => {
      return new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(new SlipwayError('CANCELLED', 'stopped')))
      })
    })
    jobs.cancel(job.id)
    expect(await jobs.wait(job.id)).toMatchObject({
      status: 'cancelled',
      error: { code: 'CANCELLED' },
    })
  })

  it('says which job is unknown', () => {
    expect(() => new JobManager<Record<string, unknown>>().get('nope123')).toThrow(/No job nope123/)
  })
})

describe('runTask', () => {
  it('refuses an unknown task', async () => {
    await expect(runTaskByName('no-such-task', {}, { inProcess: true })).rejects.toThrow(
      /Unknown task no-such-task/,
    )
    await expect(runTaskByName('no-such-task', {})).rejects.toThrow(
      /Unknown worker task no-such-task/,
    )
  })

  it('does not start when already cancelled', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(
      runTaskByName('anything', {}, { signal: controller.signal }),
    ).rejects.toMatchObject({
      code: 'CANCELLED',
    })
  })
})
