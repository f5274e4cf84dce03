// Retraining slice: a model's recipe (edited as a draft of plain fields), its runs, the selected
// run with its live log, and the actions: save, test run, run now, cancel.
import { create } from 'zustand'
import type {
  RecipeInput,
  RecipeRecord,
  RetrainRun,
  RecipeTrainData,
  RecipeEvalData,
} from '../../../api/retraining'
import { client } from '../transport/client'

export interface RecipeDraft {
  /** One argument per line. */
  command: string
  cwd: string
  /** KEY=VALUE per line. */
  env: string
  timeoutSec: string
  trainKind: 'none' | 'dataset' | 'folder' | 'monitor'
  trainValue: string
  evalKind: 'none' | 'dataset' | 'holdout'
  evalValue: string
  label: string
  /** KEY=VALUE per line. */
  params: string
  schedule: string
  onDrift: boolean
  onNewData: boolean
  alias: string
  gates: boolean
  request: string
}

export const emptyDraft: RecipeDraft = {
  command: '',
  cwd: '',
  env: '',
  timeoutSec: '3600',
  trainKind: 'none',
  trainValue: '',
  evalKind: 'none',
  evalValue: '0.2',
  label: '',
  params: '',
  schedule: '',
  onDrift: false,
  onNewData: false,
  alias: 'challenger',
  gates: true,
  request: '',
}

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim().length > 0)

/** The editor's fields for a stored recipe. */
export function draftFromRecipe(record: RecipeRecord | null): RecipeDraft {
  if (!record) return { ...emptyDraft }
  const r = record.recipe
  const train = r.trainData
  const evalData = r.evalData
  return {
    command: r.command.join('\n'),
    cwd: r.cwd ?? '',
    env: Object.entries(r.env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    timeoutSec: String(r.timeoutSec),
    trainKind: !train
      ? 'none'
      : 'dataset' in train
        ? 'dataset'
        : 'folder' in train
          ? 'folder'
          : 'monitor',
    trainValue: !train
      ? ''
      : 'dataset' in train
        ? String(train.dataset)
        : 'folder' in train
          ? train.folder
          : String(train.monitor),
    evalKind: !evalData ? 'none' : 'dataset' in evalData ? 'dataset' : 'holdout',
    evalValue: !evalData
      ? '0.2'
      : 'dataset' in evalData
        ? String(evalData.dataset)
        : String(evalData.holdout),
    label: r.label ?? '',
    params: Object.entries(r.params)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join('\n'),
    schedule: r.schedule ?? '',
    onDrift: r.onDrift,
    onNewData: r.onNewData,
    alias: r.after.alias ?? '',
    gates: r.after.gates,
    request: r.after.request ?? '',
  }
}

function pairs(text: string, what: string): Record<string, string> | string {
  const out: Record<string, string> = {}
  for (const line of lines(text)) {
    const eq = line.indexOf('=')
    if (eq <= 0) return `${what} line "${line}" is not KEY=VALUE`
    const key = line.slice(0, eq).trim()
    if (key in out) return `${what} "${key}" is given twice`
    out[key] = line.slice(eq + 1)
  }
  return out
}

const paramValue = (text: string): string | number | boolean =>
  text === 'true' || text === 'false'
    ? text === 'true'
    : text.trim() && /^-?[\d.eE+-]+$/.test(text) && Number.isFinite(Number(text))
      ? Number(text)
      : text

/** The recipe the draft describes, or a message naming the field that is wrong. */
export function recipeFromDraft(draft: RecipeDraft): RecipeInput | string {
  const command = lines(draft.command)
  if (!command.length) return 'Give the command: the program, then one argument per line'
  const env = pairs(draft.env, 'Environment')
  if (typeof env === 'string') return env
  const params = pairs(draft.params, 'Parameter')
  if (typeof params === 'string') return params
  const timeout = Number(draft.timeoutSec)
  if (!Number.isInteger(timeout) || timeout < 1) return 'Timeout must be a whole number of seconds'
  let trainData: RecipeTrainData | null = null
  const tv = draft.trainValue.trim()
  if (draft.trainKind !== 'none' && !tv) return 'Name the training data'
  if (draft.trainKind === 'dataset') trainData = { dataset: /^\d+$/.test(tv) ? Number(tv) : tv }
  if (draft.trainKind === 'folder') trainData = { folder: tv }
  if (draft.trainKind === 'monitor') {
    if (!/^\d+$/.test(tv)) return 'Monitor: give its number'
    trainData = { monitor: Number(tv) }
  }
  let evalData: RecipeEvalData | null = null
  const ev = draft.evalValue.trim()
  if (draft.evalKind === 'dataset') {
    if (!ev) return 'Name the evaluation dataset'
    evalData = { dataset: /^\d+$/.test(ev) ? Number(ev) : ev }
  }
  if (draft.evalKind === 'holdout') {
    const share = Number(ev)
    if (!(share >= 0.05 && share <= 0.9)) return 'Holdout share must be from 0.05 to 0.9'
    evalData = { holdout: share }
  }
  return {
    command,
    cwd: draft.cwd.trim() || null,
    env,
    timeoutSec: timeout,
    trainData,
    evalData,
    label: draft.label.trim() || null,
    params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, paramValue(v)])),
    schedule: draft.schedule.trim() || null,
    onDrift: draft.onDrift,
    onNewData: draft.onNewData,
    after: {
      alias: draft.alias.trim() || null,
      gates: draft.gates,
      request: draft.request.trim() || null,
    },
  }
}

export interface RetrainingState {
  model: string | null
  recipe: RecipeRecord | null
  draft: RecipeDraft
  dirty: boolean
  recipeError: string | null
  saving: boolean
  runs: RetrainRun[]
  runsError: string | null
  selectedId: number | null
  log: string
  logOffset: number
  actionError: string | null
  load(model: string): Promise<void>
  edit(patch: Partial<RecipeDraft>): void
  save(): Promise<string | null>
  start(trigger: 'manual' | 'test'): Promise<string | null>
  cancel(runId: number): Promise<string | null>
  select(runId: number | null): void
  /** Refreshes the runs and, for the selected run, reads the log written since the last poll. */
  poll(): Promise<void>
}

export const initialRetrainingState = {
  model: null as string | null,
  recipe: null as RecipeRecord | null,
  draft: { ...emptyDraft },
  dirty: false,
  recipeError: null as string | null,
  saving: false,
  runs: [] as RetrainRun[],
  runsError: null as string | null,
  selectedId: null as number | null,
  log: '',
  logOffset: 0,
  actionError: null as string | null,
}

/** The log kept in the page: enough to follow a run without growing without end. */
const MAX_LOG_CHARS = 400_000

export const useRetraining = create<RetrainingState>()((set, get) => ({
  ...initialRetrainingState,
  async load(model) {
    if (get().model !== model) set({ ...initialRetrainingState, model })
    const [recipe, runs] = await Promise.all([
      client().call('retrain:get-recipe', { model }),
      client().call('retrain:list', { model, limit: 100 }),
    ])
    if (get().model !== model) return
    if (recipe.ok && !get().dirty)
      set({ recipe: recipe.value, draft: draftFromRecipe(recipe.value), recipeError: null })
    else if (!recipe.ok) set({ recipeError: recipe.error.message })
    if (runs.ok) {
      set({ runs: runs.value, runsError: null })
      const [first] = runs.value
      if (get().selectedId === null && first) get().select(first.id)
    } else set({ runsError: runs.error.message })
  },
  edit(patch) {
    set({ draft: { ...get().draft, ...patch }, dirty: true })
  },
  async save() {
    const model = get().model
    if (!model) return 'No model'
    const recipe = recipeFromDraft(get().draft)
    if (typeof recipe === 'string') {
      set({ recipeError: recipe })
      return recipe
    }
    set({ saving: true })
    const result = await client().call('retrain:set-recipe', { model, recipe })
    set({ saving: false })
    if (!result.ok) {
      set({ recipeError: result.error.message })
      return result.error.message
    }
    set({
      recipe: result.value,
      draft: draftFromRecipe(result.value),
      dirty: false,
      recipeError: null,
    })
    return null
  },
  async start(trigger) {
    const model = get().model
    if (!model) return 'No model'
    if (get().dirty) {
      const problem = await get().save()
      if (problem) return problem
    }
    const result = await client().call('retrain:start', { model, trigger })
    if (!result.ok) {
      set({ actionError: result.error.message })
      return result.error.message
    }
    set({ actionError: null })
    get().select(result.value.run.id)
    await get().poll()
    return null
  },
  async cancel(runId) {
    const result = await client().call('retrain:cancel', { runId })
    if (!result.ok) {
      set({ actionError: result.error.message })
      return result.error.message
    }
    await get().poll()
    return null
  },
  select(runId) {
    set({ selectedId: runId, log: '', logOffset: 0 })
    if (runId !== null) void get().poll()
  },
  async poll() {
    const model = get().model
    if (!model) return
    const runs = await client().call('retrain:list', { model, limit: 100 })
    if (get().model !== model) return
    if (runs.ok) set({ runs: runs.value, runsError: null })
    const id = get().selectedId
    if (id === null) return
    // Read all the log written since the last poll (the core answers at most 256 KB at a time).
    for (let i = 0; i < 20; i++) {
      const offset = get().logOffset
      const log = await client().call('retrain:log', { runId: id, offset })
      if (!log.ok || get().selectedId !== id || get().logOffset !== offset) return
      const text = (get().log + log.value.text).slice(-MAX_LOG_CHARS)
      set({ log: text, logOffset: log.value.nextOffset })
      if (log.value.nextOffset >= log.value.size) return
    }
  },
}))
