// Worker-thread tasks of the evaluation feature, by name: `evaluate` and `shadow`.
import type { TaskFn } from '../jobs/tasks'
import { evaluate, type EvaluatePayload } from './evaluate'
import { shadow, type ShadowPayload } from '../shadow/compare'

export const evaluationTasks: Record<string, TaskFn> = {
  evaluate: (payload, ctx) => evaluate(payload as EvaluatePayload, ctx),
  shadow: (payload, ctx) => shadow(payload as ShadowPayload, ctx),
}
