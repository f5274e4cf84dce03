// Worker-thread tasks of the evaluation feature, by name: `evaluate` and `shadow`.
import type { TaskFns } from '../jobs/tasks'
import { evaluate } from './evaluate'
import { shadow } from '../shadow/compare'

export const evaluationTasks: TaskFns<'evaluate' | 'shadow'> = {
  evaluate,
  shadow,
}
