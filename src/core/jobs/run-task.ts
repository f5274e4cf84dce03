// Runs a named task in a worker thread (or, for tests and tiny inputs, in this thread),
// forwarding progress and honouring cancellation through an AbortSignal.
import fs from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { SlipwayError, errorCodes, type ErrorCode } from '../../api/errors'
import type { WorkerMessage } from './worker'

export interface RunTaskOptions {
  signal?: AbortSignal
  onProgress?: (done: number, total: number | null, message: string) => void
  /** Run in this thread instead of a worker (tests of task logic, tiny inputs). */
  inProcess?: boolean
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

const toError = (code: string, message: string): SlipwayError =>
  new SlipwayError(
    (errorCodes as readonly string[]).includes(code) ? (code as ErrorCode) : 'INTERNAL',
    message,
  )

export async function runTask<T>(
  task: string,
  payload: unknown,
  options: RunTaskOptions = {},
): Promise<T> {
  const { signal, onProgress } = options
  if (signal?.aborted) throw new SlipwayError('CANCELLED', 'Cancelled')
  if (options.inProcess) {
    const { tasks } = await import('./tasks')
    const fn = tasks[task]
    if (!fn) throw new SlipwayError('INTERNAL', `Unknown task ${task}`)
    const value = await fn(payload, {
      progress: (done, total, message) => onProgress?.(done, total, message),
      cancelled: () => signal?.aborted ?? false,
    })
    if (signal?.aborted) throw new SlipwayError('CANCELLED', 'Cancelled')
    return value as T
  }
  const worker = new Worker(resolveWorkerScript(), { workerData: { task, payload } })
  return new Promise<T>((resolve, reject) => {
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
      if (message.type === 'result') finish(() => resolve(message.value as T))
      else finish(() => reject(toError(message.code, message.message)))
      stopSoon()
    })
    worker.on('error', (error) => finish(() => reject(toError('INTERNAL', error.message))))
    worker.on('exit', (code) => {
      exited = true
      if (forceStop) clearTimeout(forceStop)
      if (!settled)
        finish(() => reject(toError('INTERNAL', `Worker stopped unexpectedly (exit code ${code})`)))
    })
  })
}
