// What starts retraining runs without a person: a recipe's cron schedule (a run missed while no
// Slipway was open runs once at start, and says so), a drift monitor crossing into drift, and a
// new labelled file in the recipe's training-data folder. Runs while the app, web mode or
// `slipway watch` is open. The clock is injected so tests can move time.
import fs from 'node:fs'
import path from 'node:path'
import type { DriftAlert } from '../../api/drift'
import type { RecipeRecord, RetrainRun, RunTrigger } from '../../api/retraining'
import type { CoreContext } from '../context'
import { listMonitors, looksComplete } from '../drift/monitors'
import { csvRecords, fileKey, newestFile } from './data'
import { allRecipes, getRecipe, nextScheduled } from './recipes'
import { startRun } from './runs'

export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** One line of `slipway watch`: what a trigger did. */
export interface TriggerEvent {
  at: string
  kind: 'schedule' | 'missed' | 'drift' | 'new-data' | 'skipped' | 'finished' | 'error'
  model: string
  runId: number | null
  message: string
}

export interface TriggerOptions {
  clock?: Clock
  /** How often schedules and folders are looked at, in ms (0: only when `tick` is called). */
  tickMs?: number
  /** A new file must be unchanged this long before it is trained on. */
  settleMs?: number
  onEvent?: (event: TriggerEvent) => void
}

interface StateRow {
  schedule_done_at: string | null
  last_data_key: string | null
}

export class RetrainTriggers {
  private timer: NodeJS.Timeout | null = null
  private readonly startedAt: Date
  private readonly clock: Clock
  private firstTick = true
  /** Runs started by the triggers, for tests and the UI. */
  readonly started: RetrainRun[] = []

  constructor(
    private readonly core: CoreContext,
    private readonly options: TriggerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock
    this.startedAt = this.clock.now()
  }

  start(): void {
    this.tick()
    const every = this.options.tickMs ?? 5000
    if (every > 0) {
      this.timer = setInterval(() => this.tick(), every)
      this.timer.unref()
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  private event(e: Omit<TriggerEvent, 'at'>): void {
    try {
      this.options.onEvent?.({ at: this.clock.now().toISOString(), ...e })
    } catch {
      // A broken listener (a closed pipe) must not stop the triggers.
    }
  }

  private state(modelId: number): StateRow {
    return (
      (this.core.db
        .prepare('SELECT schedule_done_at, last_data_key FROM retrain_state WHERE model_id = ?')
        .get(modelId) as StateRow | undefined) ?? { schedule_done_at: null, last_data_key: null }
    )
  }

  /**
   * Compare-and-set on the trigger state, so two processes on one home (the window and `slipway
   * watch`) never both fire for the same due time or the same file.
   */
  private claim(
    modelId: number,
    column: 'schedule_done_at' | 'last_data_key',
    from: string | null,
    to: string,
  ): boolean {
    return this.core.db
      .transaction((): boolean => {
        const now = this.state(modelId)[column]
        if (now !== from) return false
        this.core.db
          .prepare(
            `INSERT INTO retrain_state (model_id, ${column}) VALUES (?, ?) ON CONFLICT (model_id) DO UPDATE SET ${column} = excluded.${column}`,
          )
          .run(modelId, to)
        return true
      })
      .immediate()
  }

  /** Looks at every schedule and watched folder once; returns the runs it started. */
  tick(): RetrainRun[] {
    if (!this.core.db.open) return []
    const before = this.started.length
    const first = this.firstTick
    this.firstTick = false
    let recipes: (RecipeRecord & { modelId: number })[]
    try {
      recipes = allRecipes(this.core)
    } catch {
      return []
    }
    for (const recipe of recipes) {
      try {
        if (recipe.recipe.schedule) this.checkSchedule(recipe, recipe.recipe.schedule, first)
        if (recipe.recipe.onNewData) this.checkFolder(recipe)
      } catch (error) {
        this.event({
          kind: 'error',
          model: recipe.model,
          runId: null,
          message: error instanceof Error ? error.message : String(error),
        })
      }
    }
    return this.started.slice(before)
  }

  private checkSchedule(
    recipe: RecipeRecord & { modelId: number },
    schedule: string,
    first: boolean,
  ): void {
    const now = this.clock.now()
    const done = this.state(recipe.modelId).schedule_done_at
    // A new recipe starts counting from when it was saved, not from the epoch.
    const since = new Date(done ?? recipe.updatedAt)
    const due = nextScheduled(schedule, since)
    if (!due || due > now) return
    // Every due time up to now is covered by this one run.
    let missed = 0
    let last = due
    for (
      let t: Date | null = due;
      t && t <= now && missed < 10_000;
      t = nextScheduled(schedule, t)
    ) {
      missed++
      last = t
    }
    if (!this.claim(recipe.modelId, 'schedule_done_at', done, last.toISOString())) return
    const whileClosed = first && due < this.startedAt
    const detail = whileClosed
      ? `missed while Slipway was closed (due ${due.toISOString()}${missed > 1 ? `, ${missed} times` : ''}); run once at start`
      : `schedule "${schedule}" due ${last.toISOString()}`
    this.fire(recipe.model, 'schedule', detail, whileClosed ? 'missed' : 'schedule')
  }

  private checkFolder(recipe: RecipeRecord & { modelId: number }): void {
    const data = recipe.recipe.trainData
    if (!data || !('folder' in data)) return
    const newest = newestFile(path.resolve(data.folder))
    if (!newest) return
    const key = fileKey(newest)
    const seen = this.state(recipe.modelId).last_data_key
    if (seen === key) return
    if (seen === null) {
      // The files already there when watching began are the baseline, not new data.
      this.claim(recipe.modelId, 'last_data_key', null, key)
      return
    }
    const quietMs = this.clock.now().getTime() - newest.mtimeMs
    if (quietMs < (this.options.settleMs ?? 1000) || !looksComplete(newest.file)) return
    if (!this.claim(recipe.modelId, 'last_data_key', seen, key)) return
    const name = path.basename(newest.file)
    const unlabelled = missingLabel(newest.file, recipe.recipe.label)
    this.fire(
      recipe.model,
      'new-data',
      `new file ${name} in ${data.folder}`,
      'new-data',
      unlabelled ? `${name} has no label column "${recipe.recipe.label}"` : undefined,
    )
  }

  /** A drift monitor of the model crossed into drift: run if its recipe or the monitor says so. */
  onDriftAlert(alert: DriftAlert): void {
    try {
      const recipe = getRecipe(this.core, alert.model)
      const monitor =
        alert.monitorId !== null
          ? listMonitors(this.core).find((m) => m.id === alert.monitorId)
          : undefined
      if (!recipe?.recipe.onDrift && !monitor?.retrainOnDrift) return
      if (!recipe) {
        this.event({
          kind: 'error',
          model: alert.model,
          runId: null,
          message: `${alert.model} crossed into drift and its monitor asks for retraining, but the model has no recipe`,
        })
        return
      }
      this.fire(
        alert.model,
        'drift',
        `drift run #${alert.runId}${monitor ? ` of monitor "${monitor.name}"` : ''}: ${alert.message}`,
        'drift',
      )
    } catch (error) {
      this.event({
        kind: 'error',
        model: alert.model,
        runId: null,
        message: error instanceof Error ? error.message : String(error),
      })
    }
  }

  private fire(
    model: string,
    trigger: RunTrigger,
    detail: string,
    kind: TriggerEvent['kind'],
    skipReason?: string,
  ): void {
    const { run } = startRun(this.core, model, {
      trigger,
      triggerDetail: detail,
      skipReason,
      onFinished: (finished) =>
        this.event({
          kind: 'finished',
          model,
          runId: finished.id,
          message: `run #${finished.id} ${finished.status}${finished.version ? `: ${model} v${finished.version}` : ''}${finished.reason ? ` (${finished.reason})` : ''}`,
        }),
    })
    this.started.push(run)
    this.event({
      kind: run.status === 'skipped' ? 'skipped' : kind,
      model,
      runId: run.id,
      message:
        run.status === 'skipped'
          ? `run #${run.id} skipped: ${run.reason} (${detail})`
          : `run #${run.id} started: ${detail}`,
    })
  }
}

/** True when the recipe names a label column and the CSV's header lacks it. */
function missingLabel(file: string, label: string | null): boolean {
  if (!label || !/\.csv$/i.test(file)) return false
  const fd = fs.openSync(file, 'r')
  try {
    const head = Buffer.alloc(64 * 1024)
    const n = fs.readSync(fd, head, 0, head.length, 0)
    const header = csvRecords(head.subarray(0, n).toString('utf8'))[0] ?? ''
    return !header
      .split(',')
      .map((c) => c.trim().replace(/^"|"$/g, ''))
      .includes(label)
  } finally {
    fs.closeSync(fd)
  }
}

const triggersByCore = new WeakMap<CoreContext, RetrainTriggers>()

export function startTriggers(core: CoreContext, options: TriggerOptions = {}): RetrainTriggers {
  const existing = triggersByCore.get(core)
  if (existing) return existing
  const triggers = new RetrainTriggers(core, options)
  triggersByCore.set(core, triggers)
  triggers.start()
  return triggers
}

export const triggersOf = (core: CoreContext): RetrainTriggers | undefined =>
  triggersByCore.get(core)

export function stopTriggers(core: CoreContext): void {
  triggersByCore.get(core)?.stop()
  triggersByCore.delete(core)
}
