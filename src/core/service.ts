// The application service: opens a registry home and answers every call of the contract.
// The Electron shell, web mode, CLI and tests all go through `invoke`.
import fs from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import type { z } from 'zod'
import { apiCalls, isCallName, type ApiEvent, type CallName, type CallOutput } from '../api/calls'
import { SlipwayError, isSlipwayError, type Result } from '../api/errors'
import type { JobKind, JobResult } from '../api/job-results'
import type { Job } from '../api/jobs'
import { BlobStore } from './artifacts/blobs'
import { runDoctor } from './artifacts/doctor'
import { sweepDeadLeases, sweepOrphanBlobs } from './artifacts/leases'
import { UploadStore, type Upload } from './artifacts/uploads'
import type { Actor, CallContext, CallOrigin, CoreContext, HandlersFor } from './context'
import { localCall, resolveLocalFile } from './context'
import { createDatasetHandlers } from './data/handlers'
import { busyError, isBusyError } from './db/busy'
import { openDatabase } from './db/open'
import { createDriftHandlers } from './drift/handlers'
import { startMonitors, stopMonitors } from './drift/monitors'
import { createEvaluationHandlers } from './evaluation/handlers'
import { currentActor, resolveHome } from './home'
import { createGovernanceHandlers } from './governance/handlers'
import { loadIdentity, type KeyProtector } from './governance/identity'
import { enforceRole } from './governance/roles'
import { JobManager } from './jobs/manager'
import { onnxruntimeVersion } from './onnx/version'
import { createRegistryHandlers } from './registry/handlers'
import { createRetrainingHandlers } from './retraining/handlers'
import { sweepStaleRuns } from './retraining/runs'
import { sweepSnapshots } from './data/snapshot'
import { snapshotInUse } from './data/import'
import {
  startTriggers,
  stopTriggers,
  triggersOf,
  type RetrainTriggers,
  type TriggerOptions,
} from './retraining/triggers'
import { createReportHandlers } from './report/handlers'
import { createSyncHandlers } from './sync/handlers'
import { createTrashHandlers } from './trash/trash'

export const SLIPWAY_VERSION = '0.1.0'

export interface OpenOptions {
  /** --home; falls back to SLIPWAY_HOME, then the per-user app-data folder. */
  home?: string
  /** The display name of a home without identity (default: SLIPWAY_USER, else the OS user). */
  actor?: string
  /** Unlocks a passphrase-protected private key (default: SLIPWAY_PASSPHRASE). */
  passphrase?: string
  /** Seals a new identity's private key outside the home (the Electron app: safeStorage). */
  keyProtector?: KeyProtector
}

export type AllHandlers = HandlersFor<typeof apiCalls>
export type EventListener = (event: ApiEvent) => void

/** Turns a zod failure into one sentence naming the field. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) =>
      issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ')
}

export class Slipway {
  readonly core: CoreContext
  readonly handlers: AllHandlers
  private readonly listeners = new Set<EventListener>()

  constructor(options: OpenOptions = {}) {
    const home = resolveHome(options.home)
    fs.mkdirSync(home, { recursive: true })
    const { db, schemaVersion } = openDatabase(path.join(home, 'registry.sqlite'))
    const blobs = new BlobStore(path.join(home, 'blobs'))
    blobs.sweepTemporary()
    try {
      sweepDeadLeases({ db, blobs })
      sweepOrphanBlobs({ db, blobs })
    } catch (error) {
      // Another process holds the write lock: the sweeps wait for the next start.
      if (!isBusyError(error)) throw error
    }
    const uploads = new UploadStore(path.join(home, 'uploads'))
    uploads.sweep()
    sweepSnapshots(home, (sha256) => snapshotInUse(db, sha256))
    const jobs = new JobManager()
    const osActor = options.actor ?? currentActor()
    const core: CoreContext = {
      home,
      db,
      blobs,
      uploads,
      jobs,
      identity: loadIdentity(
        home,
        options.passphrase ?? process.env.SLIPWAY_PASSPHRASE,
        options.keyProtector,
      ),
      keyProtector: options.keyProtector ?? null,
      homeActor: (): Actor =>
        core.identity
          ? { name: core.identity.info.name, fingerprint: core.identity.info.fingerprint }
          : { name: osActor, fingerprint: null },
      schemaVersion,
      resolveFile: (ref, call) => {
        if ('uploadId' in ref) {
          const upload = uploads.get(ref.uploadId)
          return { path: upload.path, fileName: upload.fileName, uploadId: upload.uploadId }
        }
        if (!call.readLocalPaths) {
          throw new SlipwayError(
            'INVALID_INPUT',
            'Web mode accepts uploaded files only, not paths on disk',
          )
        }
        return resolveLocalFile(ref.path)
      },
      emit: (event) => {
        for (const listener of this.listeners) listener(event)
      },
    }
    jobs.onUpdate((job) => core.emit({ name: 'jobs:progress', payload: job }))
    this.core = core
    this.handlers = {
      'app:info': async (_input, call) => ({
        version: SLIPWAY_VERSION,
        home,
        user: call.actor.name,
        face: call.face,
        onnxruntimeVersion: onnxruntimeVersion(),
        schemaVersion,
      }),
      'app:doctor': async ({ repair }) => runDoctor(core, { repair }),
      'jobs:list': async () => jobs.list(),
      'jobs:get': async ({ jobId }) => jobs.get(jobId),
      'jobs:cancel': async ({ jobId }) => jobs.cancel(jobId),
      ...createRegistryHandlers(core),
      ...createDatasetHandlers(core),
      ...createEvaluationHandlers(core),
      ...createDriftHandlers(core),
      ...createRetrainingHandlers(core),
      ...createGovernanceHandlers(core),
      ...createReportHandlers(core),
      ...createSyncHandlers(core),
      ...createTrashHandlers(core),
    }
    sweepStaleRuns(core)
    // A monitor crossing into drift may start its model's retraining, where triggers run.
    this.onEvent((event) => {
      if (event.name === 'drift:alert') triggersOf(core)?.onDriftAlert(event.payload)
    })
  }

  get home(): string {
    return this.core.home
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Validates raw input with the contract, runs the handler, and never throws. */
  async invoke<K extends CallName>(
    name: K,
    rawInput: unknown,
    origin: CallOrigin,
  ): Promise<Result<CallOutput<K>>> {
    if (!isCallName(name))
      return {
        ok: false,
        error: { code: 'INVALID_INPUT', message: `Unknown call ${String(name)}` },
      }
    const parsed = apiCalls[name].input.safeParse(rawInput ?? {})
    if (!parsed.success) {
      return {
        ok: false,
        error: { code: 'INVALID_INPUT', message: describeZodError(parsed.error) },
      }
    }
    try {
      const call: CallContext = { ...origin, actor: origin.actor ?? this.core.homeActor() }
      enforceRole(this.core, name)
      const handler = this.handlers[name] as (
        input: unknown,
        call: CallContext,
      ) => Promise<CallOutput<K>>
      return { ok: true, value: await handler(parsed.data, call) }
    } catch (error) {
      if (isSlipwayError(error))
        return { ok: false, error: { code: error.code, message: error.message } }
      if (isBusyError(error)) {
        const busy = busyError()
        return { ok: false, error: { code: busy.code, message: busy.message } }
      }
      return {
        ok: false,
        error: {
          code: 'INTERNAL',
          message: error instanceof Error ? error.message : String(error),
        },
      }
    }
  }

  /** Like invoke, but throws the contract's error; convenient for the CLI and tests. */
  async call<K extends CallName>(
    name: K,
    input: unknown,
    call: CallOrigin = localCall,
  ): Promise<CallOutput<K>> {
    const result = await this.invoke(name, input, call)
    if (!result.ok) throw new SlipwayError(result.error.code, result.error.message)
    return result.value
  }

  /**
   * Waits for job `jobId` of kind `kind` and returns its result, typed by the contract's job map;
   * a failed or cancelled job throws its error. `onProgress` hears every state while it runs.
   */
  /** Resolves with the job once it has ended, whatever its status: a face's public wait. */
  waitJob(jobId: string): Promise<Job> {
    return this.core.jobs.wait(jobId)
  }

  async jobResult<K extends JobKind>(
    jobId: string,
    kind: K,
    onProgress?: (job: Job) => void,
  ): Promise<JobResult<K>> {
    const stop = onProgress
      ? this.core.jobs.onUpdate((job) => {
          if (job.id === jobId && job.status === 'running') onProgress(job)
        })
      : undefined
    try {
      return await this.core.jobs.result(jobId, kind)
    } finally {
      stop?.()
    }
  }

  /**
   * Keeps a file a face received (web mode's upload endpoint) for a later call to consume by its
   * upload id; refuses more than `maxBytes`.
   */
  upload(body: Readable, fileName: string, maxBytes?: number): Promise<Upload> {
    return this.core.uploads.create(body, fileName, maxBytes)
  }

  /**
   * Long-running faces (the window, web mode, `slipway watch`) watch the drift monitors' folders
   * and run the retraining triggers (schedules, new data, drift).
   */
  startMonitors(options: { settleMs?: number; triggers?: TriggerOptions } = {}): RetrainTriggers {
    startMonitors(this.core, options.settleMs)
    return startTriggers(this.core, options.triggers)
  }

  close(): void {
    stopTriggers(this.core)
    stopMonitors(this.core)
    this.core.jobs.cancelAll()
    this.core.db.close()
  }
}

export const openSlipway = (options: OpenOptions = {}): Slipway => new Slipway(options)
