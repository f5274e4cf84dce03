// Datasets slice: the imported datasets, the one open with its column profile, and the imports in
// flight (upload, then an import job with progress and cancel).
import type { DatasetDetail, DatasetImported } from '../../../api/datasets'
import type { ApiError } from '../../../api/errors'
import type { Job } from '../../../api/jobs'
import type { DatasetSummary } from '../../../api/registry'
import { create } from 'zustand'
import { client } from '../transport/client'
import { errorOf } from './evaluation'
import { followJob } from './jobs'
import { offerRestore } from './trash'

export type ImportStatus = 'uploading' | 'importing' | 'done' | 'failed' | 'cancelled'

export interface DatasetImport {
  id: number
  fileName: string
  status: ImportStatus
  /** Upload progress, 0..1. */
  upload: number
  job: Job | null
  error: ApiError | null
  result: DatasetImported | null
  /** The form that started it ('datasets', 'evaluate', …): each lists only its own imports. */
  origin: string
}

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error'

export interface DatasetsState {
  datasets: DatasetSummary[]
  listStatus: LoadStatus
  listError: string | null
  detail: DatasetDetail | null
  detailError: string | null
  imports: DatasetImport[]
  loadList(): Promise<void>
  open(id: number): Promise<void>
  /**
   * Imports each file in turn; resolves with the datasets that were imported. `names[i]` names the
   * dataset of `files[i]`; without one the registry takes the file's name, made unique.
   */
  importFiles(files: File[], origin?: string, names?: string[]): Promise<DatasetImported[]>
  cancelImport(id: number): Promise<void>
  /** Deletes a dataset nothing refers to; resolves with the problem to show, or null. */
  remove(id: number): Promise<string | null>
  /** Renames a dataset; resolves with the problem to show, or null when renamed. */
  rename(id: number, name: string): Promise<string | null>
  dismissImport(id: number): void
}

export const initialDatasetsState = {
  datasets: [] as DatasetSummary[],
  listStatus: 'idle' as LoadStatus,
  listError: null as string | null,
  detail: null as DatasetDetail | null,
  detailError: null as string | null,
  imports: [] as DatasetImport[],
}

export const isDatasetFileName = (name: string): boolean => /\.(csv|tsv|txt|parquet)$/i.test(name)

/** "march.csv" → "march": the name a dataset is listed under unless the user gives one. */
export const datasetNameFromFile = (fileName: string): string => {
  const stem = fileName.replace(/\.(csv|tsv|txt|parquet)$/i, '').trim()
  return stem.slice(0, 200) || 'dataset'
}

let nextImportId = 1

export const useDatasets = create<DatasetsState>()((set, get) => {
  const update = (id: number, patch: Partial<DatasetImport>): void =>
    set({ imports: get().imports.map((item) => (item.id === id ? { ...item, ...patch } : item)) })

  const importOne = async (
    file: File,
    origin: string,
    name: string | undefined,
  ): Promise<DatasetImported | null> => {
    const id = nextImportId++
    set({
      imports: [
        ...get().imports,
        {
          id,
          fileName: file.name,
          status: 'uploading',
          upload: 0,
          job: null,
          error: null,
          result: null,
          origin,
        },
      ],
    })
    let ref
    try {
      ref = await client().uploadOrPath(file, (upload) => update(id, { upload }))
    } catch (error) {
      update(id, { status: 'failed', error: errorOf(error) })
      return null
    }
    const started = await client().call('datasets:add', { file: ref, ...(name ? { name } : {}) })
    if (!started.ok) {
      update(id, { status: 'failed', error: started.error })
      return null
    }
    update(id, { status: 'importing', upload: 1, job: started.value })
    const final = await followJob(started.value.id, 'dataset-import', 'import', (job) =>
      update(id, { job }),
    )
    if (final.status === 'cancelled') {
      update(id, { status: 'cancelled' })
      return null
    }
    if (final.status === 'failed') {
      update(id, { status: 'failed', error: final.error })
      return null
    }
    update(id, { status: 'done', result: final.result })
    return final.result
  }

  return {
    ...initialDatasetsState,
    async loadList() {
      set({ listStatus: get().datasets.length ? 'ready' : 'loading', listError: null })
      const result = await client().call('datasets:list', {})
      if (result.ok) set({ datasets: result.value, listStatus: 'ready' })
      else set({ listStatus: 'error', listError: result.error.message })
    },
    async open(id) {
      if (get().detail?.id !== id) set({ detail: null })
      set({ detailError: null })
      const result = await client().call('datasets:get', { id })
      if (result.ok) set({ detail: result.value })
      else set({ detailError: result.error.message })
    },
    async importFiles(files, origin = 'datasets', names) {
      const imported: DatasetImported[] = []
      // One at a time: each import reads the whole file and two at once only compete for disk.
      for (const [index, file] of files.entries()) {
        const dataset = await importOne(file, origin, names?.[index])
        if (dataset) imported.push(dataset)
      }
      await get().loadList()
      return imported
    },
    async remove(id) {
      const result = await client().call('datasets:remove', { id })
      if (!result.ok) return result.error.message
      const name = (get().datasets.find((d) => d.id === id) ?? get().detail)?.name
      if (get().detail?.id === id) set({ detail: null })
      await get().loadList()
      offerRestore(
        `Dataset ${name === undefined ? id : `"${name}"`} deleted.`,
        result.value.trashId,
        () => get().loadList(),
      )
      return null
    },
    async rename(id, name) {
      const result = await client().call('datasets:rename', { id, name })
      if (!result.ok) return result.error.message
      const detail = get().detail
      if (detail?.id === id) set({ detail: { ...detail, name: result.value.name } })
      await get().loadList()
      return null
    },
    async cancelImport(id) {
      const job = get().imports.find((item) => item.id === id)?.job
      if (!job) return
      const result = await client().call('jobs:cancel', { jobId: job.id })
      if (!result.ok) update(id, { error: result.error })
    },
    dismissImport(id) {
      set({ imports: get().imports.filter((item) => item.id !== id) })
    },
  }
})
