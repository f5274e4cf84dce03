// Register-dialog slice: the dropped or picked files, the form, and each file's progress and result.
import { AliasName } from '../../../api/common'
import type { FileRef } from '../../../api/common'
import type { RegisterResult } from '../../../api/registry'
import { create } from 'zustand'
import { isOnnxFileName, modelNameFromFileName, modelNameProblem } from '../lib/model-name'
import { client } from '../transport/client'
import { useRegistry } from './registry'

/** A file from a drop or the page's picker, or a path from Electron's native picker. */
export type FileSource = { kind: 'file'; file: File } | { kind: 'path'; path: string }

export type ItemStatus =
  'ready' | 'skipped' | 'uploading' | 'registering' | 'registered' | 'existing' | 'failed'

export interface RegisterItem {
  id: number
  source: FileSource
  fileName: string
  model: string
  modelProblem: string | null
  status: ItemStatus
  /** Upload progress, 0..1, while uploading. */
  progress: number
  result: RegisterResult | null
  error: string | null
}

export interface RegisterForm {
  codeVersion: string
  description: string
  alias: string
}

export interface RegisterDialogState {
  open: boolean
  running: boolean
  items: RegisterItem[]
  form: RegisterForm
  aliasProblem: string | null
  openWith(sources: FileSource[]): void
  close(): void
  setModel(id: number, model: string): void
  setForm(patch: Partial<RegisterForm>): void
  removeItem(id: number): void
  submit(): Promise<void>
}

export const initialRegisterDialogState = {
  open: false,
  running: false,
  items: [] as RegisterItem[],
  form: { codeVersion: '', description: '', alias: '' } as RegisterForm,
  aliasProblem: null as string | null,
}

const baseName = (file: string): string => file.split(/[\\/]/).pop() ?? file

let nextId = 1

function itemFor(source: FileSource): RegisterItem {
  const fileName = source.kind === 'file' ? source.file.name : baseName(source.path)
  const onnx = isOnnxFileName(fileName)
  const model = modelNameFromFileName(fileName)
  return {
    id: nextId++,
    source,
    fileName,
    model,
    modelProblem: null,
    status: onnx ? 'ready' : 'skipped',
    progress: 0,
    result: null,
    error: onnx ? null : 'Not an .onnx file; only ONNX models can be registered',
  }
}

const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

export const useRegisterDialog = create<RegisterDialogState>()((set, get) => {
  const update = (id: number, patch: Partial<RegisterItem>): void =>
    set({ items: get().items.map((item) => (item.id === id ? { ...item, ...patch } : item)) })

  const register = async (item: RegisterItem, form: RegisterForm): Promise<void> => {
    let file: FileRef
    try {
      if (item.source.kind === 'path') {
        file = { path: item.source.path }
      } else {
        update(item.id, { status: 'uploading', progress: 0 })
        file = await client().uploadOrPath(item.source.file, (progress) =>
          update(item.id, { progress }),
        )
      }
    } catch (error) {
      update(item.id, { status: 'failed', error: errorMessage(error) })
      return
    }
    update(item.id, { status: 'registering', progress: 1 })
    const result = await client().call('registry:register', {
      file,
      model: item.model.trim(),
      fileName: item.fileName,
      ...(form.codeVersion.trim() ? { codeVersion: form.codeVersion.trim() } : {}),
      ...(form.description.trim() ? { description: form.description.trim() } : {}),
      ...(form.alias.trim() ? { alias: form.alias.trim() } : {}),
    })
    if (result.ok) {
      update(item.id, {
        status: result.value.existing ? 'existing' : 'registered',
        result: result.value,
        error: null,
      })
    } else {
      update(item.id, { status: 'failed', error: result.error.message })
    }
  }

  return {
    ...initialRegisterDialogState,
    openWith(sources) {
      if (get().running) {
        // Files dropped while a batch runs join the list and wait for the next Register.
        set({ items: [...get().items, ...sources.map(itemFor)] })
        return
      }
      const pending = get().open ? get().items.filter((item) => item.status === 'ready') : []
      set({ open: true, items: [...pending, ...sources.map(itemFor)] })
    },
    close() {
      if (get().running) return
      set({ ...initialRegisterDialogState, form: get().form })
    },
    setModel(id, model) {
      update(id, { model, modelProblem: null })
    },
    setForm(patch) {
      set({
        form: { ...get().form, ...patch },
        ...(patch.alias !== undefined ? { aliasProblem: null } : {}),
      })
    },
    removeItem(id) {
      if (get().running) return
      set({ items: get().items.filter((item) => item.id !== id) })
    },
    async submit() {
      if (get().running) return
      const form = get().form
      const items = get().items.map((item) =>
        item.status === 'ready' || item.status === 'failed'
          ? { ...item, modelProblem: modelNameProblem(item.model.trim()) }
          : item,
      )
      const alias = form.alias.trim()
      const aliasCheck = alias ? AliasName.safeParse(alias) : null
      const aliasProblem =
        aliasCheck && !aliasCheck.success
          ? (aliasCheck.error.issues[0]?.message ?? 'Invalid alias')
          : null
      set({ items, aliasProblem })
      const todo = items.filter(
        (item) => (item.status === 'ready' || item.status === 'failed') && !item.modelProblem,
      )
      if (aliasProblem || items.some((item) => item.modelProblem) || todo.length === 0) return
      set({ running: true })
      try {
        // One at a time: versions are numbered in the order the files were given.
        for (const item of todo) await register(item, form)
      } finally {
        set({ running: false })
      }
      await useRegistry.getState().refresh()
    },
  }
})

/** Files the OS asked the desktop app to open: the register dialog opens with them listed. */
export function openFilesInRegisterDialog(paths: string[]): void {
  useRegisterDialog.getState().openWith(paths.map((path) => ({ kind: 'path', path })))
}
