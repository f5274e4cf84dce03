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
    post({ type: 'result', value })
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
