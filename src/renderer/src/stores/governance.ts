// Governance slice: this home's identity and team, promotion requests, the audit trail and its
// verification, deployment history and model cards. Actions return the error to show, or null.
import { create } from 'zustand'
import type {
  AuditEntry,
  AuditVerifyResult,
  HistoryEntry,
  IdentityView,
  ModelCard,
  PolicyChange,
  PromotionRequest,
  RequestStatus,
  Role,
  TeamPolicy,
} from '../../../api/governance'
import type { Result } from '../../../api/errors'
import { client } from '../transport/client'
import { useRegistry } from './registry'

export interface GovernanceState {
  identity: IdentityView | null
  team: TeamPolicy | null
  loaded: boolean
  loadError: string | null
  requests: PromotionRequest[]
  requestsFilter: RequestStatus | ''
  audit: AuditEntry[]
  verify: AuditVerifyResult | null
  verifying: boolean
  history: HistoryEntry[]
  historyModel: string | null
  card: ModelCard | null
  cardError: string | null
  load(): Promise<void>
  /** Loads identity and team once for widgets that only read them (alias locks). */
  loadOnce(): Promise<void>
  createIdentity(name: string, email: string): Promise<string | null>
  initTeam(name: string, approvals: number, protect: string[]): Promise<string | null>
  addMember(publicKey: string, name: string, email: string, role: Role): Promise<string | null>
  previewPolicy(change: PolicyChange): Promise<{ diff: string[] } | { error: string }>
  signPolicy(change: PolicyChange): Promise<string | null>
  loadRequests(filter?: RequestStatus | ''): Promise<void>
  createRequest(
    model: string,
    version: number,
    alias: string,
    comment: string,
  ): Promise<string | null>
  decide(
    id: string,
    decision: 'approve' | 'reject' | 'withdraw',
    comment: string,
  ): Promise<string | null>
  loadAudit(model?: string): Promise<void>
  runVerify(): Promise<void>
  exportAudit(format: 'json' | 'csv' | 'html'): Promise<string | null>
  importBundle(text: string): Promise<{ message: string; ok: boolean }>
  loadHistory(model: string): Promise<void>
  loadCard(model: string, version: number): Promise<void>
  saveCard(model: string, version: number, fields: Record<string, string>): Promise<string | null>
  exportCard(model: string, version: number, format: 'md' | 'html'): Promise<string | null>
}

export const initialGovernanceState = {
  identity: null as IdentityView | null,
  team: null as TeamPolicy | null,
  loaded: false,
  loadError: null as string | null,
  requests: [] as PromotionRequest[],
  requestsFilter: '' as RequestStatus | '',
  audit: [] as AuditEntry[],
  verify: null as AuditVerifyResult | null,
  verifying: false,
  history: [] as HistoryEntry[],
  historyModel: null as string | null,
  card: null as ModelCard | null,
  cardError: null as string | null,
}

/** Offers text as a file download: the page never writes files itself. */
export function download(fileName: string, mediaType: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mediaType }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

const errorOf = <T>(result: Result<T>): string | null => (result.ok ? null : result.error.message)

let loading: Promise<void> | null = null

export const useGovernance = create<GovernanceState>()((set, get) => ({
  ...initialGovernanceState,
  loadOnce() {
    loading ??= get()
      .load()
      .finally(() => {
        loading = null
      })
    return loading
  },
  async load() {
    const [identity, team] = await Promise.all([
      client().call('identity:show', {}),
      client().call('team:show', {}),
    ])
    set({
      identity: identity.ok ? identity.value : null,
      team: team.ok ? team.value : null,
      loaded: true,
      loadError: errorOf(identity) ?? errorOf(team),
    })
  },
  async createIdentity(name, email) {
    const r = await client().call('identity:init', { name, email })
    if (r.ok) await get().load()
    return errorOf(r)
  },
  async initTeam(name, approvals, protect) {
    const r = await client().call('team:init', {
      name,
      approvals,
      protect: protect.length ? protect : undefined,
    })
    if (r.ok) await get().load()
    return errorOf(r)
  },
  async addMember(publicKey, name, email, role) {
    const r = await client().call('team:add-member', { publicKey, name, email, role })
    if (r.ok) await get().load()
    return errorOf(r)
  },
  async previewPolicy(change) {
    const r = await client().call('team:update', { change, dryRun: true })
    return r.ok ? { diff: r.value.diff } : { error: r.error.message }
  },
  async signPolicy(change) {
    const r = await client().call('team:update', { change })
    if (r.ok) await get().load()
    return errorOf(r)
  },
  async loadRequests(filter = get().requestsFilter) {
    set({ requestsFilter: filter })
    const r = await client().call('requests:list', filter ? { status: filter } : {})
    if (r.ok && get().requestsFilter === filter) set({ requests: r.value })
  },
  async createRequest(model, version, alias, comment) {
    const r = await client().call('requests:create', {
      model,
      ref: version,
      alias,
      comment: comment || undefined,
    })
    if (r.ok) {
      await get().loadRequests()
      await get().loadCard(model, version)
    }
    return errorOf(r)
  },
  async decide(id, decision, comment) {
    const r =
      decision === 'approve'
        ? await client().call('requests:approve', { id, comment: comment || undefined })
        : decision === 'reject'
          ? await client().call('requests:reject', { id, comment })
          : await client().call('requests:withdraw', { id })
    if (r.ok) await get().loadRequests()
    return errorOf(r)
  },
  async loadAudit(model) {
    const r = await client().call('audit:list', model ? { model, limit: 2000 } : { limit: 2000 })
    if (r.ok) set({ audit: r.value.slice().reverse() })
  },
  async runVerify() {
    set({ verifying: true })
    const r = await client().call('audit:verify', {})
    set({
      verifying: false,
      verify: r.ok
        ? r.value
        : {
            ok: false,
            records: 0,
            signedRecords: 0,
            unsignedRecords: 0,
            policies: 0,
            problems: [],
            summary: r.error.message,
          },
    })
  },
  async exportAudit(format) {
    const r = await client().call('audit:export', { format })
    if (!r.ok) return r.error.message
    download(r.value.fileName, r.value.mediaType, r.value.content)
    return null
  },
  async importBundle(text) {
    let data: { policies?: unknown; records?: unknown }
    try {
      data = JSON.parse(text) as typeof data
    } catch {
      return {
        ok: false,
        message: 'The file is not JSON: export it with `slipway audit export --format json`',
      }
    }
    if (!Array.isArray(data.records))
      return { ok: false, message: 'The file has no "records" list' }
    const r = await client().call('audit:import', {
      policies: Array.isArray(data.policies) ? data.policies : undefined,
      records: data.records,
    })
    if (!r.ok) return { ok: false, message: r.error.message }
    await Promise.all([get().load(), get().loadRequests(), get().loadAudit()])
    return {
      ok: true,
      message: `Imported ${r.value.imported} record(s) (${r.value.alreadyPresent} already here), ${r.value.policiesAdded} policy version(s)`,
    }
  },
  async loadHistory(model) {
    if (get().historyModel !== model) set({ history: [], historyModel: model })
    const r = await client().call('history:get', { model })
    if (r.ok && get().historyModel === model) set({ history: r.value })
  },
  async loadCard(model, version) {
    const r = await client().call('cards:get', { model, ref: version })
    set(r.ok ? { card: r.value, cardError: null } : { card: null, cardError: r.error.message })
  },
  async saveCard(model, version, fields) {
    const r = await client().call('cards:set', { model, ref: version, fields })
    if (r.ok) set({ card: r.value })
    return errorOf(r)
  },
  async exportCard(model, version, format) {
    const r = await client().call('cards:export', { model, ref: version, format })
    if (!r.ok) return r.error.message
    download(r.value.fileName, r.value.mediaType, r.value.content)
    return null
  },
}))

/** After an alias move through a request, the registry pages and the inbox both change. */
export async function refreshAfterAliasMove(): Promise<void> {
  await Promise.all([useRegistry.getState().refresh(), useGovernance.getState().loadRequests()])
}
