// Worker-thread tasks of the evaluation feature, by name.
import type { TaskFn } from '../jobs/tasks'

export const evaluationTasks: Record<string, TaskFn> = {}
