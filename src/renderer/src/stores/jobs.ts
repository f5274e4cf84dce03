// Jobs slice: every long-running job the core reports, kept current by `jobs:progress` events.
import type { ApiEvent } from '../../../api/calls'
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
