// Import-dialog slice: data files dropped on the window (or picked on the Datasets page) wait here
// for the user to name them and say "Import"; nothing is read before that.
import { DatasetName, uniqueDatasetName } from '../../../api/datasets'
import { create } from 'zustand'
import { client } from '../transport/client'
import { datasetNameFromFile, useDatasets } from './datasets'
import { hrefFor, useRoute } from './route'

export interface PendingImport {
  id: number
  file: File
  name: string
  problem: string | null
}

export interface ImportDialogState {
  open: boolean
  items: PendingImport[]
  /** Names of the datasets already imported: a suggestion never repeats one. */
  taken: string[]
  /** Dropped files open their dataset once imported; files picked on the Datasets page stay there. */
  openAfter: boolean
  openWith(files: File[], options?: { openAfter?: boolean }): Promise<void>
  setName(id: number, name: string): void
  close(): void
  confirm(): Promise<void>
}

export const initialImportDialogState = {
  open: false,
  items: [] as PendingImport[],
  taken: [] as string[],
  openAfter: true,
}

let nextId = 1

/** Each file's suggested name: its file name, made unique against the datasets and each other. */
function suggest(files: File[], taken: string[]): PendingImport[] {
  const used = [...taken]
  return files.map((file) => {
    const name = uniqueDatasetName(datasetNameFromFile(file.name), used)
    used.push(name)
    return { id: nextId++, file, name, problem: null }
  })
}

/** Why a name cannot be used: invalid, taken by a dataset, or given to two files here. */
function nameProblem(name: string, taken: string[], others: string[]): string | null {
  const parsed = DatasetName.safeParse(name)
  if (!parsed.success) return parsed.error.issues[0]?.message ?? 'Invalid name'
  const wanted = parsed.data
  if (taken.includes(wanted))
    return `A dataset is already named "${wanted}"; names are unique, e.g. "${uniqueDatasetName(wanted, [...taken, ...others])}"`
  if (others.includes(wanted)) return `Two files would be named "${wanted}"`
  return null
}

export const useImportDialog = create<ImportDialogState>()((set, get) => ({
  ...initialImportDialogState,
  async openWith(files, options) {
    const list = await client().call('datasets:list', {})
    const taken = list.ok
      ? list.value.map((d) => d.name)
      : useDatasets.getState().datasets.map((d) => d.name)
    const waiting = get().open ? get().items : []
    const reserved = [...taken, ...waiting.map((item) => item.name)]
    set({
      open: true,
      taken,
      items: [...waiting, ...suggest(files, reserved)],
      openAfter: options?.openAfter ?? true,
    })
  },
  setName(id, name) {
    set({
      items: get().items.map((item) => (item.id === id ? { ...item, name, problem: null } : item)),
    })
  },
  close() {
    set({ ...initialImportDialogState })
  },
  async confirm() {
    const { items, taken, openAfter } = get()
    const checked = items.map((item, index) => ({
      ...item,
      problem: nameProblem(
        item.name,
        taken,
        items.filter((_, other) => other !== index).map((o) => o.name.trim()),
      ),
    }))
    if (checked.some((item) => item.problem)) return set({ items: checked })
    set({ ...initialImportDialogState })
    useRoute.getState().navigate(hrefFor('datasets'))
    const imported = await useDatasets.getState().importFiles(
      checked.map((item) => item.file),
      'datasets',
      checked.map((item) => item.name.trim()),
    )
    const last = imported[imported.length - 1]
    if (openAfter && imported.length === 1 && checked.length === 1 && last)
      useRoute.getState().navigate(hrefFor('datasets', last.id))
  },
}))
