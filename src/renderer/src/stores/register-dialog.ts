// Register-dialog slice: the dropped or picked files, the form, and each file's progress and result.
import { AliasName } from '../../../api/common'
import type { FileRef } from '../../../api/common'
import { isRetryable } from '../../../api/errors'
import type { RegisterResult } from '../../../api/registry'
import { create } from 'zustand'
import {
  emptyLineageDraft,
  parseLineageDraft,
  type LineageDraft,
  type LineageValues,
} from '../lib/lineage-draft'
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
  /** A failure that can pass on a second try (a lost connection, a race); a bad file cannot. */
  retryable: boolean
}

/** The alias, and the lineage every file of the batch is registered with. */
export interface RegisterForm extends LineageDraft {
  alias: string
}

export interface RegisterDialogState {
  open: boolean
  running: boolean
  items: RegisterItem[]
  form: RegisterForm
  aliasProblem: string | null
  /** A lineage field that cannot be read (a parameter without "=", a parent that is no number). */
  lineageProblem: string | null
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
  form: { ...emptyLineageDraft, alias: '' } as RegisterForm,
  aliasProblem: null as string | null,
  lineageProblem: null as string | null,
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
    retryable: false,
  }
}

/** Files the next Register sends: new ones, and failures that can pass on a second try. */
export const isPending = (item: RegisterItem): boolean =>
  item.status === 'ready' || (item.status === 'failed' && item.retryable)

/**
 * One alias names one version of a model: typed for two files of the same model it would move
 * twice in the same second, ending on whichever registered last (the CLI refuses this too).
 */
function sharedAliasProblem(alias: string, todo: RegisterItem[]): string | null {
  const byModel = new Map<string, string[]>()
  for (const item of todo) {
    const model = item.model.trim()
    byModel.set(model, [...(byModel.get(model) ?? []), item.fileName])
  }
  for (const [model, files] of byModel) {
    if (files.length > 1)
      return `Alias ${alias} can name only one version of ${model}, but ${files.length} of its files are being registered: register them without the alias, then set it on the version you choose`
  }
  return null
}

const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

export const useRegisterDialog = create<RegisterDialogState>()((set, get) => {
  const update = (id: number, patch: Partial<RegisterItem>): void =>
    set({ items: get().items.map((item) => (item.id === id ? { ...item, ...patch } : item)) })

  const register = async (
    item: RegisterItem,
    form: RegisterForm,
    lineage: LineageValues,
  ): Promise<void> => {
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
      // The upload itself broke (connection, server gone): the same file can go through next time.
      update(item.id, { status: 'failed', error: errorMessage(error), retryable: true })
      return
    }
    update(item.id, { status: 'registering', progress: 1 })
    const result = await client().call('registry:register', {
      file,
      model: item.model.trim(),
      fileName: item.fileName,
      ...(lineage.codeVersion ? { codeVersion: lineage.codeVersion } : {}),
      ...(lineage.description.trim() ? { description: lineage.description.trim() } : {}),
      ...(lineage.trainingDatasetId !== null
        ? { trainingDatasetId: lineage.trainingDatasetId }
        : {}),
      ...(lineage.parentVersion !== null ? { parentVersion: lineage.parentVersion } : {}),
      hyperparameters: lineage.hyperparameters,
      ...(form.alias.trim() ? { alias: form.alias.trim() } : {}),
    })
    if (result.ok) {
      update(item.id, {
        status: result.value.existing ? 'existing' : 'registered',
        result: result.value,
        error: null,
      })
    } else {
      update(item.id, {
        status: 'failed',
        error: result.error.message,
        retryable: isRetryable(result.error.code),
      })
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
      // Files still waiting keep the form typed for them; otherwise the dialog opens fresh, so an
      // alias typed for one file never lands on the next drop.
      const pending = get().open ? get().items.filter((item) => item.status === 'ready') : []
      set({
        ...(pending.length ? {} : initialRegisterDialogState),
        open: true,
        items: [...pending, ...sources.map(itemFor)],
      })
    },
    close() {
      if (get().running) return
      set({ ...initialRegisterDialogState })
    },
    setModel(id, model) {
      const item = get().items.find((candidate) => candidate.id === id)
      // A new model name is a new attempt: a file refused for its name may pass now.
      const retry = item?.status === 'failed' ? { status: 'ready' as const, error: null } : {}
      update(id, { model, modelProblem: null, ...retry })
    },
    setForm(patch) {
      set({
        form: { ...get().form, ...patch },
        ...(patch.alias !== undefined ? { aliasProblem: null } : {}),
        lineageProblem: null,
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
        isPending(item) ? { ...item, modelProblem: modelNameProblem(item.model.trim()) } : item,
      )
      const alias = form.alias.trim()
      const aliasCheck = alias ? AliasName.safeParse(alias) : null
      const todo = items.filter((item) => isPending(item) && !item.modelProblem)
      const aliasProblem =
        aliasCheck && !aliasCheck.success
          ? (aliasCheck.error.issues[0]?.message ?? 'Invalid alias')
          : alias
            ? sharedAliasProblem(alias, todo)
            : null
      const lineage = parseLineageDraft(form)
      set({ items, aliasProblem, lineageProblem: lineage.ok ? null : lineage.problem })
      if (!lineage.ok || aliasProblem || items.some((item) => item.modelProblem) || !todo.length)
        return
      set({ running: true })
      try {
        // One at a time: versions are numbered in the order the files were given.
        for (const item of todo) await register(item, form, lineage.value)
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
