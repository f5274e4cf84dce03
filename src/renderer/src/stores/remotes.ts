// Remotes slice: the shared stores this home syncs with, a sync in progress (with its progress
// events and cancel), rejected objects per remote, and where each version lives.
import type { ApiEvent } from '../../../api/calls'
import type {
  RejectedObject,
  Remote,
  SyncProgress,
  SyncResult,
  TeamVersion,
} from '../../../api/sync'
import { create } from 'zustand'
import { client } from '../transport/client'

export interface AddRemoteForm {
  kind: 'folder' | 's3'
  name: string
  location: string
  endpoint: string
  region: string
  trust: string
}

export interface RemotesState {
  remotes: Remote[]
  teamVersions: TeamVersion[]
  rejections: Record<string, (RejectedObject & { at: string })[]>
  listError: string | null
  addError: string | null
  adding: boolean
  /** The remote a sync is running with, its latest progress, and its result or error. */
  syncing: string | null
  progress: SyncProgress | null
  lastResult: SyncResult | null
  syncError: string | null
  load(): Promise<void>
  add(form: AddRemoteForm): Promise<boolean>
  remove(name: string): Promise<void>
  sync(name: string): Promise<void>
  cancel(): Promise<void>
  loadRejections(name: string): Promise<void>
  receive(event: ApiEvent): void
}

export const initialRemotesState = {
  remotes: [] as Remote[],
  teamVersions: [] as TeamVersion[],
  rejections: {} as RemotesState['rejections'],
  listError: null as string | null,
  addError: null as string | null,
  adding: false,
  syncing: null as string | null,
  progress: null as SyncProgress | null,
  lastResult: null as SyncResult | null,
  syncError: null as string | null,
}

/** The add form as the contract's input: empty optional fields left out. */
export function addInput(form: AddRemoteForm) {
  const location = form.location.trim()
  return {
    name: form.name.trim(),
    location:
      form.kind === 's3' && location && !location.startsWith('s3://')
        ? `s3://${location}`
        : location,
    ...(form.kind === 's3' && form.endpoint.trim() ? { endpoint: form.endpoint.trim() } : {}),
    ...(form.kind === 's3' && form.region.trim() ? { region: form.region.trim() } : {}),
    ...(form.trust.trim() ? { trust: form.trust.trim().toLowerCase() } : {}),
  }
}

export const useRemotes = create<RemotesState>()((set, get) => ({
  ...initialRemotesState,
  async load() {
    const [remotes, versions] = await Promise.all([
      client().call('sync:remote-list', {}),
      client().call('sync:team-versions', {}),
    ])
    if (!remotes.ok) return set({ listError: remotes.error.message })
    set({
      remotes: remotes.value,
      teamVersions: versions.ok ? versions.value : [],
      listError: versions.ok ? null : versions.error.message,
    })
  },
  async add(form) {
    set({ adding: true, addError: null })
    const result = await client().call('sync:remote-add', addInput(form))
    set({ adding: false, addError: result.ok ? null : result.error.message })
    if (result.ok) await get().load()
    return result.ok
  },
  async remove(name) {
    const result = await client().call('sync:remote-remove', { name })
    if (!result.ok) return set({ listError: result.error.message })
    await get().load()
  },
  async sync(name) {
    set({ syncing: name, progress: null, syncError: null, lastResult: null })
    const result = await client().call('sync:run', { remote: name })
    set({
      syncing: null,
      lastResult: result.ok ? result.value : null,
      syncError: result.ok ? null : result.error.message,
    })
    await get().load()
    await get().loadRejections(name)
  },
  async cancel() {
    const name = get().syncing
    if (name) await client().call('sync:cancel', { remote: name })
  },
  async loadRejections(name) {
    const result = await client().call('sync:rejections', { remote: name })
    if (result.ok) set({ rejections: { ...get().rejections, [name]: result.value } })
  },
  receive(event) {
    if (event.name !== 'sync:progress') return
    if (get().syncing === event.payload.remote) set({ progress: event.payload })
  },
}))
