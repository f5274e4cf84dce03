// Jobs slice: every long-running job the core reports, kept current by `jobs:progress` events.
import type { ApiEvent } from '../../../api/calls'
import type { ApiError } from '../../../api/errors'
import { resultOf, type JobKind, type JobResult } from '../../../api/job-results'
import type { Job } from '../../../api/jobs'
import { create } from 'zustand'
import { client } from '../transport/client'

export interface JobsState {
  jobs: Record<string, Job>
  error: string | null
  load(): Promise<void>
  receive(event: ApiEvent): void
  cancel(jobId: string): Promise<string | null>
}

export const initialJobsState = { jobs: {} as Record<string, Job>, error: null as string | null }

export const isActive = (job: Job): boolean => job.status === 'queued' || job.status === 'running'

/** A finished job never becomes active again, whichever answer (event or reply) arrives last. */
export function mergeJob(current: Job | undefined, incoming: Job): Job {
  if (current && !isActive(current) && isActive(incoming)) return current
  return incoming
}

export const useJobs = create<JobsState>()((set, get) => ({
  ...initialJobsState,
  async load() {
    const result = await client().call('jobs:list', {})
    if (!result.ok) return set({ error: result.error.message })
    const jobs = get().jobs
    set({
      jobs: Object.fromEntries(result.value.map((job) => [job.id, mergeJob(jobs[job.id], job)])),
      error: null,
    })
  },
  receive(event) {
    if (event.name !== 'jobs:progress') return
    const jobs = get().jobs
    set({ jobs: { ...jobs, [event.payload.id]: mergeJob(jobs[event.payload.id], event.payload) } })
  },
  async cancel(jobId) {
    const result = await client().call('jobs:cancel', { jobId })
    if (!result.ok) return result.error.message
    const jobs = get().jobs
    set({ jobs: { ...jobs, [jobId]: mergeJob(jobs[jobId], result.value) } })
    return null
  },
}))

/** How a followed job ended: its result (checked against the contract's job map) or its error. */
export type FollowedJob<K extends JobKind> =
  | { job: Job; status: 'done'; result: JobResult<K> }
  | { job: Job; status: 'cancelled' }
  | { job: Job; status: 'failed'; error: ApiError }

/**
 * Follows job `jobId` of kind `kind`: calls `onUpdate` with every state until it ends, then
 * resolves with how it ended. Progress comes from `jobs:progress` events; one `jobs:get` covers an
 * event that arrived before we started listening, and fetches a result the event left out.
 * `what` names the work in messages ("The evaluation failed").
 */
export function followJob<K extends JobKind>(
  jobId: string,
  kind: K,
  what: string,
  onUpdate: (job: Job) => void,
): Promise<FollowedJob<K>> {
  const outcome = (job: Job): FollowedJob<K> => {
    if (job.status === 'cancelled') return { job, status: 'cancelled' }
    if (job.status !== 'done')
      return { job, status: 'failed', error: job.error ?? failure(`The ${what} failed`) }
    const result = resultOf(job, kind)
    if (result === null)
      return {
        job,
        status: 'failed',
        error: failure(`The ${what} finished but its result could not be read`),
      }
    return { job, status: 'done', result }
  }
  return new Promise((resolve) => {
    let finished = false
    let unsubscribe: () => void = () => {}
    const finish = async (job: Job): Promise<void> => {
      finished = true
      unsubscribe()
      let final = job
      if (job.status === 'done' && job.result === null) {
        const fetched = await client().call('jobs:get', { jobId })
        if (fetched.ok) final = fetched.value
      }
      onUpdate(final)
      resolve(outcome(final))
    }
    const check = (job: Job | undefined): void => {
      if (!job || finished) return
      if (isActive(job)) onUpdate(job)
      else void finish(job)
    }
    unsubscribe = useJobs.subscribe((state) => check(state.jobs[jobId]))
    check(useJobs.getState().jobs[jobId])
    void client()
      .call('jobs:get', { jobId })
      .then((result) => {
        if (result.ok && !isActive(result.value)) check(result.value)
      })
  })
}

const failure = (message: string): ApiError => ({ code: 'INTERNAL', message })
