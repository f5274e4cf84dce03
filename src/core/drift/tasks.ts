// Worker-thread tasks of the drift feature, by name.
import type { TaskFns } from '../jobs/tasks'
import { runDrift } from './run'

export const driftTasks: TaskFns<'drift'> = {
  drift: runDrift,
}
