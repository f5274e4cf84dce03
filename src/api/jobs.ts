// Long-running work: jobs with progress, cancellation and a stored result.
import { z } from 'zod'
import { errorCodes } from './errors'

export const JobStatus = z.enum(['queued', 'running', 'done', 'failed', 'cancelled'])
export type JobStatus = z.infer<typeof JobStatus>

export const JobId = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'Malformed job id')

export const Job = z.object({
  id: z.string(),
  /** What the job does, e.g. `evaluate`, `shadow`, `drift`, `dataset-import`. */
  kind: z.string(),
  /** One line for people: "Evaluating churn v3 on march.csv". */
  title: z.string(),
  status: JobStatus,
  progress: z.object({
    done: z.number(),
    total: z.number().nullable(),
    message: z.string(),
  }),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.object({ code: z.enum(errorCodes), message: z.string() }).nullable(),
  /** The job's result once done; its shape depends on `kind`. */
  result: z.unknown().nullable(),
})
export type Job = z.infer<typeof Job>

export const jobCalls = {
  'jobs:list': {
    input: z.object({}).strict(),
    output: z.array(Job),
  },
  'jobs:get': {
    input: z.object({ jobId: JobId }).strict(),
    output: Job,
  },
  'jobs:cancel': {
    input: z.object({ jobId: JobId }).strict(),
    output: Job,
  },
} as const
