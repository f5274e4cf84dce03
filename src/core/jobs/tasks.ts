// Every task that may run in a worker thread, by name, with its payload and result types: the
// worker-side counterpart of the contract's call map. A feature adds its tasks to `TaskMap` and
// its functions to `tasks`; `runTask` then checks both ends at compile time.
import type { DriftReport } from '../../api/drift'
import type { Table } from '../data/table'
import type {
  CsvPartPayload,
  DescribeTaskPayload,
  DescribedFile,
  ProfileColumnsPayload,
  ProfiledColumns,
} from '../data/tasks'
import { dataTasks } from '../data/tasks'
import type { DriftTaskPayload } from '../drift/run'
import { driftTasks } from '../drift/tasks'
import type { EvaluateOutput, EvaluatePayload } from '../evaluation/evaluate'
import { evaluationTasks } from '../evaluation/tasks'
import type { ShadowOutput, ShadowPayload } from '../shadow/compare'

export interface TaskContext {
  /** Report progress; cheap to call often (the runner throttles what it forwards). */
  progress(done: number, total: number | null, message: string): void
  /** True once the job was cancelled; long loops check it and stop. */
  cancelled(): boolean
}

/** Task name → what it is given (structured-cloned into the worker) and what it returns. */
export interface TaskMap {
  'dataset-describe': { payload: DescribeTaskPayload; result: DescribedFile }
  'profile-columns': { payload: ProfileColumnsPayload; result: ProfiledColumns }
  'csv-part': { payload: CsvPartPayload; result: Table }
  evaluate: { payload: EvaluatePayload; result: EvaluateOutput }
  shadow: { payload: ShadowPayload; result: ShadowOutput }
  drift: { payload: DriftTaskPayload; result: DriftReport }
}

export type TaskName = keyof TaskMap
export type TaskPayload<K extends TaskName> = TaskMap[K]['payload']
export type TaskResult<K extends TaskName> = TaskMap[K]['result']
export type TaskFn<K extends TaskName> = (
  payload: TaskPayload<K>,
  ctx: TaskContext,
) => Promise<TaskResult<K>>
export type TaskFns<K extends TaskName> = { [T in K]: TaskFn<T> }

export const tasks: TaskFns<TaskName> = {
  ...dataTasks,
  ...evaluationTasks,
  ...driftTasks,
}

export const isTaskName = (name: unknown): name is TaskName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(tasks, name)

/** Runs task `name` on a payload that crossed a thread boundary as that task's payload. */
export function runNamedTask<K extends TaskName>(
  name: K,
  payload: TaskPayload<K>,
  ctx: TaskContext,
): Promise<TaskResult<K>> {
  const fn: TaskFn<K> = tasks[name]
  return fn(payload, ctx)
}
