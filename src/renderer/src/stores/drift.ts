// Drift slice: the comparison form, the running drift job, the report on screen, stored runs,
// per-model monitors and each model's drift status (the registry's badges).
import { numberRange, type FileRef } from '../../../api/common'
import {
  DriftBins,
  DriftChunks,
  DriftPerformanceDrop,
  DriftShare,
  DriftThreshold,
} from '../../../api/drift'
import type {
  DataSource,
  DriftReport,
  DriftRunSummary,
  DriftSettingsInput,
  DriftStartInput,
  DriftTest,
  Monitor,
  ModelDriftStatus,
  WindowUnit,
} from '../../../api/drift'
import { resultOf } from '../../../api/job-results'
import type { Job } from '../../../api/jobs'
import type { DatasetSummary, ModelSummary, VersionSummary } from '../../../api/registry'
import { create, type StoreApi } from 'zustand'
import { client } from '../transport/client'
import { useJobs } from './jobs'
import { hrefFor, useRoute } from './route'
import { offerRestore } from './trash'

export type ReferenceKind = 'version' | 'dataset' | 'file'
export type CurrentKind = 'dataset' | 'file'
export type TimeMode = 'none' | 'window' | 'chunks'

export interface ColumnOverrideRow {
  column: string
  method: DriftTest | ''
  threshold: string
}

export interface DriftForm {
  /** '' when no model is chosen (plain dataset-to-dataset comparison). */
  model: string
  /** A version number or alias of `model`. */
  version: string
  referenceKind: ReferenceKind
  referenceDataset: string
  currentKind: CurrentKind
  currentDataset: string
  /** Run the version on both sides and compare its outputs (prediction drift). */
  predictions: boolean
  timeMode: TimeMode
  timestampColumn: string
  window: WindowUnit
  chunks: string
  bins: string
  threshold: string
  driftShare: string
  overrides: ColumnOverrideRow[]
  /** The label (target) column: never a feature; the model's performance is measured on it. */
  label: string
  /** Degraded at a drop larger than this (blank: the reference chunks' mean ± 3 std). */
  performanceDrop: string
  /** Production log roles: served output and score, latency, business value columns. */
  logPrediction: string
  logScore: string
  logLatency: string
  logValue: string
}

/** A picked file: a File from the page's input (uploaded in web mode, a path in Electron). */
export interface PickedFiles {
  reference: File | null
  current: File | null
}

export type RunStatus = 'idle' | 'uploading' | 'running' | 'done' | 'failed' | 'cancelled'

export interface DriftRunState {
  status: RunStatus
  jobId: string | null
  /** 0..1 while uploading or when the job reports a total; null when unknown. */
  progress: number | null
  message: string
  error: string | null
}

export type FormProblems = Partial<
  Record<keyof DriftForm | 'referenceFile' | 'currentFile', string>
>

export interface DriftState {
  form: DriftForm
  files: PickedFiles
  problems: FormProblems
  run: DriftRunState
  report: DriftReport | null
  /** Stored run id of the report on screen, when it came from drift:get or a finished job. */
  reportRunId: number | null
  selectedColumn: string | null
  models: ModelSummary[]
  versions: VersionSummary[]
  datasets: DatasetSummary[]
  pickersError: string | null
  history: DriftRunSummary[]
  historyError: string | null
  monitors: Monitor[]
  monitorsError: string | null
  modelStatus: Record<string, ModelDriftStatus>
  modelStatusLoadedAt: number
  /** Monitor runs started from this page; their end refreshes monitors, history and status. */
  monitorJobs: string[]
  loadPickers(): Promise<void>
  setForm(patch: Partial<DriftForm>): void
  chooseModel(model: string): Promise<void>
  setFile(side: keyof PickedFiles, file: File | null): void
  start(): Promise<void>
  cancel(): Promise<void>
  selectColumn(name: string | null): void
  openRun(runId: number): Promise<void>
  /** Deletes a stored run (to the trash, with Undo); resolves with the problem to show, or null. */
  removeRun(runId: number): Promise<string | null>
  loadHistory(): Promise<void>
  loadMonitors(): Promise<void>
  createMonitor(input: MonitorFormInput): Promise<string | null>
  deleteMonitor(monitorId: number): Promise<string | null>
  setMonitorPaused(monitorId: number, paused: boolean): Promise<string | null>
  runMonitor(monitorId: number): Promise<string | null>
  loadModelStatus(force?: boolean): Promise<void>
  /** Applies a job update pushed by the core (through the jobs slice). */
  receiveJob(job: Job): void
}

export interface MonitorFormInput {
  model: string
  name: string
  versionRef: string
  referenceKind: 'version' | 'dataset'
  referenceDataset: string
  sourceKind: 'file' | 'folder'
  sourcePath: string
  threshold: string
  driftShare: string
  retrainOnDrift: boolean
  /** Label and production-log roles, remembered with the monitor's settings. */
  label: string
  performanceDrop: string
  logPrediction: string
  logScore: string
  logLatency: string
  logValue: string
}

export const initialDriftForm: DriftForm = {
  model: '',
  version: '',
  referenceKind: 'file',
  referenceDataset: '',
  currentKind: 'file',
  currentDataset: '',
  predictions: false,
  timeMode: 'none',
  timestampColumn: '',
  window: 'day',
  chunks: '4',
  bins: '10',
  threshold: '',
  driftShare: '0.5',
  overrides: [],
  label: '',
  performanceDrop: '',
  logPrediction: '',
  logScore: '',
  logLatency: '',
  logValue: '',
}

export const initialRunState: DriftRunState = {
  status: 'idle',
  jobId: null,
  progress: null,
  message: '',
  error: null,
}

export const initialDriftState = {
  form: initialDriftForm,
  files: { reference: null, current: null } as PickedFiles,
  problems: {} as FormProblems,
  run: initialRunState,
  report: null as DriftReport | null,
  reportRunId: null as number | null,
  selectedColumn: null as string | null,
  models: [] as ModelSummary[],
  versions: [] as VersionSummary[],
  datasets: [] as DatasetSummary[],
  pickersError: null as string | null,
  history: [] as DriftRunSummary[],
  historyError: null as string | null,
  monitors: [] as Monitor[],
  monitorsError: null as string | null,
  modelStatus: {} as Record<string, ModelDriftStatus>,
  modelStatusLoadedAt: 0,
  monitorJobs: [] as string[],
}

/** How long the registry's drift badges trust their last answer before asking again. */
export const MODEL_STATUS_TTL_MS = 5000

const number = (text: string): number => (text.trim() === '' ? NaN : Number(text.trim()))

/** The form's settings in the contract's words, with a problem per field the user must fix. */
export function settingsFromForm(form: DriftForm): {
  settings: DriftSettingsInput
  problems: FormProblems
} {
  const problems: FormProblems = {}
  const settings: DriftSettingsInput = {}
  const bins = number(form.bins)
  if (form.bins.trim() !== '') {
    if (!DriftBins.safeParse(bins).success)
      problems.bins = `Bins must be ${numberRange(DriftBins).words}`
    else settings.bins = bins
  }
  if (form.threshold.trim() !== '') {
    const threshold = number(form.threshold)
    if (!DriftThreshold.safeParse(threshold).success)
      problems.threshold = `Threshold must be ${numberRange(DriftThreshold).words}`
    else settings.threshold = threshold
  }
  if (form.driftShare.trim() !== '') {
    const share = number(form.driftShare)
    if (!DriftShare.safeParse(share).success)
      problems.driftShare = `Dataset drift share must be ${numberRange(DriftShare).span}`
    else settings.driftShare = share
  }
  if (form.timeMode === 'window') {
    if (!form.timestampColumn.trim()) problems.timestampColumn = 'Name the timestamp column'
    else {
      settings.timestampColumn = form.timestampColumn.trim()
      settings.window = form.window
    }
  } else if (form.timeMode === 'chunks') {
    const chunks = number(form.chunks)
    if (!DriftChunks.safeParse(chunks).success)
      problems.chunks = `Chunks must be ${numberRange(DriftChunks).words}`
    else settings.chunks = chunks
  }
  const columns: NonNullable<DriftSettingsInput['columns']> = {}
  for (const row of form.overrides) {
    const column = row.column.trim()
    if (!column) continue
    const override: { method?: DriftTest; threshold?: number } = {}
    if (row.method) override.method = row.method
    if (row.threshold.trim() !== '') {
      const threshold = number(row.threshold)
      if (!DriftThreshold.safeParse(threshold).success) {
        problems.overrides = `Threshold for ${column} must be ${numberRange(DriftThreshold).words}`
        continue
      }
      override.threshold = threshold
    }
    if (override.method || override.threshold !== undefined) columns[column] = override
  }
  if (Object.keys(columns).length) settings.columns = columns
  Object.assign(settings, monitoringSettings(form, problems))
  return { settings, problems }
}

/** The label, performance bound and production-log roles of a form, in the contract's words. */
export function monitoringSettings(
  form: Pick<
    DriftForm,
    'label' | 'performanceDrop' | 'logPrediction' | 'logScore' | 'logLatency' | 'logValue'
  >,
  problems: FormProblems,
): DriftSettingsInput {
  const settings: DriftSettingsInput = {}
  if (form.label.trim()) settings.label = form.label.trim()
  if (form.performanceDrop.trim() !== '') {
    const drop = number(form.performanceDrop)
    if (!DriftPerformanceDrop.safeParse(drop).success)
      problems.performanceDrop = `The allowed drop must be ${numberRange(DriftPerformanceDrop).words}`
    else settings.performanceDrop = drop
  }
  const log = {
    prediction: form.logPrediction.trim() || null,
    score: form.logScore.trim() || null,
    latency: form.logLatency.trim() || null,
    value: form.logValue.trim() || null,
  }
  if (Object.values(log).some((v) => v !== null)) settings.log = log
  return settings
}

const datasetRef = (id: string): number | string => {
  const asNumber = Number(id)
  return Number.isInteger(asNumber) && asNumber > 0 ? asNumber : id
}

/** Problems that stop applying when a field changes: the kind of data decides which picker counts. */
const DEPENDENT_PROBLEMS: Partial<Record<keyof DriftForm, Array<keyof FormProblems>>> = {
  referenceKind: ['referenceDataset', 'referenceFile'],
  currentKind: ['currentDataset', 'currentFile'],
  model: ['referenceKind', 'predictions'],
  version: ['referenceKind', 'predictions'],
  timeMode: ['timestampColumn', 'chunks'],
}

/** Checks the form's choice of data; the files are resolved separately (they may need uploading). */
export function dataProblems(form: DriftForm, files: PickedFiles): FormProblems {
  const problems: FormProblems = {}
  if (form.referenceKind === 'version' && (!form.model || !form.version))
    problems.referenceKind =
      'Choose a model version to use its training data, or pick the reference'
  if (form.referenceKind === 'dataset' && !form.referenceDataset)
    problems.referenceDataset = 'Choose the reference dataset'
  if (form.referenceKind === 'file' && !files.reference)
    problems.referenceFile = 'Choose the reference CSV or Parquet file'
  if (form.currentKind === 'dataset' && !form.currentDataset)
    problems.currentDataset = 'Choose the current dataset'
  if (form.currentKind === 'file' && !files.current)
    problems.currentFile = 'Choose the current CSV or Parquet file'
  if (form.predictions && (!form.model || !form.version))
    problems.predictions = 'Prediction drift needs a model version'
  return problems
}

/** The drift:start input once the files have become FileRefs. */
export function startInput(
  form: DriftForm,
  settings: DriftSettingsInput,
  refs: { reference: FileRef | null; current: FileRef | null },
): DriftStartInput {
  const version = /^\d+$/.test(form.version) ? Number(form.version) : form.version
  let reference: DataSource
  if (form.referenceKind === 'version') reference = { version: { model: form.model, ref: version } }
  else if (form.referenceKind === 'dataset')
    reference = { dataset: datasetRef(form.referenceDataset) }
  else reference = { file: refs.reference as FileRef }
  const current: DriftStartInput['current'] =
    form.currentKind === 'dataset'
      ? { dataset: datasetRef(form.currentDataset) }
      : { file: refs.current as FileRef }
  return {
    reference,
    current,
    ...(form.predictions && form.model && form.version
      ? { model: { model: form.model, ref: version } }
      : {}),
    settings,
  }
}

/** A job's result as a report: drift:start's job carries the DriftReport (or a run holding one). */
/** The report a finished drift job carries, checked against the contract's job map. */
export const reportFromJob = (job: Job): DriftReport | null => resultOf(job, 'drift')

const fraction = (job: Job): number | null =>
  job.progress.total ? Math.min(1, job.progress.done / job.progress.total) : null

type SetDrift = StoreApi<DriftState>['setState']
type GetDrift = StoreApi<DriftState>['getState']

/** The pickers and the form: models, versions, datasets, fields and files. */
function pickerAndFormActions(
  set: SetDrift,
  get: GetDrift,
): Pick<DriftState, 'loadPickers' | 'setForm' | 'chooseModel' | 'setFile'> {
  return {
    async loadPickers() {
      const [models, datasets] = await Promise.all([
        client().call('registry:list-models', {}),
        client().call('datasets:list', {}),
      ])
      const errors: string[] = []
      if (models.ok) set({ models: models.value.models })
      else errors.push(models.error.message)
      if (datasets.ok) set({ datasets: datasets.value })
      else errors.push(datasets.error.message)
      set({ pickersError: errors.length ? errors.join('; ') : null })
    },
    setForm(patch) {
      const problems = { ...get().problems }
      for (const key of Object.keys(patch) as Array<keyof DriftForm>) {
        delete problems[key]
        // A complaint about a field the change hid or replaced would otherwise stay on screen.
        for (const dependent of DEPENDENT_PROBLEMS[key] ?? []) delete problems[dependent]
      }
      set({ form: { ...get().form, ...patch }, problems })
    },
    async chooseModel(model) {
      const form = get().form
      set({
        form: {
          ...form,
          model,
          version: '',
          // A version's training data is the natural reference; without a model it cannot be.
          referenceKind: model
            ? 'version'
            : form.referenceKind === 'version'
              ? 'file'
              : form.referenceKind,
          predictions: model ? form.predictions : false,
        },
        versions: [],
        monitors: [],
        problems: {},
      })
      if (!model) return
      const [detail] = await Promise.all([
        client().call('registry:get-model', { model }),
        get().loadMonitors(),
      ])
      if (get().form.model !== model) return
      if (!detail.ok) return set({ pickersError: detail.error.message })
      const versions = detail.value.versions
      const latest = versions.reduce((max, v) => Math.max(max, v.version), 0)
      set({
        versions,
        form: { ...get().form, version: latest ? String(latest) : '' },
      })
    },
    setFile(side, file) {
      const problems = { ...get().problems }
      delete problems[side === 'reference' ? 'referenceFile' : 'currentFile']
      set({ files: { ...get().files, [side]: file }, problems })
    },
  }
}

/** One drift check: upload, start, follow its job, cancel. */
function runActions(
  set: SetDrift,
  get: GetDrift,
  afterRun: () => Promise<void>,
): Pick<DriftState, 'start' | 'cancel' | 'receiveJob'> {
  return {
    async start() {
      const status = get().run.status
      if (status === 'uploading' || status === 'running') return
      const { form, files } = get()
      const { settings, problems: settingProblems } = settingsFromForm(form)
      const problems = { ...dataProblems(form, files), ...settingProblems }
      set({ problems })
      if (Object.keys(problems).length) return
      set({ run: { ...initialRunState, status: 'uploading', progress: 0, message: 'Preparing' } })
      const refs: { reference: FileRef | null; current: FileRef | null } = {
        reference: null,
        current: null,
      }
      try {
        const sides = (['reference', 'current'] as const).filter(
          (side) =>
            (side === 'reference' ? form.referenceKind : form.currentKind) === 'file' &&
            files[side],
        )
        for (const [index, side] of sides.entries()) {
          const file = files[side] as File
          refs[side] = await client().uploadOrPath(file, (done) =>
            set({
              run: {
                ...get().run,
                progress: (index + done) / sides.length,
                message: `Uploading ${file.name}`,
              },
            }),
          )
        }
      } catch (error) {
        set({
          run: {
            ...initialRunState,
            status: 'failed',
            error: error instanceof Error ? error.message : String(error),
          },
        })
        return
      }
      const result = await client().call('drift:start', startInput(form, settings, refs))
      if (!result.ok) {
        set({ run: { ...initialRunState, status: 'failed', error: result.error.message } })
        return
      }
      set({
        run: {
          status: 'running',
          jobId: result.value.id,
          progress: null,
          message: 'Starting',
          error: null,
        },
      })
      // The job may have finished before its start answer arrived (events travel separately).
      get().receiveJob(useJobs.getState().jobs[result.value.id] ?? result.value)
    },
    async cancel() {
      const { jobId, status } = get().run
      if (!jobId || status !== 'running') return
      const error = await useJobs.getState().cancel(jobId)
      if (error) set({ run: { ...get().run, error } })
      else {
        const job = useJobs.getState().jobs[jobId]
        if (job) get().receiveJob(job)
      }
    },
    receiveJob(job) {
      if (get().monitorJobs.includes(job.id)) {
        if (job.status === 'queued' || job.status === 'running') return
        set({ monitorJobs: get().monitorJobs.filter((id) => id !== job.id) })
        void afterRun()
        return
      }
      const run = get().run
      if (job.id !== run.jobId || run.status !== 'running') return
      if (job.status === 'queued' || job.status === 'running') {
        set({ run: { ...run, progress: fraction(job), message: job.progress.message } })
        return
      }
      if (job.status === 'cancelled') {
        set({ run: { ...run, status: 'cancelled', progress: null, message: 'Cancelled' } })
        return
      }
      if (job.status === 'failed') {
        set({
          run: {
            ...run,
            status: 'failed',
            progress: null,
            error: job.error?.message ?? 'The drift run failed',
          },
        })
        return
      }
      const report = reportFromJob(job)
      if (!report) {
        set({
          run: {
            ...run,
            status: 'failed',
            error: 'The drift run finished without a readable report',
          },
        })
        return
      }
      set({
        run: { ...run, status: 'done', progress: 1, message: 'Done' },
        report,
        reportRunId: report.id,
        selectedColumn: null,
      })
      void afterRun()
    },
  }
}

/** The report on screen, stored runs and each model's drift status. */
function reportActions(
  set: SetDrift,
  get: GetDrift,
): Pick<DriftState, 'selectColumn' | 'openRun' | 'removeRun' | 'loadHistory' | 'loadModelStatus'> {
  return {
    selectColumn(name) {
      set({ selectedColumn: name })
    },
    async openRun(runId) {
      const result = await client().call('drift:get', { runId })
      if (!result.ok) return set({ historyError: result.error.message })
      set({
        report: result.value.report,
        reportRunId: runId,
        selectedColumn: null,
        historyError: null,
      })
    },
    async removeRun(runId) {
      const result = await client().call('drift:remove-run', { runId })
      if (!result.ok) return result.error.message
      if (get().reportRunId === runId) {
        set({ report: null, reportRunId: null, selectedColumn: null })
        useRoute.getState().navigate(hrefFor('drift'))
      }
      await get().loadHistory()
      offerRestore(`Drift run ${runId} deleted.`, result.value.trashId, () => get().loadHistory())
      return null
    },
    async loadHistory() {
      const model = get().form.model
      const result = await client().call('drift:list', model ? { model, limit: 20 } : { limit: 20 })
      if (get().form.model !== model) return
      if (result.ok) set({ history: result.value, historyError: null })
      else set({ historyError: result.error.message })
    },
    async loadModelStatus(force = false) {
      const now = Date.now()
      if (!force && now - get().modelStatusLoadedAt < MODEL_STATUS_TTL_MS) return
      // Claim the slot first so a page of badges asks once, not once per badge.
      set({ modelStatusLoadedAt: now })
      const result = await client().call('drift:model-status', {})
      if (!result.ok) return
      set({ modelStatus: Object.fromEntries(result.value.map((status) => [status.model, status])) })
    },
  }
}

/** A model's monitors: list, create, pause, run now, delete. */
function monitorActions(
  set: SetDrift,
  get: GetDrift,
): Pick<
  DriftState,
  'loadMonitors' | 'createMonitor' | 'deleteMonitor' | 'setMonitorPaused' | 'runMonitor'
> {
  return {
    async loadMonitors() {
      const model = get().form.model
      if (!model) return set({ monitors: [], monitorsError: null })
      const result = await client().call('monitors:list', { model })
      if (get().form.model !== model) return
      if (result.ok) set({ monitors: result.value, monitorsError: null })
      else set({ monitorsError: result.error.message })
    },
    async createMonitor(input) {
      if (!input.sourcePath.trim()) return 'Name the file or folder the current data comes from'
      const settings: DriftSettingsInput = {}
      if (input.threshold.trim()) {
        const threshold = number(input.threshold)
        if (!(threshold > 0)) return 'Threshold must be a number above 0'
        settings.threshold = threshold
      }
      if (input.driftShare.trim()) {
        const share = number(input.driftShare)
        if (!(share > 0 && share <= 1)) return 'Dataset drift share must be above 0 and at most 1'
        settings.driftShare = share
      }
      const problems: FormProblems = {}
      Object.assign(settings, monitoringSettings(input, problems))
      const problem = Object.values(problems)[0]
      if (problem) return problem
      if (input.referenceKind === 'dataset' && !input.referenceDataset)
        return 'Choose the reference dataset'
      if (input.referenceKind === 'version' && !input.versionRef)
        return 'Choose a version: its training data is the reference'
      const versionRef = /^\d+$/.test(input.versionRef)
        ? Number(input.versionRef)
        : input.versionRef
      const result = await client().call('monitors:create', {
        model: input.model,
        ...(input.name.trim() ? { name: input.name.trim() } : {}),
        ...(input.versionRef ? { versionRef } : {}),
        ...(input.referenceKind === 'dataset'
          ? { reference: { dataset: datasetRef(input.referenceDataset) } }
          : {}),
        source: { kind: input.sourceKind, path: input.sourcePath.trim() },
        retrainOnDrift: input.retrainOnDrift,
        settings,
      })
      if (!result.ok) return result.error.message
      await get().loadMonitors()
      return null
    },
    async deleteMonitor(monitorId) {
      const result = await client().call('monitors:delete', { monitorId })
      if (!result.ok) return result.error.message
      await get().loadMonitors()
      return null
    },
    async setMonitorPaused(monitorId, paused) {
      const result = await client().call('monitors:set-paused', { monitorId, paused })
      if (!result.ok) return result.error.message
      await get().loadMonitors()
      return null
    },
    async runMonitor(monitorId) {
      const result = await client().call('monitors:run-now', { monitorId })
      if (!result.ok) return result.error.message
      if (result.value.length === 0) return 'No new files to check'
      set({ monitorJobs: [...get().monitorJobs, ...result.value.map((job) => job.id)] })
      for (const job of result.value) get().receiveJob(useJobs.getState().jobs[job.id] ?? job)
      return null
    },
  }
}
export const useDrift = create<DriftState>()((set, get) => {
  const afterRun = async (): Promise<void> => {
    await Promise.all([get().loadHistory(), get().loadModelStatus(true), get().loadMonitors()])
  }

  return {
    ...initialDriftState,
    ...pickerAndFormActions(set, get),
    ...runActions(set, get, afterRun),
    ...reportActions(set, get),
    ...monitorActions(set, get),
  }
})

// Job updates reach this slice through the jobs slice, which main.tsx feeds from core events.
useJobs.subscribe((state, previous) => {
  const { run, monitorJobs } = useDrift.getState()
  const watched = run.jobId ? [run.jobId, ...monitorJobs] : monitorJobs
  for (const jobId of watched) {
    const job = state.jobs[jobId]
    if (job && job !== previous.jobs[jobId]) useDrift.getState().receiveJob(job)
  }
})

let followingAlerts = false

/**
 * Keeps model status, history and monitors current when the core raises a drift alert (a
 * monitor run crossed into drift). Subscribes once for the page's lifetime, however many
 * badges or views ask.
 */
export function followDriftAlerts(): void {
  if (followingAlerts) return
  followingAlerts = true
  client().onEvent((event) => {
    if (event.name !== 'drift:alert') return
    const drift = useDrift.getState()
    void drift.loadModelStatus(true)
    void drift.loadHistory()
    void drift.loadMonitors()
  })
}
