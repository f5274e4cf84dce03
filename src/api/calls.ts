// The whole contract in one map: every call's name, input schema and output schema.
// Each feature declares its calls in its own file; faces never list calls by hand.
import type { z } from 'zod'
import { appCalls } from './app'
import { datasetCalls } from './datasets'
import { DriftAlert, driftCalls } from './drift'
import type { Result } from './errors'
import { evaluationCalls } from './evaluation'
import { governanceCalls } from './governance'
import { Job, jobCalls } from './jobs'
import { registryCalls } from './registry'
import { retrainingCalls } from './retraining'
import { reportCalls } from './report'
import { SyncProgress, syncCalls } from './sync'
import { trashCalls } from './trash'

export const apiCalls = {
  ...appCalls,
  ...registryCalls,
  ...jobCalls,
  ...datasetCalls,
  ...evaluationCalls,
  ...driftCalls,
  ...retrainingCalls,
  ...governanceCalls,
  ...reportCalls,
  ...syncCalls,
  ...trashCalls,
} as const

export type ApiCalls = typeof apiCalls
export type CallName = keyof ApiCalls
export type CallInput<K extends CallName> = z.input<ApiCalls[K]['input']>
export type ParsedInput<K extends CallName> = z.output<ApiCalls[K]['input']>
export type CallOutput<K extends CallName> = z.output<ApiCalls[K]['output']>

export const callNames = Object.keys(apiCalls) as CallName[]

export const isCallName = (name: unknown): name is CallName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiCalls, name)

/** What a renderer sees: one async function per call, returning a Result envelope. */
export type Api = { [K in CallName]: (input: CallInput<K>) => Promise<Result<CallOutput<K>>> }

/** Pushed from core to every face. */
export const apiEvents = {
  'jobs:progress': Job,
  'drift:alert': DriftAlert,
  'sync:progress': SyncProgress,
} as const
export type ApiEvents = typeof apiEvents
export type EventName = keyof ApiEvents
export type ApiEvent = { [K in EventName]: { name: K; payload: z.output<ApiEvents[K]> } }[EventName]
