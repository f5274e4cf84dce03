// Worker-thread entry: runs one named task and reports progress and the result to its parent.
import { parentPort, workerData } from 'node:worker_threads'
import { SlipwayError, isSlipwayError } from '../../api/errors'
import { isTaskName, runNamedTask, type TaskName, type TaskPayload } from './tasks'
import { testHold } from './test-hold'

interface WorkerInput {
  task: TaskName
  payload: TaskPayload<TaskName>
  /** Index 0 turns 1 when the job is cancelled (see run-task.ts). */
  cancelFlag: Int32Array
}

export type WorkerMessage =
  | { type: 'progress'; done: number; total: number | null; message: string }
  | { type: 'result'; value: unknown }
  | { type: 'error'; code: string; message: string }

/** The buffers of the large typed arrays in a result (a few levels deep), each once. */
function transferables(
  value: unknown,
  found = new Set<ArrayBuffer>(),
  depth = 0,
): Set<ArrayBuffer> {
  if (depth > 4 || value === null || typeof value !== 'object') return found
  if (ArrayBuffer.isView(value)) {
    if (
      !Buffer.isBuffer(value) &&
      value.buffer instanceof ArrayBuffer &&
      value.buffer.byteLength >= 1 << 16
    )
      found.add(value.buffer)
    return found
  }
  const items = Array.isArray(value) ? value : Object.values(value)
  for (const item of items) transferables(item, found, depth + 1)
  return found
}

async function main(): Promise<void> {
  const port = parentPort
  if (!port) throw new Error('worker.ts must run in a worker thread')
  const { task, payload, cancelFlag } = workerData as WorkerInput
  let cancelled = false
  port.on('message', (message: unknown) => {
    if (message === 'cancel') cancelled = true
  })
  const post = (message: WorkerMessage): void => port.postMessage(message)
  const hold = testHold(cancelFlag, post)
  try {
    if (!isTaskName(task)) throw new SlipwayError('INTERNAL', `Unknown worker task ${String(task)}`)
    const value = await runNamedTask(task, payload, {
      progress: (done, total, message) => {
        post({ type: 'progress', done, total, message })
        hold(done, total, message)
      },
      cancelled: () => cancelled || Atomics.load(cancelFlag, 0) === 1,
    })
    // Large typed arrays (a table's columns) are moved to the parent, not copied.
    port.postMessage({ type: 'result', value } satisfies WorkerMessage, [...transferables(value)])
  } catch (error) {
    if (isSlipwayError(error)) post({ type: 'error', code: error.code, message: error.message })
    else
      post({
        type: 'error',
        code: 'INTERNAL',
        message: error instanceof Error ? error.message : String(error),
      })
  } finally {
    // Nothing more to hear from the parent: let the thread end by itself, at a moment when no
    // native work is in flight (see run-task.ts).
    port.unref()
  }
}

void main()
