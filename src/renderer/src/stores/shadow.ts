// Shadow slice: champion and challenger picks, dataset, the running comparison job, the comparison
// on screen and the past comparisons of the model.
import type { ApiError } from '../../../api/errors'
import type { ShadowComparison } from '../../../api/evaluation'
import type { Job } from '../../../api/jobs'
import type { ModelDetail, ModelSummary } from '../../../api/registry'
import { create } from 'zustand'
import { client } from '../transport/client'
import { defaultRef, refValue, type RunStatus } from './evaluation'
import { followJob, useJobs } from './jobs'
import { hrefFor, useRoute } from './route'
import { offerRestore } from './trash'

export type PastComparison = Omit<ShadowComparison, 'result'>

export interface Side {
  model: string
  ref: string
}

export interface CompareForm {
  champion: Side
  challenger: Side
  datasetId: number | null
  label: string
  slice: string
}

export interface ShadowState {
  models: ModelSummary[]
  /** The models list has been read at least once (an empty list then means none). */
  modelsLoaded: boolean
  /** Model details by name, for the version pickers of both sides. */
  details: Record<string, ModelDetail>
  form: CompareForm
  formError: string | null
  status: RunStatus
  job: Job | null
  runError: ApiError | null
  comparison: ShadowComparison | null
  comparisonError: string | null
  history: PastComparison[]
  loadModels(): Promise<void>
  /** Picks the model of one side; the champion's model also becomes the challenger's. */
  selectModel(side: 'champion' | 'challenger', name: string): Promise<void>
  setSide(side: 'champion' | 'challenger', patch: Partial<Side>): void
  setForm(patch: Partial<Pick<CompareForm, 'datasetId' | 'label' | 'slice'>>): void
  start(): Promise<void>
  cancel(): Promise<void>
  openComparison(id: number): Promise<void>
  loadHistory(): Promise<void>
  /** Deletes a stored comparison; resolves with the problem to show, or null. */
  removeComparison(id: number): Promise<string | null>
}

export const initialCompareForm: CompareForm = {
  champion: { model: '', ref: '' },
  challenger: { model: '', ref: '' },
  datasetId: null,
  label: '',
  slice: '',
}

export const initialShadowState = {
  models: [] as ModelSummary[],
  modelsLoaded: false,
  details: {} as Record<string, ModelDetail>,
  form: initialCompareForm,
  formError: null as string | null,
  status: 'idle' as RunStatus,
  job: null as Job | null,
  runError: null as ApiError | null,
  comparison: null as ShadowComparison | null,
  comparisonError: null as string | null,
  history: [] as PastComparison[],
}

/**
 * The challenger a comparison starts with: the `challenger` alias, else the latest version that
 * is not the champion.
 */
export function defaultChallenger(model: ModelDetail, championRef: string): string {
  if (model.aliases.challenger !== undefined) return 'challenger'
  const champion = /^\d+$/.test(championRef) ? Number(championRef) : model.aliases[championRef]
  const other = [...model.versions]
    .sort((a, b) => b.version - a.version)
    .find((v) => v.version !== champion)
  return other ? String(other.version) : defaultRef(model)
}

export const useShadow = create<ShadowState>()((set, get) => {
  const detail = async (name: string): Promise<ModelDetail | null> => {
    const known = get().details[name]
    if (known) return known
    const result = await client().call('registry:get-model', { model: name })
    if (!result.ok) {
      set({ formError: result.error.message })
      return null
    }
    set({ details: { ...get().details, [name]: result.value } })
    return result.value
  }

  return {
    ...initialShadowState,
    async loadModels() {
      const result = await client().call('registry:list-models', {})
      if (!result.ok) return set({ formError: result.error.message })
      // Fresh details: aliases may have moved since the last visit.
      const models = result.value.models
      set({ models, details: {}, modelsLoaded: true })
      // An opened comparison has set the form already; picking a default would undo it.
      const shown = get().comparison
      if (shown && get().form.champion.model === shown.champion.model) {
        await Promise.all([detail(shown.champion.model), detail(shown.challenger.model)])
        return
      }
      const current = get().form.champion.model
      const name = models.some((m) => m.name === current) ? current : (models[0]?.name ?? '')
      if (name) await get().selectModel('champion', name)
    },
    async selectModel(side, name) {
      const model = await detail(name)
      if (!model) return
      const form = get().form
      if (side === 'champion') {
        const championRef = defaultRef(model)
        set({
          form: {
            ...form,
            champion: { model: name, ref: championRef },
            challenger: { model: name, ref: defaultChallenger(model, championRef) },
          },
          formError: null,
        })
        await get().loadHistory()
      } else {
        set({
          form: { ...form, challenger: { model: name, ref: defaultRef(model, ['challenger']) } },
          formError: null,
        })
      }
    },
    setSide(side, patch) {
      const form = get().form
      set({ form: { ...form, [side]: { ...form[side], ...patch } }, formError: null })
    },
    setForm(patch) {
      set({ form: { ...get().form, ...patch }, formError: null })
    },
    async start() {
      const { form, status } = get()
      if (status === 'starting' || status === 'running') return
      if (
        !form.champion.model ||
        !form.champion.ref ||
        !form.challenger.model ||
        !form.challenger.ref
      )
        return set({ formError: 'Choose the champion and the challenger' })
      if (
        form.champion.model === form.challenger.model &&
        form.champion.ref === form.challenger.ref
      )
        return set({
          formError: 'The champion and the challenger are the same version; choose two',
        })
      if (form.datasetId === null) return set({ formError: 'Choose a dataset, or import one' })
      set({
        status: 'starting',
        job: null,
        runError: null,
        formError: null,
        comparisonError: null,
        comparison: null,
      })
      const started = await client().call('shadow:start', {
        champion: { model: form.champion.model, ref: refValue(form.champion.ref) },
        challenger: { model: form.challenger.model, ref: refValue(form.challenger.ref) },
        dataset: { datasetId: form.datasetId },
        ...(form.label ? { label: form.label } : {}),
        ...(form.slice ? { slice: form.slice } : {}),
      })
      if (!started.ok) return set({ status: 'failed', runError: started.error })
      set({ status: 'running', job: started.value })
      const final = await followJob(started.value.id, 'shadow', 'comparison', (job) => {
        if (get().job?.id === job.id) set({ job })
      })
      if (get().job?.id !== final.job.id) return
      if (final.status === 'cancelled') return set({ status: 'cancelled' })
      if (final.status === 'failed') return set({ status: 'failed', runError: final.error })
      set({ status: 'done', comparison: final.result })
      useRoute.getState().navigate(hrefFor('compare', final.result.id))
      await get().loadHistory()
    },
    async cancel() {
      const job = get().job
      if (!job) return
      const problem = await useJobs.getState().cancel(job.id)
      if (problem) set({ runError: { code: 'INTERNAL', message: problem } })
    },
    async openComparison(id) {
      if (get().comparison?.id === id) return
      set({ comparisonError: null })
      const result = await client().call('shadow:get', { id })
      if (!result.ok) return set({ comparisonError: result.error.message })
      set({ comparison: result.value })
      // The form shows what the opened comparison ran, so the page never reads "A vs A" above a
      // result of "B vs C", and Start repeats it.
      const { champion, challenger, dataset, settings } = result.value
      await Promise.all([detail(champion.model), detail(challenger.model)])
      if (get().comparison?.id !== id) return
      set({
        form: {
          champion: { model: champion.model, ref: String(champion.version) },
          challenger: { model: challenger.model, ref: String(challenger.version) },
          datasetId: dataset.id,
          label: settings.label ?? '',
          slice: settings.slice ?? '',
        },
        formError: null,
      })
      await get().loadHistory()
    },
    async removeComparison(id) {
      const result = await client().call('shadow:remove', { id })
      if (!result.ok) return result.error.message
      if (get().comparison?.id === id) {
        set({ comparison: null })
        useRoute.getState().navigate(hrefFor('compare'))
      }
      await get().loadHistory()
      offerRestore(`Comparison ${id} deleted.`, result.value.trashId, () => get().loadHistory())
      return null
    },
    async loadHistory() {
      const model = get().form.champion.model
      if (!model) return set({ history: [] })
      const result = await client().call('shadow:list', { model })
      if (get().form.champion.model !== model) return
      set({ history: result.ok ? result.value : [] })
    },
  }
})
