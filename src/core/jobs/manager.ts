// Jobs: id, title, progress events (throttled), cancellation, and the result kept for the UI.
import { randomUUID } from 'node:crypto'
import type { JobKind, JobResult } from '../../api/job-results'
import type { Job } from '../../api/jobs'
import { SlipwayError, isSlipwayError } from '../../api/errors'
import { asBusy } from '../db/busy'

export interface JobContext {
  signal: AbortSignal
  progress(done: number, total: number | null, message: string): void
}

export type JobListener = (job: Job) => void

const PROGRESS_INTERVAL_MS = 100
const KEEP_FINISHED = 200

/**
 * Job kind → result type. The app's manager uses the contract's job map (`jobResults`); tests of
 * the machinery itself may give their own.
 */
export type JobResultTypes = { [K in JobKind]: JobResult<K> }

export class JobManager<M extends Record<string, unknown> = JobResultTypes> {
  private readonly jobs = new Map<
    string,
    { job: Job; controller: AbortController; done: Promise<unknown> }
  >()
  private readonly listeners = new Set<JobListener>()

  onUpdate(listener: JobListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Starts work in the background and returns the job at once; its result is its kind's. */
  start<K extends keyof M & string>(
    kind: K,
    title: string,
    run: (ctx: JobContext) => Promise<M[K]>,
  ): Job {
    const controller = new AbortController()
    const job: Job = {
      id: randomUUID().replace(/-/g, ''),
      kind,
      title,
      status: 'running',
      progress: { done: 0, total: null, message: 'Starting' },
      createdAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
      result: null,
    }
    let lastEmit = 0
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (done, total, message) => {
        // Once cancelled, a task finishing its batch must not look like it is still advancing.
        if (job.status !== 'running' || controller.signal.aborted) return
        job.progress = { done, total, message }
        const now = Date.now()
        if (now - lastEmit >= PROGRESS_INTERVAL_MS || (total !== null && done >= total)) {
          lastEmit = now
          this.emit(job)
        }
      },
    }
    const done = (async () => {
      try {
        const result = await run(ctx)
        if (controller.signal.aborted) throw new SlipwayError('CANCELLED', 'Cancelled')
        job.result = result as unknown
        job.status = 'done'
      } catch (thrown) {
        const error = asBusy(thrown)
        const cancelled =
          controller.signal.aborted || (isSlipwayError(error) && error.code === 'CANCELLED')
        job.status = cancelled ? 'cancelled' : 'failed'
        job.error = cancelled
          ? { code: 'CANCELLED', message: `${title}: cancelled` }
          : isSlipwayError(error)
            ? { code: error.code, message: error.message }
            : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) }
      }
      job.finishedAt = new Date().toISOString()
      this.emit(job)
      this.prune()
      return job.result
    })()
    this.jobs.set(job.id, { job, controller, done })
    this.emit(job)
    return { ...job }
  }

  get(id: string): Job {
    const entry = this.jobs.get(id)
    if (!entry) throw new SlipwayError('NOT_FOUND', `No job ${id}`)
    return { ...entry.job }
  }

  list(): Job[] {
    return [...this.jobs.values()].map((e) => ({ ...e.job, result: null })).reverse()
  }

  cancel(id: string): Job {
    const entry = this.jobs.get(id)
    if (!entry) throw new SlipwayError('NOT_FOUND', `No job ${id}`)
    if (entry.job.status === 'running' || entry.job.status === 'queued') entry.controller.abort()
    return { ...entry.job }
  }

  /** Resolves when the job has finished, whatever its outcome. */
  async wait(id: string): Promise<Job> {
    const entry = this.jobs.get(id)
    if (!entry) throw new SlipwayError('NOT_FOUND', `No job ${id}`)
    await entry.done
    return { ...entry.job }
  }

  /**
   * Waits for a job of kind `kind` and returns its result, typed by the job map; a failed or
   * cancelled job throws its error. The result is the value the job's own function returned
   * (`start` typed it by kind), so it is not parsed again.
   */
  async result<K extends keyof M & string>(id: string, kind: K): Promise<M[K]> {
    const job = await this.wait(id)
    if (job.kind !== kind)
      throw new SlipwayError('INVALID_INPUT', `Job ${id} is a ${job.kind} job, not ${kind}`)
    if (job.status !== 'done') {
      throw new SlipwayError(
        job.error?.code ?? 'INTERNAL',
        job.error?.message ?? `${job.title}: ${job.status}`,
      )
    }
    return job.result as M[K]
  }

  cancelAll(): void {
    for (const entry of this.jobs.values()) entry.controller.abort()
  }

  private emit(job: Job): void {
    const snapshot = { ...job, result: job.status === 'done' ? job.result : null }
    // A listener that throws (a closed window, a dropped stream) must not fail the job, nor
    // leave its completion as an unhandled rejection that takes the process down.
    for (const listener of this.listeners) {
      try {
        listener(snapshot)
      } catch (error) {
        console.error(`Job listener failed on ${job.kind} ${job.id}:`, error)
      }
    }
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((e) => e.job.finishedAt)
    for (const entry of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.jobs.delete(entry.job.id)
  }
}
