// Handlers of the evaluation, shadow and gate calls: check the arguments at once, then run the
// long work as a job whose result is the stored record.
import type { evaluationCalls } from '../../api/evaluation'
import { SlipwayError } from '../../api/errors'
import { removeComparison, removeEvaluation } from './remove'
import type { CoreContext, HandlersFor } from '../context'
import { requireModel, resolveModelFile } from '../registry/registry'
import { refuseUnknownMetrics } from './gates'
import { compareVersions, getShadow, listShadows } from '../shadow/service'
import { checkGates, getGateReport, listGateReports } from './gates-service'
import { getPolicy, getSavedMapping, setPolicy, setSavedMapping } from './model-settings'
import { prepareDataset, withDataset } from './run-dataset'
import {
  evaluateVersion,
  getEvaluation,
  latestForModel,
  listEvaluations,
  type RunSettings,
} from './service'

const settingsOf = (input: RunSettings): RunSettings => ({
  label: input.label,
  slice: input.slice,
  mapping: input.mapping,
  costMatrix: input.costMatrix,
  batchSize: input.batchSize,
  task: input.task,
})

export function createEvaluationHandlers(core: CoreContext): HandlersFor<typeof evaluationCalls> {
  return {
    'eval:start': async (input, call) => {
      const version = resolveModelFile(core, input.model, input.ref)
      const dataset = prepareDataset(core, input.dataset, call, { overlap: true })
      return core.jobs.start('evaluate', `Evaluating ${version.label}`, async (job) =>
        withDataset(core, call.actor, dataset, job, (ds) =>
          evaluateVersion(core, call.actor, version, ds, settingsOf(input), job),
        ),
      )
    },
    'eval:get': async ({ id }) => getEvaluation(core, id),
    'eval:remove': async ({ id }, { actor }) => removeEvaluation(core, actor, id),
    'shadow:remove': async ({ id }, { actor }) => removeComparison(core, actor, id),
    'eval:list': async (input) => listEvaluations(core, input),
    'eval:latest-for-model': async ({ model }) => latestForModel(core, model),
    'eval:get-mapping': async ({ model }) => getSavedMapping(core, requireModel(core.db, model).id),
    'eval:set-mapping': async ({ model, mapping }, { actor }) => {
      const row = requireModel(core.db, model)
      return setSavedMapping(core, actor, row.id, row.name, mapping)
    },
    'shadow:start': async (input, call) => {
      const champion = resolveModelFile(core, input.champion.model, input.champion.ref)
      const challenger = resolveModelFile(core, input.challenger.model, input.challenger.ref)
      const dataset = prepareDataset(core, input.dataset, call, { overlap: true })
      return core.jobs.start(
        'shadow',
        `Comparing ${champion.label} with ${challenger.label}`,
        async (job) =>
          withDataset(core, call.actor, dataset, job, (ds) =>
            compareVersions(core, call.actor, champion, challenger, ds, settingsOf(input), job),
          ),
      )
    },
    'shadow:get': async ({ id }) => getShadow(core, id),
    'shadow:list': async ({ model }) => listShadows(core, model),
    'gates:get-policy': async ({ model }) => getPolicy(core, requireModel(core.db, model).id),
    'gates:set-policy': async ({ model, policy }, { actor }) => {
      const row = requireModel(core.db, model)
      refuseUnknownMetrics(policy)
      return setPolicy(core, actor, row.id, row.name, policy)
    },
    'gates:check': async (input, call) => {
      const version = resolveModelFile(core, input.model, input.ref)
      const policy = input.policy ?? getPolicy(core, version.modelId)
      if (!policy) {
        throw new SlipwayError(
          'NOT_FOUND',
          `Model "${version.model}" has no gate policy; set one or pass a policy file`,
        )
      }
      refuseUnknownMetrics(
        policy,
        input.policy ? 'The gate policy' : `The stored gate policy of model "${version.model}"`,
      )
      const dataset = prepareDataset(core, input.dataset, call, { overlap: true })
      return core.jobs.start(
        'gate',
        `Checking ${version.label} against its promotion gates`,
        async (job) =>
          withDataset(core, call.actor, dataset, job, (ds) =>
            checkGates(core, call.actor, version, ds, policy, settingsOf(input), job),
          ),
      )
    },
    'gates:get-report': async ({ id }) => getGateReport(core, id),
    'gates:list-reports': async ({ model, version }) => listGateReports(core, model, version),
  }
}
