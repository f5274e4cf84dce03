// Every task that may run in a worker thread, by name. A feature adds its tasks here.
import { dataTasks } from '../data/tasks'
import { driftTasks } from '../drift/tasks'
import { evaluationTasks } from '../evaluation/tasks'

export interface TaskContext {
  /** Report progress; cheap to call often (the runner throttles what it forwards). */
  progress(done: number, total: number | null, message: string): void
  /** True once the job was cancelled; long loops check it and stop. */
  cancelled(): boolean
}

export type TaskFn = (payload: unknown, ctx: TaskContext) => Promise<unknown>

export const tasks: Record<string, TaskFn> = {
  ...dataTasks,
  ...evaluationTasks,
  ...driftTasks,
}
