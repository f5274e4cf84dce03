// Runs a named task in a worker thread (or, for tests and tiny inputs, in this thread),
// forwarding progress and honouring cancellation through an AbortSignal.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Worker, type ResourceLimits } from 'node:worker_threads'
import { SlipwayError, errorCodes, type ErrorCode } from '../../api/errors'
import type { TaskName, TaskPayload, TaskResult } from './tasks'
import type { WorkerMessage } from './worker'

export interface RunTaskOptions {
  signal?: AbortSignal
  onProgress?: (done: number, total: number | null, message: string) => void
  /** Run in this thread instead of a worker (tests of task logic, tiny inputs). */
  inProcess?: boolean
  /** Heap limits of the worker; a task that exceeds them fails alone, the app stays up. */
  resourceLimits?: ResourceLimits
  /**
   * Buffers of the payload moved into the worker rather than copied; they are unusable here
   * afterwards (a caller that is done with the data, e.g. columns handed off to be profiled).
   */
  transfer?: ArrayBuffer[]
  /**
   * Called once the worker thread exists (its payload is with it). A caller about to run
   * synchronous work of its own waits for this first: until this thread yields, the worker is
   * not even created, so the two would run one after the other.
   */
  onStart?: () => void
}

/** How long a cancelled task may take to reach its next checkpoint before it is terminated. */
const CANCEL_GRACE_MS = 10_000
/** How long a finished task's thread may linger before it is ended. */
const EXIT_GRACE_MS = 2_000

let workerScriptOverride: string | undefined

/** The built worker bundle. Faces that bundle it elsewhere (Electron) set it explicitly. */
export function setWorkerScript(file: string): void {
  workerScriptOverride = file
}

export function resolveWorkerScript(): string {
  const candidates: string[] = []
  if (workerScriptOverride) candidates.push(workerScriptOverride)
  if (process.env.SLIPWAY_WORKER_SCRIPT) candidates.push(process.env.SLIPWAY_WORKER_SCRIPT)
  const here = typeof __dirname === 'string' ? __dirname : process.cwd()
  candidates.push(path.join(here, 'worker.cjs'))
  let dir = here
  for (let i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) {
      candidates.push(path.join(dir, 'out', 'node', 'worker.cjs'))
      break
    }
    dir = path.dirname(dir)
  }
  const found = candidates.find((file) => fs.existsSync(file))
  if (!found) {
    throw new SlipwayError(
      'INTERNAL',
      `The worker bundle is missing (looked at ${candidates.join(', ')}). Run npm run build.`,
    )
  }
  return found
}

/**
 * Worker threads running at once. Each holds its inputs in memory, so twenty jobs (a folder
 * monitor finding twenty files) wait for a free slot instead of starting twenty threads.
 */
export const maxWorkers = Math.max(2, Math.min(os.availableParallelism() - 1, 4))
let busyWorkers = 0
const waitingForWorker: (() => void)[] = []

/** Resolves once a worker slot is ours; rejects if the signal aborts while waiting. */
function acquireWorker(signal: AbortSignal | undefined): Promise<void> {
  if (busyWorkers < maxWorkers && waitingForWorker.length === 0) {
    busyWorkers++
    return Promise.resolve()
  }
  return new Promise<void>((resolve, reject) => {
    const grant = (): void => {
      signal?.removeEventListener('abort', onAbort)
      busyWorkers++
      resolve()
    }
    const onAbort = (): void => {
      const at = waitingForWorker.indexOf(grant)
      if (at >= 0) waitingForWorker.splice(at, 1)
      reject(new SlipwayError('CANCELLED', 'Cancelled'))
    }
    waitingForWorker.push(grant)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function releaseWorker(): void {
  busyWorkers--
  while (busyWorkers < maxWorkers) {
    const grant = waitingForWorker.shift()
    if (!grant) break
    grant()
  }
}

const toError = (code: string, message: string): SlipwayError =>
  new SlipwayError(
    (errorCodes as readonly string[]).includes(code) ? (code as ErrorCode) : 'INTERNAL',
    message,
  )

/** Runs task `task` of the task map on its payload; resolves with that task's result. */
export async function runTask<K extends TaskName>(
  task: K,
  payload: TaskPayload<K>,
  options: RunTaskOptions = {},
): Promise<TaskResult<K>> {
  // The worker ran `tasks[task]`, whose result type is TaskResult<K> (checked in tasks.ts).
  return (await runTaskByName(task, payload, options)) as TaskResult<K>
}

/**
 * The untyped runner under `runTask`: any task name, checked at run time. Tests drive it with a
 * stand-in worker bundle whose tasks are not in the map.
 */
export async function runTaskByName(
  task: string,
  payload: unknown,
  options: RunTaskOptions = {},
): Promise<unknown> {
  const { signal, onProgress } = options
  if (signal?.aborted) throw new SlipwayError('CANCELLED', 'Cancelled')
  if (options.inProcess) {
    const { isTaskName, runNamedTask } = await import('./tasks')
    if (!isTaskName(task)) throw new SlipwayError('INTERNAL', `Unknown task ${task}`)
    const value = await runNamedTask(task, payload as TaskPayload<typeof task>, {
      progress: (done, total, message) => onProgress?.(done, total, message),
      cancelled: () => signal?.aborted ?? false,
    })
    if (signal?.aborted) throw new SlipwayError('CANCELLED', 'Cancelled')
    return value
  }
  const script = resolveWorkerScript()
  if (busyWorkers >= maxWorkers) onProgress?.(0, null, 'Waiting for a free worker')
  await acquireWorker(signal)
  // Set on cancel; the worker reads it at its checkpoints (and a test hold waits on it).
  const cancelFlag = new Int32Array(new SharedArrayBuffer(4))
  let worker: Worker
  try {
    if (signal?.aborted) throw new SlipwayError('CANCELLED', 'Cancelled')
    worker = new Worker(script, {
      workerData: { task, payload, cancelFlag },
      resourceLimits: options.resourceLimits,
      transferList: options.transfer,
    })
  } catch (error) {
    releaseWorker()
    if (error instanceof SlipwayError) throw error
    throw toError('INTERNAL', error instanceof Error ? error.message : String(error))
  }
  options.onStart?.()
  return new Promise<unknown>((resolve, reject) => {
    let settled = false
    let exited = false
    let forceStop: NodeJS.Timeout | undefined
    const finish = (fn: () => void): void => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      fn()
    }
    // Terminating a thread while onnxruntime or DuckDB has native work in flight aborts the
    // whole process, so a cancelled task is asked to stop at its next checkpoint (tasks check
    // `cancelled()` between batches) and is only terminated if it has not stopped in time.
    const onAbort = (): void => {
      finish(() => reject(new SlipwayError('CANCELLED', 'Cancelled')))
      Atomics.store(cancelFlag, 0, 1)
      Atomics.notify(cancelFlag, 0)
      worker.postMessage('cancel')
      forceStop = setTimeout(() => {
        if (!exited) void worker.terminate()
      }, CANCEL_GRACE_MS)
      forceStop.unref()
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    const stopSoon = (): void => {
      // The task has returned; a thread still holding handles after that is ended.
      forceStop ??= setTimeout(() => {
        if (!exited) void worker.terminate()
      }, EXIT_GRACE_MS)
      forceStop.unref()
    }
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') {
        if (!settled) onProgress?.(message.done, message.total, message.message)
        return
      }
      if (message.type === 'result') finish(() => resolve(message.value))
      else finish(() => reject(toError(message.code, message.message)))
      stopSoon()
    })
    worker.on('error', (error) =>
      finish(() =>
        reject(
          toError(
            'INTERNAL',
            (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? `${task}: ran out of memory (${error.message})`
              : `${task}: ${error.message}`,
          ),
        ),
      ),
    )
    worker.on('exit', (code) => {
      exited = true
      // The slot is free once the thread is gone, not when its answer arrived: a cancelled task
      // still runs until its next checkpoint.
      releaseWorker()
      if (forceStop) clearTimeout(forceStop)
      if (!settled)
        finish(() =>
          reject(
            toError('INTERNAL', `${task}: the worker stopped unexpectedly (exit code ${code})`),
          ),
        )
    })
  })
}
