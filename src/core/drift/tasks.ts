// Worker-thread tasks of the drift feature, by name.
import type { TaskFn } from '../jobs/tasks'
import { runDrift, type DriftTaskPayload } from './run'

export const driftTasks: Record<string, TaskFn> = {
  drift: (payload, ctx) => runDrift(payload as DriftTaskPayload, ctx),
}
