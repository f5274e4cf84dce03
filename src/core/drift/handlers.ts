// Handlers of the drift calls.
import type { driftCalls } from '../../api/drift'
import type { CoreContext, HandlersFor } from '../context'
import { resolveModelFile } from '../registry/registry'
import { createMonitor, deleteMonitor, listMonitors, runMonitorNow } from './monitors'
import { getRun, listRuns, modelStatuses, resolveSource, startDrift } from './service'

export function createDriftHandlers(core: CoreContext): HandlersFor<typeof driftCalls> {
  return {
    'drift:start': async (input, call) => {
      const reference = resolveSource(core, input.reference, call)
      const current = resolveSource(core, input.current, call)
      const model = input.model ? resolveModelFile(core, input.model.model, input.model.ref) : null
      return startDrift(core, {
        actor: call.actor,
        reference,
        current,
        model,
        settings: input.settings,
      })
    },
    'drift:get': async ({ runId }) => getRun(core, runId),
    'drift:list': async (input) => listRuns(core, input),
    'drift:model-status': async ({ model }) => modelStatuses(core, model),
    'monitors:create': async (input, call) => createMonitor(core, input, call),
    'monitors:list': async ({ model }) => listMonitors(core, model),
    'monitors:delete': async ({ monitorId }, { actor }) => deleteMonitor(core, monitorId, actor),
    'monitors:run-now': async ({ monitorId }, { actor }) => runMonitorNow(core, monitorId, actor),
  }
}
