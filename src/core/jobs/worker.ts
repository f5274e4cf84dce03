// Worker-thread entry: runs one named task and reports progress and the result to its parent.
import { parentPort, workerData } from 'node:worker_threads'
import { SlipwayError, isSlipwayError } from '../../api/errors'
import { isTaskName, runNamedTask, type TaskName, type TaskPayload } from './tasks'

interface WorkerInput {
  task: TaskName
  payload: TaskPayload<TaskName>
}

export type WorkerMessage =
  | { type: 'progress'; done: number; total: number | null; message: string }
  | { type: 'result'; value: unknown }
  | { type: 'error'; code: string; message: string }

async function main(): Promise<void> {
  const port = parentPort
  if (!port) throw new Error('worker.ts must run in a worker thread')
  const { task, payload } = workerData as WorkerInput
  let cancelled = false
  port.on('message', (message: unknown) => {
    if (message === 'cancel') cancelled = true
  })
  const post = (message: WorkerMessage): void => port.postMessage(message)
  try {
    if (!isTaskName(task)) throw new SlipwayError('INTERNAL', `Unknown worker task ${String(task)}`)
    const value = await runNamedTask(task, payload, {
      progress: (done, total, message) => post({ type: 'progress', done, total, message }),
      cancelled: () => cancelled,
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
