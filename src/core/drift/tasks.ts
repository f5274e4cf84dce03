// Worker-thread tasks of the drift feature, by name.
import type { TaskFn } from '../jobs/tasks'

export const driftTasks: Record<string, TaskFn> = {}
