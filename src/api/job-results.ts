// The result of every kind of job, by kind: the map faces read a finished job's result through,
// as `apiCalls` is the map of calls. Core's JobManager only starts kinds listed here, with a
// function that returns this kind's result type.
import type { z } from 'zod'
import { DatasetImported } from './datasets'
import { DriftReport } from './drift'
import { Evaluation, GateReport, ShadowComparison } from './evaluation'
import type { Job } from './jobs'

export const jobResults = {
  'dataset-import': DatasetImported,
  evaluate: Evaluation,
  shadow: ShadowComparison,
  gate: GateReport,
  drift: DriftReport,
} as const

export type JobResults = typeof jobResults
export type JobKind = keyof JobResults
export type JobResult<K extends JobKind> = z.output<JobResults[K]>

export const isJobKind = (kind: unknown): kind is JobKind =>
  typeof kind === 'string' && Object.prototype.hasOwnProperty.call(jobResults, kind)

/**
 * A finished job's result as its kind's type, checked against the contract; null when the job is
 * of another kind, not done, or its result does not match (a face older or newer than the core).
 */
export function resultOf<K extends JobKind>(job: Job, kind: K): JobResult<K> | null {
  if (job.kind !== kind || job.status !== 'done') return null
  const parsed = jobResults[kind].safeParse(job.result)
  return parsed.success ? (parsed.data as JobResult<K>) : null
}
