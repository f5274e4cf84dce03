// Registry slice: the models list, the open model, the open version, and edits to aliases and tags.
import type { CallInput } from '../../../api/calls'
import type { ModelDetail, ModelSummary, VersionDetail } from '../../../api/registry'
import { create } from 'zustand'
import { client } from '../transport/client'

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error'

export interface RegistryState {
  search: string
  models: ModelSummary[]
  modelsStatus: LoadStatus
  modelsError: string | null
  model: ModelDetail | null
  modelStatus: LoadStatus
  modelError: string | null
  version: VersionDetail | null
  versionStatus: LoadStatus
  versionError: string | null
  setSearch(search: string): Promise<void>
  loadModels(): Promise<void>
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
  modelsStatus: 'idle' as LoadStatus,
  modelsError: null as string | null,
  model: null as ModelDetail | null,
  modelStatus: 'idle' as LoadStatus,
  modelError: null as string | null,
  version: null as VersionDetail | null,
  versionStatus: 'idle' as LoadStatus,
  versionError: null as string | null,
  showArchived: false,
}

export const useRegistry = create<RegistryState>()((set, get) => {
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
      set({ modelsStatus: get().models.length ? 'ready' : 'loading', modelsError: null })
      const result = await client().call('registry:list-models', {
        ...(search ? { search } : {}),
        ...(get().showArchived ? { includeArchived: true } : {}),
      })
      // A slower answer for an older search must not overwrite a newer one.
      if (get().search.trim() !== search) return
      if (result.ok) set({ models: result.value, modelsStatus: 'ready' })
      else set({ modelsStatus: 'error', modelsError: result.error.message })
    },
    async loadModel(name) {
      if (get().model?.name !== name) set({ model: null, modelStatus: 'loading' })
      const result = await client().call('registry:get-model', { model: name })
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
