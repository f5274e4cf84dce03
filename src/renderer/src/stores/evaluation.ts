// Evaluation slice: the Evaluate form (version, dataset, label, slice, cost matrix, column mapping),
// the running job, the evaluation on screen and the past evaluations of the chosen version.
import type { ApiError } from '../../../api/errors'
import {
  type ColumnMapping,
  type CostMatrix,
  type Evaluation,
  type EvaluationSummary,
} from '../../../api/evaluation'
import type { Job } from '../../../api/jobs'
import type { ModelDetail, ModelSummary, VersionDetail } from '../../../api/registry'
import { create } from 'zustand'
import { client } from '../transport/client'
import { followJob, useJobs } from './jobs'
import { hrefFor, useRoute } from './route'
import { offerRestore } from './trash'

export const errorOf = (error: unknown): ApiError =>
  error instanceof Error
    ? { code: 'INTERNAL', message: error.message }
    : { code: 'INTERNAL', message: String(error) }

export interface CostInputs {
  tp: string
  fp: string
  tn: string
  fn: string
}

export interface EvaluateForm {
  model: string
  /** A version number as text, or an alias. */
  ref: string
  datasetId: number | null
  /** '' = automatic (the model's label_column metadata, else `label` or `target`). */
  label: string
  /** '' = no slices. */
  slice: string
  costEnabled: boolean
  cost: CostInputs
}

export type RunStatus = 'idle' | 'starting' | 'running' | 'done' | 'failed' | 'cancelled'

export interface EvaluationState {
  models: ModelSummary[]
  model: ModelDetail | null
  /** The chosen version's detail: its inputs drive the mapping editor. */
  versionDetail: VersionDetail | null
  form: EvaluateForm
  formError: string | null
  status: RunStatus
  job: Job | null
  runError: ApiError | null
  /** The core could not map columns to inputs by itself: the editor is open. */
  mappingOpen: boolean
  mapping: ColumnMapping
  mappingError: string | null
  evaluation: Evaluation | null
  evaluationError: string | null
  history: EvaluationSummary[]
  loadModels(): Promise<void>
  selectModel(name: string): Promise<void>
  setForm(patch: Partial<EvaluateForm>): void
  setCost(patch: Partial<CostInputs>): void
  /** Pre-fills the form from elsewhere (the version page's Evaluate button). */
  prepare(model: string, ref: string): Promise<void>
  start(): Promise<void>
  cancel(): Promise<void>
  openEvaluation(id: number): Promise<void>
  loadHistory(): Promise<void>
  /** Every stored evaluation of a model (all versions, all datasets), newest first. */
  listForModel(model: string): Promise<EvaluationSummary[]>
  /** Deletes a stored evaluation; resolves with the problem to show, or null. */
  removeEvaluation(id: number): Promise<string | null>
  openMappingEditor(): Promise<void>
  closeMappingEditor(): void
  setMappingEntry(key: string, column: string): void
  saveMapping(): Promise<boolean>
}

export const initialEvaluateForm: EvaluateForm = {
  model: '',
  ref: '',
  datasetId: null,
  label: '',
  slice: '',
  costEnabled: false,
  cost: { tp: '', fp: '', tn: '', fn: '' },
}

export const initialEvaluationState = {
  models: [] as ModelSummary[],
  model: null as ModelDetail | null,
  versionDetail: null as VersionDetail | null,
  form: initialEvaluateForm,
  formError: null as string | null,
  status: 'idle' as RunStatus,
  job: null as Job | null,
  runError: null as ApiError | null,
  mappingOpen: false,
  mapping: {} as ColumnMapping,
  mappingError: null as string | null,
  evaluation: null as Evaluation | null,
  evaluationError: null as string | null,
  history: [] as EvaluationSummary[],
}

/** The version a model's form starts on: its champion, else the latest version. */
export function defaultRef(
  model: ModelDetail | ModelSummary,
  preferred: string[] = ['champion'],
): string {
  for (const alias of preferred) if (model.aliases?.[alias] !== undefined) return alias
  return model.latestVersion !== null ? String(model.latestVersion) : ''
}

/** `'3'` → 3; an alias stays text. */
export const refValue = (ref: string): number | string =>
  /^\d+$/.test(ref.trim()) ? Number(ref.trim()) : ref.trim()

/** The version number a ref points to in a model, or null. */
export function versionOf(model: ModelDetail | null, ref: string): number | null {
  if (!model || !ref.trim()) return null
  const value = refValue(ref)
  if (typeof value === 'number')
    return model.versions.some((v) => v.version === value) ? value : null
  if (value === 'latest') return model.latestVersion
  return (
    model.aliases[value.replace(/^v(?=\d+$)/, '')] ??
    (/^v\d+$/.test(value) ? Number(value.slice(1)) : null)
  )
}

function parseCost(cost: CostInputs): CostMatrix | string {
  const parsed: Partial<CostMatrix> = {}
  for (const key of ['tp', 'fp', 'tn', 'fn'] as const) {
    const text = cost[key].trim()
    const value = text === '' ? 0 : Number(text)
    if (!Number.isFinite(value))
      return `The value of a ${key.toUpperCase()} row must be a number, not “${text}”`
    parsed[key] = value
  }
  // All zeros values every threshold alike: the chart would be flat and its "best threshold" noise.
  if (Object.values(parsed).every((value) => value === 0))
    return 'Enter the value of at least one outcome (TP, FP, TN or FN) for the business value'
  return parsed as CostMatrix
}

export const useEvaluation = create<EvaluationState>()((set, get) => {
  const loadVersionDetail = async (): Promise<void> => {
    const { form } = get()
    if (!form.model || !form.ref) return set({ versionDetail: null })
    const result = await client().call('registry:get-version', {
      model: form.model,
      ref: refValue(form.ref),
    })
    set({ versionDetail: result.ok ? result.value : null })
  }

  return {
    ...initialEvaluationState,
    async loadModels() {
      const result = await client().call('registry:list-models', {})
      if (!result.ok) return set({ formError: result.error.message })
      const models = result.value.models
      set({ models })
      const first = models[0]
      if (!get().form.model && first) await get().selectModel(first.name)
    },
    async selectModel(name) {
      set({
        form: { ...get().form, model: name, ref: '' },
        model: null,
        mappingOpen: false,
        runError: null,
      })
      if (!name) return
      const result = await client().call('registry:get-model', { model: name })
      if (get().form.model !== name) return
      if (!result.ok) return set({ formError: result.error.message })
      set({
        model: result.value,
        form: { ...get().form, ref: get().form.ref || defaultRef(result.value) },
      })
      await Promise.all([get().loadHistory(), loadVersionDetail()])
    },
    setForm(patch) {
      set({ form: { ...get().form, ...patch }, formError: null })
      if (patch.ref !== undefined) {
        set({ mappingOpen: false, runError: null })
        void get().loadHistory()
        void loadVersionDetail()
      }
    },
    setCost(patch) {
      set({ form: { ...get().form, cost: { ...get().form.cost, ...patch } }, formError: null })
    },
    async prepare(model, ref) {
      if (get().models.length === 0) {
        const list = await client().call('registry:list-models', {})
        if (list.ok) set({ models: list.value.models })
      }
      await get().selectModel(model)
      get().setForm({ ref })
    },
    async start() {
      const { form, status } = get()
      if (status === 'starting' || status === 'running') return
      if (!form.model || !form.ref.trim()) return set({ formError: 'Choose a model and a version' })
      if (form.datasetId === null) return set({ formError: 'Choose a dataset, or import one' })
      let costMatrix: CostMatrix | undefined
      if (form.costEnabled) {
        const cost = parseCost(form.cost)
        if (typeof cost === 'string') return set({ formError: cost })
        costMatrix = cost
      }
      // The result on screen belongs to an earlier run (maybe of another model): it goes now, so an
      // error of this run is never read above someone else's numbers.
      set({
        status: 'starting',
        job: null,
        runError: null,
        formError: null,
        evaluationError: null,
        evaluation: null,
      })
      const started = await client().call('eval:start', {
        model: form.model,
        ref: refValue(form.ref),
        dataset: { datasetId: form.datasetId },
        ...(form.label ? { label: form.label } : {}),
        ...(form.slice ? { slice: form.slice } : {}),
        ...(costMatrix ? { costMatrix } : {}),
      })
      if (!started.ok) {
        set({ status: 'failed', runError: started.error })
        if (started.error.code === 'MAPPING_INVALID') await get().openMappingEditor()
        return
      }
      set({ status: 'running', job: started.value })
      const final = await followJob(started.value.id, 'evaluate', 'evaluation', (job) => {
        if (get().job?.id === job.id) set({ job })
      })
      if (get().job?.id !== final.job.id) return
      if (final.status === 'cancelled') return set({ status: 'cancelled' })
      if (final.status === 'failed') {
        set({ status: 'failed', runError: final.error })
        if (final.error.code === 'MAPPING_INVALID') await get().openMappingEditor()
        return
      }
      const evaluation = final.result
      set({ status: 'done', evaluation, mappingOpen: false })
      useRoute.getState().navigate(hrefFor('evaluate', evaluation.id))
      await get().loadHistory()
    },
    async cancel() {
      const job = get().job
      if (!job) return
      const result = await useJobs.getState().cancel(job.id)
      if (result) set({ runError: { code: 'INTERNAL', message: result } })
    },
    async openEvaluation(id) {
      if (get().evaluation?.id === id) return
      set({ evaluationError: null })
      const result = await client().call('eval:get', { id })
      if (!result.ok) return set({ evaluationError: result.error.message })
      set({ evaluation: result.value })
      // The form shows what the opened evaluation ran, so "Evaluate" repeats it.
      const { model, version, dataset, settings } = result.value
      if (get().form.model !== model) await get().selectModel(model)
      get().setForm({
        ref: String(version),
        datasetId: dataset.id,
        label: settings.label ?? '',
        slice: settings.slice ?? '',
      })
    },
    async removeEvaluation(id) {
      const result = await client().call('eval:remove', { id })
      if (!result.ok) return result.error.message
      if (get().evaluation?.id === id) {
        set({ evaluation: null })
        useRoute.getState().navigate(hrefFor('evaluate'))
      }
      await get().loadHistory()
      offerRestore(`Evaluation ${id} deleted.`, result.value.trashId, () => get().loadHistory())
      return null
    },
    async listForModel(model) {
      const result = await client().call('eval:list', { model })
      return result.ok ? result.value : []
    },
    async loadHistory() {
      const { form, model } = get()
      const version = versionOf(model, form.ref)
      if (!form.model || version === null) return set({ history: [] })
      const result = await client().call('eval:list', { model: form.model, version })
      if (get().form.model !== form.model) return
      set({ history: result.ok ? result.value : [] })
    },
    async openMappingEditor() {
      const model = get().form.model
      set({ mappingOpen: true, mappingError: null })
      const [saved] = await Promise.all([
        client().call('eval:get-mapping', { model }),
        loadVersionDetail(),
      ])
      if (saved.ok && saved.value) set({ mapping: saved.value })
    },
    closeMappingEditor() {
      set({ mappingOpen: false, mappingError: null })
    },
    setMappingEntry(key, column) {
      const mapping = { ...get().mapping }
      if (column) mapping[key] = column
      else delete mapping[key]
      set({ mapping, mappingError: null })
    },
    async saveMapping() {
      const { form, mapping } = get()
      const result = await client().call('eval:set-mapping', {
        model: form.model,
        mapping: Object.keys(mapping).length ? mapping : null,
      })
      if (!result.ok) {
        set({ mappingError: result.error.message })
        return false
      }
      set({ mappingError: null, runError: null })
      return true
    },
  }
})
