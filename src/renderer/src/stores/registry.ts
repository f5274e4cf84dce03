// Registry slice: the models list, the open model, the open version, and edits to aliases and tags.
import type { CallInput } from '../../../api/calls'
import type {
  ModelDetail,
  ModelSummary,
  VersionDetail,
  VersionSummary,
} from '../../../api/registry'
import { create } from 'zustand'
import { client } from '../transport/client'

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error'

/** The first page is small so the table paints at once; later pages come as it scrolls. */
export const FIRST_PAGE = 100
export const NEXT_PAGE = 500

export interface RegistryState {
  search: string
  /** The models loaded so far (pages in order); `modelsTotal` match the search in all. */
  models: ModelSummary[]
  modelsTotal: number
  /** Where the next page of models starts; null when all are loaded. */
  modelsCursor: string | null
  modelsStatus: LoadStatus
  modelsError: string | null
  model: ModelDetail | null
  modelStatus: LoadStatus
  modelError: string | null
  version: VersionDetail | null
  versionStatus: LoadStatus
  versionError: string | null
  /** The open model's versions table: loaded pages, its filter, and where the next page starts. */
  versions: VersionSummary[]
  versionsModel: string | null
  versionsSearch: string
  versionsTotal: number
  versionsCursor: string | null
  versionsStatus: LoadStatus
  versionsError: string | null
  setSearch(search: string): Promise<void>
  loadModels(): Promise<void>
  /** Appends the next page of models, if there is one. */
  loadMoreModels(): Promise<void>
  /** Loads the first page of a model's versions with the current filter. */
  loadVersions(model: string): Promise<void>
  setVersionsSearch(search: string): Promise<void>
  loadMoreVersions(): Promise<void>
  loadModel(name: string): Promise<void>
  loadVersion(name: string, version: number): Promise<void>
  /** Reloads whatever is on screen, e.g. after a registration. */
  refresh(): Promise<void>
  /** Each edit returns the error message to show next to the control, or null. */
  setAlias(model: string, version: number, alias: string): Promise<string | null>
  removeAlias(model: string, alias: string): Promise<string | null>
  setTag(model: string, version: number, key: string, value: string): Promise<string | null>
  removeTag(model: string, version: number, key: string): Promise<string | null>
  archiveModel(model: string, archived: boolean): Promise<string | null>
  /** Edits a version's lineage (only the fields given); each edit is audited by the registry. */
  updateLineage(edit: CallInput<'registry:update-lineage'>): Promise<string | null>
  archiveVersion(model: string, version: number, archived: boolean): Promise<string | null>
  /** Lists archived models too. */
  showArchived: boolean
  setShowArchived(show: boolean): Promise<void>
}

export const initialRegistryState = {
  search: '',
  models: [] as ModelSummary[],
  modelsTotal: 0,
  modelsCursor: null as string | null,
  modelsStatus: 'idle' as LoadStatus,
  modelsError: null as string | null,
  model: null as ModelDetail | null,
  modelStatus: 'idle' as LoadStatus,
  modelError: null as string | null,
  version: null as VersionDetail | null,
  versionStatus: 'idle' as LoadStatus,
  versionError: null as string | null,
  versions: [] as VersionSummary[],
  versionsModel: null as string | null,
  versionsSearch: '',
  versionsTotal: 0,
  versionsCursor: null as string | null,
  versionsStatus: 'idle' as LoadStatus,
  versionsError: null as string | null,
  showArchived: false,
}

export const useRegistry = create<RegistryState>()((set, get) => {
  // Each listing request has a number; an answer to an older one (an older filter, a page of a
  // list since reloaded) is dropped, so a slow answer never overwrites a newer one.
  let modelsRequest = 0
  let versionsRequest = 0
  // Reloads the open model and version after an edit so aliases and history stay true.
  const reloadOpen = async (): Promise<void> => {
    const { model, version } = get()
    await Promise.all([
      get().loadModels(),
      model ? get().loadModel(model.name) : Promise.resolve(),
      version ? get().loadVersion(version.model, version.version) : Promise.resolve(),
    ])
  }
  const edit = async (
    run: () => Promise<{ ok: boolean; error?: { message: string } }>,
  ): Promise<string | null> => {
    const result = await run()
    if (!result.ok) return result.error?.message ?? 'The change failed'
    await reloadOpen()
    return null
  }

  return {
    ...initialRegistryState,
    async setSearch(search) {
      set({ search })
      await get().loadModels()
    },
    async loadModels() {
      const search = get().search.trim()
      const request = ++modelsRequest
      set({ modelsStatus: get().models.length ? 'ready' : 'loading', modelsError: null })
      const result = await client().call('registry:list-models', {
        ...(search ? { search } : {}),
        ...(get().showArchived ? { includeArchived: true } : {}),
        limit: Math.min(Math.max(get().models.length, FIRST_PAGE), NEXT_PAGE),
      })
      if (request !== modelsRequest) return
      if (result.ok)
        set({
          models: result.value.models,
          modelsTotal: result.value.total,
          modelsCursor: result.value.nextCursor,
          modelsStatus: 'ready',
        })
      else set({ modelsStatus: 'error', modelsError: result.error.message })
    },
    async loadMoreModels() {
      const cursor = get().modelsCursor
      if (!cursor) return
      const search = get().search.trim()
      const request = ++modelsRequest
      set({ modelsCursor: null })
      const result = await client().call('registry:list-models', {
        ...(search ? { search } : {}),
        ...(get().showArchived ? { includeArchived: true } : {}),
        limit: NEXT_PAGE,
        cursor,
      })
      if (request !== modelsRequest) return
      if (result.ok)
        set({
          models: [...get().models, ...result.value.models],
          modelsTotal: result.value.total,
          modelsCursor: result.value.nextCursor,
        })
      else set({ modelsStatus: 'error', modelsError: result.error.message })
    },
    async loadVersions(model) {
      const search = get().versionsSearch.trim()
      const request = ++versionsRequest
      const same = get().versionsModel === model
      set({
        versionsModel: model,
        versionsError: null,
        ...(same
          ? {}
          : { versions: [], versionsStatus: 'loading' as LoadStatus, versionsSearch: '' }),
      })
      const result = await client().call('registry:list-versions', {
        model,
        ...(same && search ? { search } : {}),
        limit: same ? Math.min(Math.max(get().versions.length, FIRST_PAGE), NEXT_PAGE) : FIRST_PAGE,
      })
      if (request !== versionsRequest) return
      if (result.ok)
        set({
          versions: result.value.versions,
          versionsTotal: result.value.total,
          versionsCursor: result.value.nextCursor,
          versionsStatus: 'ready',
        })
      else set({ versionsStatus: 'error', versionsError: result.error.message })
    },
    async setVersionsSearch(search) {
      set({ versionsSearch: search })
      const model = get().versionsModel
      if (model) await get().loadVersions(model)
    },
    async loadMoreVersions() {
      const { versionsCursor: cursor, versionsModel: model } = get()
      if (!cursor || !model) return
      const search = get().versionsSearch.trim()
      const request = ++versionsRequest
      set({ versionsCursor: null })
      const result = await client().call('registry:list-versions', {
        model,
        ...(search ? { search } : {}),
        limit: NEXT_PAGE,
        cursor,
      })
      if (request !== versionsRequest) return
      if (result.ok)
        set({
          versions: [...get().versions, ...result.value.versions],
          versionsTotal: result.value.total,
          versionsCursor: result.value.nextCursor,
        })
      else set({ versionsStatus: 'error', versionsError: result.error.message })
    },
    async loadModel(name) {
      if (get().model?.name !== name) set({ model: null, modelStatus: 'loading' })
      // The versions come a page at a time from `loadVersions`, not with the model; the first page
      // is asked for alongside the model, ahead of the page's other panels.
      const versions = get().loadVersions(name)
      const result = await client().call('registry:get-model', { model: name, versionLimit: 0 })
      await versions
      if (result.ok) set({ model: result.value, modelStatus: 'ready', modelError: null })
      else set({ model: null, modelStatus: 'error', modelError: result.error.message })
    },
    async loadVersion(name, version) {
      const current = get().version
      if (current?.model !== name || current.version !== version)
        set({ version: null, versionStatus: 'loading' })
      const result = await client().call('registry:get-version', { model: name, ref: version })
      if (result.ok) set({ version: result.value, versionStatus: 'ready', versionError: null })
      else set({ version: null, versionStatus: 'error', versionError: result.error.message })
    },
    refresh: reloadOpen,
    setAlias: (model, version, alias) =>
      edit(() => client().call('registry:set-alias', { model, version, alias })),
    removeAlias: (model, alias) =>
      edit(() => client().call('registry:remove-alias', { model, alias })),
    setTag: (model, version, key, value) =>
      edit(() => client().call('registry:set-tag', { model, version, key, value })),
    removeTag: (model, version, key) =>
      edit(() => client().call('registry:remove-tag', { model, version, key })),
    updateLineage: (input) => edit(() => client().call('registry:update-lineage', input)),
    archiveModel: (model, archived) =>
      edit(() => client().call('registry:archive-model', { model, archived })),
    archiveVersion: (model, version, archived) =>
      edit(() => client().call('registry:archive-version', { model, version, archived })),
    async setShowArchived(show) {
      set({ showArchived: show })
      await get().loadModels()
    },
  }
})
