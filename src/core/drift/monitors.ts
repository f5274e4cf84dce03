// Per-model drift monitors: a reference, a current-data source (one file, or a folder watched for
// new files) and settings. Each new or changed file runs the drift job; every run is stored.
// Watching is started by the long-lived faces (Electron, web mode) with `startMonitors`, never by
// one-shot CLI commands; `monitors:run-now` works either way.
import fs from 'node:fs'
import path from 'node:path'
import type { DataSource, DriftSettings, Monitor } from '../../api/drift'
import { DriftSettings as DriftSettingsSchema } from '../../api/drift'
import { SlipwayError } from '../../api/errors'
import type { Job } from '../../api/jobs'
import type { VersionRef } from '../../api/common'
import type { Actor, CallContext, CoreContext } from '../context'
import { resolveLocalFile } from '../context'
import { appendAudit } from '../governance/audit'
import { requireModel, resolveModelFile } from '../registry/registry'
import { processAlive } from '../artifacts/blobs'
import { listRuns, resolveSource, startDrift } from './service'

interface MonitorRow {
  id: number
  model_id: number
  model_name: string
  name: string
  version_ref: string | null
  reference_json: string
  source_kind: 'file' | 'folder'
  source_path: string
  settings_json: string
  created_at: string
  created_by: string
  paused: number
  retrain_on_drift: number
}

const DATA_FILE = /\.(csv|parquet|pq)$/i

function rowToMonitor(core: CoreContext, row: MonitorRow): Monitor {
  const [lastRun] = listRuns(core, { monitorId: row.id, limit: 1 })
  const seen = core.db
    .prepare('SELECT COUNT(*) AS n FROM drift_monitor_files WHERE monitor_id = ?')
    .get(row.id) as { n: number }
  return {
    id: row.id,
    name: row.name,
    model: row.model_name,
    versionRef: row.version_ref,
    reference: JSON.parse(row.reference_json) as DataSource,
    source: { kind: row.source_kind, path: row.source_path },
    settings: JSON.parse(row.settings_json) as DriftSettings,
    createdAt: row.created_at,
    createdBy: row.created_by,
    lastRun: lastRun ?? null,
    filesSeen: seen.n,
    paused: row.paused === 1,
    retrainOnDrift: row.retrain_on_drift === 1,
  }
}

const MONITOR_SELECT =
  'SELECT d.*, m.name AS model_name FROM drift_monitors d JOIN models m ON m.id = d.model_id'

function getMonitorRow(core: CoreContext, id: number): MonitorRow {
  const row = core.db.prepare(`${MONITOR_SELECT} WHERE d.id = ?`).get(id) as MonitorRow | undefined
  if (!row) throw new SlipwayError('NOT_FOUND', `No drift monitor #${id}`)
  return row
}

export function listMonitors(core: CoreContext, model?: string): Monitor[] {
  const rows = model
    ? (core.db
        .prepare(`${MONITOR_SELECT} WHERE d.model_id = ? ORDER BY d.id`)
        .all(requireModel(core.db, model).id) as MonitorRow[])
    : (core.db.prepare(`${MONITOR_SELECT} ORDER BY d.id`).all() as MonitorRow[])
  return rows.map((r) => rowToMonitor(core, r))
}

export interface CreateMonitorInput {
  model: string
  versionRef?: VersionRef
  name?: string
  reference?: DataSource
  source: { kind: 'file' | 'folder'; path: string }
  settings: DriftSettings
  retrainOnDrift?: boolean
}

export function createMonitor(
  core: CoreContext,
  input: CreateMonitorInput,
  call: CallContext,
): Monitor {
  const { actor } = call
  // Web mode runs as this user on this machine, so a folder path typed there is allowed for the
  // watched data, after the same checks as the CLI; the reference must be a dataset or version.
  if (!call.readLocalPaths && input.reference && 'file' in input.reference)
    throw new SlipwayError(
      'INVALID_INPUT',
      'In web mode a monitor reference must be a registered dataset or a version, not a file path',
    )
  const model = requireModel(core.db, input.model)
  const versionRef = input.versionRef === undefined ? null : String(input.versionRef)
  if (versionRef !== null) resolveModelFile(core, model.name, versionRef)
  let reference: DataSource
  if (input.reference) reference = input.reference
  else if (versionRef !== null) reference = { version: { model: model.name, ref: versionRef } }
  else
    throw new SlipwayError(
      'INVALID_INPUT',
      `A monitor of ${model.name} needs a reference: a dataset, a file, or a version whose training data to use`,
    )
  if ('file' in reference) {
    if (!('path' in reference.file))
      throw new SlipwayError(
        'INVALID_INPUT',
        'A monitor reference must be a file on disk or a registered dataset, not an upload',
      )
    reference = { file: { path: resolveLocalFile(reference.file.path).path } }
  }
  resolveSource(core, reference, 'internal')
  const sourcePath = path.resolve(input.source.path)
  let stat: fs.Stats
  try {
    stat = fs.statSync(sourcePath)
  } catch {
    throw new SlipwayError('BAD_FILE', `${input.source.path}: no such ${input.source.kind}`)
  }
  if (input.source.kind === 'folder' && !stat.isDirectory())
    throw new SlipwayError('BAD_FILE', `${input.source.path}: is not a folder`)
  if (input.source.kind === 'file' && !stat.isFile())
    throw new SlipwayError('BAD_FILE', `${input.source.path}: is not a file`)
  try {
    fs.accessSync(
      sourcePath,
      input.source.kind === 'folder' ? fs.constants.R_OK | fs.constants.X_OK : fs.constants.R_OK,
    )
  } catch {
    throw new SlipwayError('BAD_FILE', `${input.source.path}: cannot be read (permission denied)`)
  }
  const name = input.name ?? `${model.name}: ${path.basename(sourcePath)}`
  const now = new Date().toISOString()
  let id = 0
  core.db
    .transaction(() => {
      id = Number(
        core.db
          .prepare(
            `INSERT INTO drift_monitors (model_id, name, version_ref, reference_json, source_kind, source_path, settings_json, created_at, created_by, retrain_on_drift)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            model.id,
            name,
            versionRef,
            JSON.stringify(reference),
            input.source.kind,
            sourcePath,
            JSON.stringify(input.settings),
            now,
            actor.name,
            input.retrainOnDrift ? 1 : 0,
          ).lastInsertRowid,
      )
      appendAudit(core, actor, {
        action: 'drift.monitor.create',
        modelId: model.id,
        details: { monitorId: id, name, source: input.source.kind, path: sourcePath },
      })
    })
    .immediate()
  const monitor = rowToMonitor(core, getMonitorRow(core, id))
  watcherOf(core)?.watch(monitor)
  return monitor
}

export function setMonitorPaused(
  core: CoreContext,
  id: number,
  paused: boolean,
  actor: Actor,
): Monitor {
  const row = getMonitorRow(core, id)
  if ((row.paused === 1) !== paused) {
    core.db
      .transaction(() => {
        core.db.prepare('UPDATE drift_monitors SET paused = ? WHERE id = ?').run(paused ? 1 : 0, id)
        appendAudit(core, actor, {
          action: paused ? 'drift.monitor.pause' : 'drift.monitor.resume',
          modelId: row.model_id,
          details: { monitorId: id, name: row.name },
        })
      })
      .immediate()
  }
  const monitor = rowToMonitor(core, getMonitorRow(core, id))
  const watcher = watcherOf(core)
  if (paused) watcher?.unwatch(id)
  else watcher?.watch(monitor)
  return monitor
}

export function deleteMonitor(core: CoreContext, id: number, actor: Actor): { deleted: boolean } {
  const row = getMonitorRow(core, id)
  watcherOf(core)?.unwatch(id)
  // Its runs in flight would store against a monitor that no longer exists.
  for (const flight of inFlight.get(core)?.values() ?? [])
    if (flight.monitorId === id && flight.jobId) core.jobs.cancel(flight.jobId)
  core.db
    .transaction(() => {
      core.db.prepare('DELETE FROM drift_monitor_files WHERE monitor_id = ?').run(id)
      core.db.prepare('UPDATE drift_runs SET monitor_id = NULL WHERE monitor_id = ?').run(id)
      core.db.prepare('DELETE FROM drift_monitors WHERE id = ?').run(id)
      appendAudit(core, actor, {
        action: 'drift.monitor.delete',
        modelId: row.model_id,
        details: { monitorId: id, name: row.name },
      })
    })
    .immediate()
  return { deleted: true }
}

/** Data files of a folder monitor, oldest first. */
export function folderFiles(dir: string): { file: string; size: number; mtimeMs: number }[] {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  return names
    .filter((n) => DATA_FILE.test(n) && !n.startsWith('.'))
    .map((n) => {
      const file = path.join(dir, n)
      try {
        const s = fs.statSync(file)
        return s.isFile() ? { file, size: s.size, mtimeMs: s.mtimeMs } : null
      } catch {
        return null
      }
    })
    .filter((f): f is { file: string; size: number; mtimeMs: number } => f !== null && f.size > 0)
    .sort((a, b) => a.mtimeMs - b.mtimeMs || a.file.localeCompare(b.file))
}

interface Flight {
  monitorId: number
  file: string
  jobId: string | null
}

interface SeenFile {
  size: number
  mtime_ms: number
  run_id: number | null
  error: string | null
  claimed_by_pid: number | null
}

/** A file claimed by a process that died before recording a run or an error for it. */
const abandonedClaim = (seen: SeenFile): boolean =>
  seen.run_id === null &&
  seen.error === null &&
  seen.claimed_by_pid !== null &&
  !processAlive(seen.claimed_by_pid)

/** Runs this process started and has not finished, by `monitorId:path`. */
const inFlight = new WeakMap<CoreContext, Map<string, Flight>>()

/**
 * Gives back the claims of runs still in flight when the app closes: their jobs are cancelled
 * and store nothing, so the files must look new to the next scan (of this or another process)
 * rather than stay "seen" forever without a run.
 */
function releaseInFlight(core: CoreContext): void {
  const flights = inFlight.get(core)
  if (!flights || !core.db.open) return
  const release = core.db.prepare(
    'DELETE FROM drift_monitor_files WHERE monitor_id = ? AND path = ? AND run_id IS NULL AND error IS NULL',
  )
  try {
    core.db
      .transaction(() => {
        for (const f of flights.values()) release.run(f.monitorId, f.file)
      })
      .immediate()
  } catch {
    // Closing must not fail on a busy registry; the files then wait for "run now".
  }
}

/**
 * Runs the monitor's drift job on one file and records the file as processed. Another process on
 * the same home (the window next to web mode) may have claimed this very file since our scan;
 * then it is theirs and nothing runs here, unless `force` (run-now on a file already seen).
 */
export function runMonitorOnFile(
  core: CoreContext,
  monitor: Monitor,
  file: { file: string; size: number; mtimeMs: number },
  force = false,
  actor: Actor = core.homeActor(),
): Job | null {
  const flights = inFlight.get(core) ?? new Map<string, Flight>()
  inFlight.set(core, flights)
  const key = `${monitor.id}:${file.file}`
  if (flights.has(key)) return null
  const reference = resolveSource(core, monitor.reference, 'internal')
  const current = resolveSource(core, { file: { path: file.file } }, 'internal')
  const model =
    monitor.versionRef !== null ? resolveModelFile(core, monitor.model, monitor.versionRef) : null
  const modelId = requireModel(core.db, monitor.model).id
  const claim = core.db.transaction((): boolean => {
    const seen = core.db
      .prepare(
        'SELECT size, mtime_ms, run_id, error, claimed_by_pid FROM drift_monitor_files WHERE monitor_id = ? AND path = ?',
      )
      .get(monitor.id, file.file) as SeenFile | undefined
    if (
      !force &&
      seen &&
      seen.size === file.size &&
      seen.mtime_ms === file.mtimeMs &&
      !abandonedClaim(seen)
    )
      return false
    core.db
      .prepare(
        `INSERT INTO drift_monitor_files (monitor_id, path, size, mtime_ms, run_id, error, seen_at, claimed_by_pid) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?)
       ON CONFLICT (monitor_id, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, run_id = NULL, error = NULL, seen_at = excluded.seen_at, claimed_by_pid = excluded.claimed_by_pid`,
      )
      .run(monitor.id, file.file, file.size, file.mtimeMs, new Date().toISOString(), process.pid)
    return true
  })
  if (!claim.immediate()) return null
  const flight: Flight = { monitorId: monitor.id, file: file.file, jobId: null }
  flights.set(key, flight)
  const job = startDrift(core, {
    actor,
    reference,
    // A monitor without a version still counts for its model's status.
    owner:
      model || reference.version ? undefined : { modelId, versionId: null, name: monitor.model },
    current,
    model,
    settings: monitor.settings,
    monitorId: monitor.id,
    onFinished: ({ report, error }) => {
      flights.delete(key)
      if (!core.db.open) return
      // An upsert: the claim was given back if watching stopped while this run was in flight;
      // nothing at all if the monitor was deleted meanwhile.
      core.db
        .prepare(
          `INSERT INTO drift_monitor_files (monitor_id, path, size, mtime_ms, run_id, error, seen_at)
           SELECT id, ?, ?, ?, ?, ?, ? FROM drift_monitors WHERE id = ?
           ON CONFLICT (monitor_id, path) DO UPDATE SET run_id = excluded.run_id, error = excluded.error, claimed_by_pid = NULL`,
        )
        .run(
          file.file,
          file.size,
          file.mtimeMs,
          report?.id ?? null,
          error ? (error instanceof Error ? error.message : String(error)) : null,
          new Date().toISOString(),
          monitor.id,
        )
    },
  })
  flight.jobId = job.id
  return job
}

/** Files not yet processed (a folder), or the file if it changed since its last run. */
function pendingFiles(
  core: CoreContext,
  monitor: Monitor,
): { file: string; size: number; mtimeMs: number }[] {
  const seen = core.db
    .prepare(
      'SELECT path, size, mtime_ms, run_id, error, claimed_by_pid FROM drift_monitor_files WHERE monitor_id = ?',
    )
    .all(monitor.id) as (SeenFile & { path: string })[]
  // A claim whose process died mid-run counts as not seen: the file runs again.
  const known = new Map(seen.filter((s) => !abandonedClaim(s)).map((s) => [s.path, s]))
  const candidates =
    monitor.source.kind === 'folder'
      ? folderFiles(monitor.source.path)
      : folderFiles(path.dirname(monitor.source.path)).filter((f) => f.file === monitor.source.path)
  return candidates.filter((f) => {
    const k = known.get(f.file)
    return !k || k.size !== f.size || k.mtime_ms !== f.mtimeMs
  })
}

export function runMonitorNow(core: CoreContext, id: number, actor: Actor): Job[] {
  const monitor = rowToMonitor(core, getMonitorRow(core, id))
  let files = pendingFiles(core, monitor)
  const force = files.length === 0
  if (force) {
    // Nothing new: run again on the monitored file, or the newest file of the folder.
    const all =
      monitor.source.kind === 'folder'
        ? folderFiles(monitor.source.path)
        : folderFiles(path.dirname(monitor.source.path)).filter(
            (f) => f.file === monitor.source.path,
          )
    const last = all.at(-1)
    if (!last)
      throw new SlipwayError(
        'NOT_FOUND',
        `Monitor "${monitor.name}": no data file at ${monitor.source.path}`,
      )
    files = [last]
  }
  return files
    .map((f) => runMonitorOnFile(core, monitor, f, force, actor))
    .filter((j): j is Job => j !== null)
}

/** Watches every monitor's file or folder; a scan on start catches files that arrived meanwhile. */
export class MonitorWatcher {
  /** Per monitor, the folder watched and its inode: a folder deleted and made again is new. */
  private readonly watchers = new Map<
    number,
    { watcher: fs.FSWatcher | null; ino: number | null }
  >()
  private readonly timers = new Map<number, NodeJS.Timeout>()
  /** Jobs started by the watcher, for tests and the UI. */
  readonly started: Job[] = []
  /** Scans done so far, for tests. */
  scans = 0

  constructor(
    private readonly core: CoreContext,
    private readonly settleMs = 300,
  ) {}

  start(): void {
    for (const monitor of listMonitors(this.core)) if (!monitor.paused) this.watch(monitor)
  }

  watch(monitor: Monitor): void {
    this.unwatch(monitor.id)
    this.attach(monitor)
    this.schedule(monitor.id)
  }

  /** Starts the OS watch on the monitor's folder; a missing folder is looked for again later. */
  private attach(monitor: Monitor): void {
    const id = monitor.id
    const dir = watchedFolder(monitor)
    let watcher: fs.FSWatcher | null = null
    try {
      watcher = fs.watch(dir, { persistent: false }, () => this.schedule(id))
      // A watch that dies (its folder removed) is replaced by the next scan.
      watcher.on('error', () => this.schedule(id))
    } catch {
      // The folder is gone; scans keep looking for it.
    }
    this.watchers.set(id, { watcher, ino: folderInode(dir) })
  }

  unwatch(id: number): void {
    this.watchers.get(id)?.watcher?.close()
    this.watchers.delete(id)
    const t = this.timers.get(id)
    if (t) clearTimeout(t)
    this.timers.delete(id)
  }

  stop(): void {
    for (const id of [...this.watchers.keys(), ...this.timers.keys()]) this.unwatch(id)
  }

  /** Debounced scan: a file still being written changes size; wait until it settles. */
  private schedule(id: number, delayMs = this.settleMs): void {
    const t = this.timers.get(id)
    if (t) clearTimeout(t)
    const timer = setTimeout(() => {
      try {
        this.scan(id)
      } catch {
        // Runs from a timer, where a throw would take the app down; look again a little later.
        if (this.core.db.open) this.schedule(id, Math.max(this.settleMs * 4, 1000))
      }
    }, delayMs)
    timer.unref()
    this.timers.set(id, timer)
  }

  private scan(id: number): void {
    this.timers.delete(id)
    if (!this.core.db.open) return
    this.scans++
    let monitor: Monitor
    try {
      monitor = rowToMonitor(this.core, getMonitorRow(this.core, id))
    } catch {
      this.unwatch(id)
      return
    }
    // Paused by another process on this home since we started watching.
    if (monitor.paused) {
      this.unwatch(id)
      return
    }
    // The folder was deleted (and maybe made again): the old OS watch hears nothing any more.
    const watched = this.watchers.get(id)
    const ino = folderInode(watchedFolder(monitor))
    if (!watched || watched.ino !== ino || (ino !== null && !watched.watcher)) {
      watched?.watcher?.close()
      this.attach(monitor)
    }
    if (ino === null) {
      this.schedule(id, Math.max(this.settleMs * 4, 1000))
      return
    }
    const pending = pendingFiles(this.core, monitor)
    const settled = pending.filter((f) => {
      try {
        const s = fs.statSync(f.file)
        const quietMs = Date.now() - s.mtimeMs
        if (s.size !== f.size || quietMs < this.settleMs / 2) return false
        // A writer that paused leaves a file cut short; wait much longer before believing it.
        return looksComplete(f.file) || quietMs >= Math.max(this.settleMs * 20, 5000)
      } catch {
        return false
      }
    })
    if (settled.length < pending.length) this.schedule(id)
    for (const f of settled) {
      try {
        const job = runMonitorOnFile(this.core, monitor, f)
        if (job) this.started.push(job)
        // A folder watched for months must not grow this list without end.
        if (this.started.length > 1000) this.started.splice(0, this.started.length - 1000)
      } catch (error) {
        // A busy registry (another process writing) is not the file's fault: try again later.
        if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
          this.schedule(id)
          continue
        }
        try {
          this.core.db
            .prepare(
              `INSERT INTO drift_monitor_files (monitor_id, path, size, mtime_ms, run_id, error, seen_at) VALUES (?, ?, ?, ?, NULL, ?, ?)
               ON CONFLICT (monitor_id, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, run_id = NULL, error = excluded.error, seen_at = excluded.seen_at, claimed_by_pid = NULL`,
            )
            .run(
              id,
              f.file,
              f.size,
              f.mtimeMs,
              error instanceof Error ? error.message : String(error),
              new Date().toISOString(),
            )
        } catch {
          // Runs from a timer: throwing here would take the app down. The next scan retries.
          this.schedule(id)
        }
      }
    }
  }
}

/** A CSV ends with a line break, a Parquet file with its footer magic; anything else is cut. */
export function looksComplete(file: string): boolean {
  const fd = fs.openSync(file, 'r')
  try {
    const size = fs.fstatSync(fd).size
    const tail = Buffer.alloc(Math.min(4, size))
    fs.readSync(fd, tail, 0, tail.length, size - tail.length)
    if (/\.csv$/i.test(file)) return tail.at(-1) === 0x0a || tail.at(-1) === 0x0d
    return tail.toString('latin1') === 'PAR1'
  } finally {
    fs.closeSync(fd)
  }
}

const watchedFolder = (monitor: Monitor): string =>
  monitor.source.kind === 'folder' ? monitor.source.path : path.dirname(monitor.source.path)

function folderInode(dir: string): number | null {
  try {
    const s = fs.statSync(dir)
    return s.isDirectory() ? s.ino : null
  } catch {
    return null
  }
}

const watchersByCore = new WeakMap<CoreContext, MonitorWatcher>()
const watcherOf = (core: CoreContext): MonitorWatcher | undefined => watchersByCore.get(core)

/** Starts watching every monitor (Electron and web mode call this once after opening the home). */
export function startMonitors(core: CoreContext, settleMs?: number): MonitorWatcher {
  const existing = watchersByCore.get(core)
  if (existing) return existing
  const watcher = new MonitorWatcher(core, settleMs)
  watchersByCore.set(core, watcher)
  watcher.start()
  return watcher
}

export function stopMonitors(core: CoreContext): void {
  watchersByCore.get(core)?.stop()
  watchersByCore.delete(core)
  releaseInFlight(core)
}

export const parseSettings = (value: unknown): DriftSettings =>
  DriftSettingsSchema.parse(value ?? {})
