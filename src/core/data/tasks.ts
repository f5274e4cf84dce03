// Worker-thread tasks of the data feature, by name.
import type { TaskFn } from '../jobs/tasks'

export const dataTasks: Record<string, TaskFn> = {}
