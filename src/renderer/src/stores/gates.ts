// Gates slice: a version's latest evaluation and gate reports, the model's policy being edited, the
// running gate check, and each version's latest status for the registry's model page.
import type { ApiError } from '../../../api/errors'
import {
  GatePolicy as GatePolicySchema,
  type EvaluationSummary,
  type GatePolicy,
  type GateReport,
  type GateRule,
} from '../../../api/evaluation'
import type { Job } from '../../../api/jobs'
import { create } from 'zustand'
import { metricInfo } from '../lib/charts/metrics'
import { client } from '../transport/client'
import { errorOf, type RunStatus } from './evaluation'
import { followJob, useJobs } from './jobs'

/** A rule as typed in the editor: numbers stay text until saved. */
export interface RuleDraft {
  metric: string
  threshold: string
  minAbsoluteChange: string
  minRelativeChange: string
  greaterIsBetter: boolean
}

export interface PolicyDraft {
  rules: RuleDraft[]
  latencyP95MaxMs: string
}

export type VersionStatus = {
  version: number
  latestEvaluation: EvaluationSummary | null
  latestGate: { id: number; passed: boolean; createdAt: string; failedRules: string[] } | null
}

const numberText = (value: number | null | undefined): string =>
  value === null || value === undefined ? '' : String(value)

export function draftFromPolicy(policy: GatePolicy | null): PolicyDraft {
  return {
    rules: (policy?.rules ?? []).map((rule) => ({
      metric: rule.metric,
      threshold: numberText(rule.threshold),
      minAbsoluteChange: numberText(rule.minAbsoluteChange),
      minRelativeChange: numberText(rule.minRelativeChange),
      greaterIsBetter: rule.greaterIsBetter,
    })),
    latencyP95MaxMs: numberText(policy?.latencyP95MaxMs),
  }
}

export const newRule = (metric = 'accuracy'): RuleDraft => ({
  metric,
  threshold: '',
  minAbsoluteChange: '',
  minRelativeChange: '',
  greaterIsBetter: metricInfo(metric).greaterIsBetter,
})

/** The policy a draft describes, or the first problem in words naming the rule and field. */
export function policyFromDraft(draft: PolicyDraft): GatePolicy | string {
  const rules: GateRule[] = []
  for (const [index, row] of draft.rules.entries()) {
    const name = `Rule ${index + 1} (${row.metric || 'no metric'})`
    if (!row.metric.trim()) return `${name}: choose a metric`
    const rule: GateRule = { metric: row.metric.trim(), greaterIsBetter: row.greaterIsBetter }
    for (const field of ['threshold', 'minAbsoluteChange', 'minRelativeChange'] as const) {
      const text = row[field].trim()
      if (!text) continue
      const value = Number(text)
      if (!Number.isFinite(value))
        return `${name}: ${fieldLabels[field]} must be a number, not “${text}”`
      if (field !== 'threshold' && value < 0)
        return `${name}: ${fieldLabels[field]} cannot be negative`
      rule[field] = value
    }
    if (
      rule.threshold === undefined &&
      rule.minAbsoluteChange === undefined &&
      rule.minRelativeChange === undefined
    )
      return `${name}: give a threshold or a minimum change`
    rules.push(rule)
  }
  const latencyText = draft.latencyP95MaxMs.trim()
  let latencyP95MaxMs: number | null = null
  if (latencyText) {
    latencyP95MaxMs = Number(latencyText)
    if (!Number.isFinite(latencyP95MaxMs) || latencyP95MaxMs <= 0)
      return `Latency p95 ceiling must be a positive number of milliseconds, not “${latencyText}”`
  }
  const parsed = GatePolicySchema.safeParse({ rules, latencyP95MaxMs })
  if (!parsed.success) return parsed.error.issues[0]?.message ?? 'The policy is not valid'
  return parsed.data
}

export const fieldLabels = {
  threshold: 'threshold',
  minAbsoluteChange: 'minimum absolute change',
  minRelativeChange: 'minimum relative change',
} as const

/** Reads a policy JSON file's text; a message naming the file and the problem when it is wrong. */
export function parsePolicyFile(fileName: string, text: string): GatePolicy | string {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return `${fileName} is not valid JSON (${error instanceof Error ? error.message : String(error)})`
  }
  const parsed = GatePolicySchema.safeParse(json)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
  return `${fileName} is not a gate policy${where}: ${issue?.message ?? 'unexpected content'}`
}

export interface GatesState {
  key: string | null
  latestEvaluation: EvaluationSummary | null
  reports: GateReport[]
  loadError: string | null
  policyModel: string | null
  policy: GatePolicy | null
  draft: PolicyDraft
  policyError: string | null
  policySaved: boolean
  checkDatasetId: number | null
  checkStatus: RunStatus
  checkJob: Job | null
  checkError: ApiError | null
  /** model → each version's latest evaluation and gate result. */
  statuses: Record<string, VersionStatus[]>
  loadVersion(model: string, version: number): Promise<void>
  loadPolicy(model: string): Promise<void>
  setDraft(draft: PolicyDraft): void
  savePolicy(): Promise<void>
  loadPolicyFile(file: File): Promise<void>
  setCheckDataset(id: number | null): void
  check(model: string, version: number): Promise<void>
  cancelCheck(): Promise<void>
  loadStatuses(model: string): Promise<void>
}

export const initialGatesState = {
  key: null as string | null,
  latestEvaluation: null as EvaluationSummary | null,
  reports: [] as GateReport[],
  loadError: null as string | null,
  policyModel: null as string | null,
  policy: null as GatePolicy | null,
  draft: { rules: [], latencyP95MaxMs: '' } as PolicyDraft,
  policyError: null as string | null,
  policySaved: false,
  checkDatasetId: null as number | null,
  checkStatus: 'idle' as RunStatus,
  checkJob: null as Job | null,
  checkError: null as ApiError | null,
  statuses: {} as Record<string, VersionStatus[]>,
}

export const useGates = create<GatesState>()((set, get) => ({
  ...initialGatesState,
  async loadVersion(model, version) {
    const key = `${model}@${version}`
    if (get().key !== key)
      set({
        key,
        latestEvaluation: null,
        reports: [],
        checkStatus: 'idle',
        checkJob: null,
        checkError: null,
        // Another version's dataset would be checked silently: each version starts from its own.
        checkDatasetId: null,
      })
    const [evaluations, reports] = await Promise.all([
      client().call('eval:list', { model, version }),
      client().call('gates:list-reports', { model, version }),
    ])
    if (get().key !== key) return
    const problems = [evaluations, reports]
      .filter((r) => !r.ok)
      .map((r) => (r.ok ? '' : r.error.message))
    set({
      latestEvaluation: evaluations.ok ? (evaluations.value[0] ?? null) : null,
      reports: reports.ok ? reports.value : [],
      loadError: problems[0] ?? null,
    })
    // The version's last evaluation dataset is the natural one to check gates on.
    if (get().checkDatasetId === null && evaluations.ok && evaluations.value[0])
      set({ checkDatasetId: evaluations.value[0].dataset.id })
  },
  async loadPolicy(model) {
    set({ policyModel: model, policyError: null, policySaved: false })
    const result = await client().call('gates:get-policy', { model })
    if (get().policyModel !== model) return
    if (!result.ok) return set({ policyError: result.error.message })
    set({ policy: result.value, draft: draftFromPolicy(result.value) })
  },
  setDraft(draft) {
    set({ draft, policyError: null, policySaved: false })
  },
  async savePolicy() {
    const model = get().policyModel
    if (!model) return
    const policy = policyFromDraft(get().draft)
    if (typeof policy === 'string') return set({ policyError: policy })
    const result = await client().call('gates:set-policy', { model, policy })
    if (!result.ok) return set({ policyError: result.error.message })
    set({ policy: result.value, draft: draftFromPolicy(result.value), policySaved: true })
  },
  async loadPolicyFile(file) {
    let text: string
    try {
      text = await file.text()
    } catch (error) {
      return set({ policyError: `${file.name}: ${errorOf(error).message}` })
    }
    const policy = parsePolicyFile(file.name, text)
    if (typeof policy === 'string') return set({ policyError: policy })
    // Loaded into the editor only: the user reviews it, then saves.
    set({ draft: draftFromPolicy(policy), policyError: null, policySaved: false })
  },
  setCheckDataset(id) {
    set({ checkDatasetId: id, checkError: null })
  },
  async check(model, version) {
    const { checkDatasetId, checkStatus } = get()
    if (checkStatus === 'starting' || checkStatus === 'running') return
    if (checkDatasetId === null)
      return set({
        checkStatus: 'failed',
        checkError: { code: 'INVALID_INPUT', message: 'Choose a dataset to check the gates on' },
      })
    set({ checkStatus: 'starting', checkJob: null, checkError: null })
    const started = await client().call('gates:check', {
      model,
      ref: version,
      dataset: { datasetId: checkDatasetId },
    })
    if (!started.ok) return set({ checkStatus: 'failed', checkError: started.error })
    set({ checkStatus: 'running', checkJob: started.value })
    const final = await followJob(started.value.id, 'gate', 'gate check', (job) => {
      if (get().checkJob?.id === job.id) set({ checkJob: job })
    })
    if (get().checkJob?.id !== final.job.id) return
    if (final.status === 'cancelled') return set({ checkStatus: 'cancelled' })
    if (final.status === 'failed') return set({ checkStatus: 'failed', checkError: final.error })
    const report = final.result
    set({
      checkStatus: 'done',
      reports: [report, ...get().reports.filter((r) => r.id !== report.id)],
    })
    await Promise.all([get().loadVersion(model, version), get().loadStatuses(model)])
  },
  async cancelCheck() {
    const job = get().checkJob
    if (!job) return
    const problem = await useJobs.getState().cancel(job.id)
    if (problem) set({ checkError: { code: 'INTERNAL', message: problem } })
  },
  async loadStatuses(model) {
    const result = await client().call('eval:latest-for-model', { model })
    if (result.ok) set({ statuses: { ...get().statuses, [model]: result.value } })
  },
}))
