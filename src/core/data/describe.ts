// Describes a data file: format, rows and a profile per column — what an import records.
import path from 'node:path'
import type { ColumnProfile } from '../../api/datasets'
import { SlipwayError } from '../../api/errors'
import { hashFile } from '../artifacts/blobs'
import { detectFormat, loadTable, type DataFormat } from './load'
import { runTask } from '../jobs/run-task'
import { KeyScratch } from '../numeric'
import { profileColumn } from './profile'
import {
  createSnapshotFile,
  finishSnapshot,
  snapshotLayout,
  writeSnapshotColumns,
  type SnapshotLayout,
} from './snapshot'
import type { Column, Table } from './table'

export interface DatasetDescription {
  sha256: string
  size: number
  format: DataFormat
  rows: number
  columns: ColumnProfile[]
  /** The snapshot written to `snapshotTmp`, when asked for. */
  snapshot?: { sha256: string; size: number }
}

export interface DescribeOptions {
  fileName?: string
  signal?: AbortSignal
  onProgress?: (done: number, total: number, message: string) => void
  /** Numeric cells from which a second thread profiles half the columns (tests set it low). */
  parallelProfileCells?: number
  /** Also write the table's snapshot (snapshot.ts) to this new file. */
  snapshotTmp?: string
}

/** Reads and profiles a file in the calling thread (the import job runs it in a worker). */
export async function describeFile(
  file: string,
  options: DescribeOptions = {},
): Promise<Omit<DatasetDescription, 'sha256' | 'size'>> {
  const fileName = options.fileName ?? path.basename(file)
  const format = detectFormat(file, fileName)
  // Reading is most of the work; profiling (a sort per column) is given the last fifth.
  const table = await loadTable(file, {
    format,
    fileName,
    signal: options.signal,
    onProgress: (done, total, message) =>
      options.onProgress?.(Math.round((done / Math.max(1, total)) * 800), 1000, message),
  })
  if (!options.snapshotTmp) {
    const columns = await profileColumns(table, fileName, options)
    return { format, rows: table.rowCount, columns }
  }
  // Each thread writes its own columns into the snapshot, then profiles them: no copies, and
  // the writing is shared by both threads like the profiling.
  const layout = snapshotLayout(table)
  createSnapshotFile(options.snapshotTmp, layout)
  options.onProgress?.(800, 1000, `Writing the snapshot of ${fileName}`)
  const profiles = startProfiles(table, fileName, {
    ...options,
    snapshot: { path: options.snapshotTmp, layout },
  })
  const columns = await profiles.finish()
  const snapshot = finishSnapshot(options.snapshotTmp, layout, profiles.snapshotEntries())
  return { format, rows: table.rowCount, columns, snapshot }
}

/** A claim on a column in ProfileColumnsPayload.claims: taken by the helper, or by its caller. */
export const HELPER = 1
const CALLER = 2

/** Tables of at least this many numeric cells profile part of their columns in a second thread. */
const PARALLEL_PROFILE_CELLS = 4_000_000

export interface ProfileOptions extends DescribeOptions {
  /**
   * The caller still needs the columns (a run that imports its file evaluates them): the helper
   * gets copies. Otherwise they are moved to it and unusable here afterwards.
   */
  keepColumns?: boolean
  /**
   * The share of the numeric columns the helper profiles (default a half). A run that profiles
   * while it evaluates gives the helper more: this thread takes its share only afterwards.
   */
  helperShare?: number
  /**
   * Also write the table's snapshot into this created file (snapshot.ts): each thread writes its
   * own columns' sections before profiling them; `snapshotEntries` then has every entry.
   */
  snapshot?: { path: string; layout: SnapshotLayout }
}

/** Profiles under way: `finish` profiles this thread's share and returns them all, in order. */
export interface ProfilesStarted {
  finish(): Promise<ColumnProfile[]>
  /** After `finish`: each section's trailer entry in file order, when a snapshot was written. */
  snapshotEntries(): Uint8Array[]
  /** Stops the helper: for a caller that failed and will not ask for the profiles. */
  abandon(): void
  /** After `finish`: how many of the helper's columns each thread profiled. */
  helperColumns(): { byHelper: number; byCaller: number }
}

/**
 * Starts profiling every column: a large table's numeric columns (a sort each) are shared with a
 * second worker thread, which starts at once; this thread profiles its own share when `finish`
 * is called. An import calls it at once (about half the single-thread time on two cores); a run
 * that imports its file starts it before its model runs, so the helper profiles meanwhile.
 */
export function startProfiles(
  table: Table,
  fileName: string,
  options: ProfileOptions = {},
): ProfilesStarted {
  const total = table.columns.length
  const heavy = table.columns.filter((c) => c.kind === 'numeric' || c.kind === 'timestamp')
  const away = new Set<Column>()
  const share = Math.min(1, Math.max(0, options.helperShare ?? 0.5))
  if (
    heavy.length >= 2 &&
    heavy.length * table.rowCount >= (options.parallelProfileCells ?? PARALLEL_PROFILE_CELLS)
  )
    // Spread over the table: column i goes when the running share passes a whole column.
    heavy.forEach((c, i) => {
      if (Math.floor((i + 1) * share) > Math.floor(i * share)) away.add(c)
    })
  // Moved to the helper, not copied, unless the caller keeps using them.
  const moved = new Set<ArrayBuffer>()
  if (!options.keepColumns)
    for (const c of away) {
      if (c.kind !== 'numeric' && c.kind !== 'timestamp') continue
      for (const a of [c.values, c.missing])
        if (a.buffer instanceof ArrayBuffer) moved.add(a.buffer)
    }
  const stop = new AbortController()
  const stopHelper = (): void => stop.abort()
  options.signal?.addEventListener('abort', stopHelper, { once: true })
  const snapshot = options.snapshot
  const offsetsOf = new Map(table.columns.map((c, i) => [c, snapshot?.layout.offsets[i] ?? []]))
  const entriesOf = new Map<Column, Uint8Array[]>()
  let helperStarted = (): void => {}
  const started = new Promise<void>((resolve) => (helperStarted = resolve))
  const awayList = [...away]
  // A caller that keeps its columns can also profile the helper's: the two take them by claims,
  // the helper from the first, this thread from the last once its own share is done, so neither
  // waits on the other when the helper started late or the run's own work took long.
  const claims = options.keepColumns
    ? new Int32Array(new SharedArrayBuffer(4 * Math.max(1, away.size)))
    : undefined
  const elsewhere =
    away.size > 0
      ? runTask(
          'profile-columns',
          {
            columns: awayList,
            ...(claims ? { claims } : {}),
            ...(snapshot
              ? {
                  snapshot: {
                    path: snapshot.path,
                    offsets: [...away].map((c) => offsetsOf.get(c) ?? []),
                  },
                }
              : {}),
          },
          {
            signal: stop.signal,
            inProcess: false,
            transfer: [...moved],
            onStart: helperStarted,
          },
        )
      : Promise.resolve({ profiles: [] as (ColumnProfile | null)[], entries: [] })
  const settled = elsewhere.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  const finish = async (): Promise<ColumnProfile[]> => {
    try {
      // This thread's share is synchronous: the helper must exist first, or it only starts
      // once this share is done (the two shares would run one after the other).
      if (away.size > 0) await Promise.race([started, settled])
      const mine = table.columns.filter((c) => !away.has(c))
      const written = writeAndProfile(
        mine,
        snapshot && { path: snapshot.path, offsets: mine.map((c) => offsetsOf.get(c) ?? []) },
        (column, i) => {
          if (options.signal?.aborted)
            throw new SlipwayError('CANCELLED', `${fileName}: cancelled`)
          options.onProgress?.(
            800 + Math.round((i / Math.max(1, total)) * 200),
            1000,
            `Profiling ${column.name}`,
          )
        },
      )
      const here = new Map(mine.map((c, i) => [c, written.profiles[i]]))
      mine.forEach((c, i) => entriesOf.set(c, written.entries[i] ?? []))
      if (claims) {
        // The helper's columns from the last: each one this thread claims first is its own.
        const fromLast = [...awayList].reverse()
        const taken = writeAndProfile(
          fromLast,
          snapshot && { path: snapshot.path, offsets: fromLast.map((c) => offsetsOf.get(c) ?? []) },
          (column) => {
            if (options.signal?.aborted)
              throw new SlipwayError('CANCELLED', `${fileName}: cancelled`)
            options.onProgress?.(950, 1000, `Profiling ${column.name}`)
          },
          (i) => Atomics.compareExchange(claims, awayList.length - 1 - i, 0, CALLER) === 0,
        )
        fromLast.forEach((c, i) => {
          const profile = taken.profiles[i]
          if (!profile) return
          here.set(c, profile)
          entriesOf.set(c, taken.entries[i] ?? [])
        })
      }
      const result = await settled
      if (!result.ok) throw result.error
      const fromHelper = new Map(awayList.map((c, i) => [c, result.value.profiles[i]]))
      awayList.forEach((c, i) => {
        if (!claims || claims[i] === HELPER) entriesOf.set(c, result.value.entries[i] ?? [])
      })
      return table.columns.map((c) => {
        const profile = here.get(c) ?? fromHelper.get(c)
        if (!profile)
          throw new SlipwayError('INTERNAL', `${fileName}: column ${c.name} was not profiled`)
        return profile
      })
    } finally {
      stop.abort()
      options.signal?.removeEventListener('abort', stopHelper)
    }
  }
  return {
    finish,
    snapshotEntries: () => table.columns.flatMap((c) => entriesOf.get(c) ?? []),
    helperColumns: () => {
      const byCaller = claims ? claims.filter((c) => c === CALLER).length : 0
      return { byHelper: away.size - byCaller, byCaller }
    },
    abandon: () => {
      stop.abort()
      options.signal?.removeEventListener('abort', stopHelper)
    },
  }
}

/**
 * Profiles columns in this thread, one after the other; with `snapshot`, each column's sections
 * are written first (their trailer entries returned per column), and the profile takes the keys
 * the writing computed (KeyScratch) instead of computing them again. `each` runs before each
 * column (progress; it may throw to cancel).
 */
export function writeAndProfile(
  columns: Column[],
  snapshot: { path: string; offsets: number[][] } | undefined,
  each?: (column: Column, index: number) => void,
  /** Whether this thread may take column i (shared claims); skipped ones are null. */
  claim?: (index: number) => boolean,
): { profiles: (ColumnProfile | null)[]; entries: Uint8Array[][] } {
  const scratch = new KeyScratch()
  const profiles: (ColumnProfile | null)[] = []
  const entries: Uint8Array[][] = []
  columns.forEach((column, i) => {
    if (claim && !claim(i)) {
      profiles.push(null)
      entries.push([])
      return
    }
    each?.(column, i)
    if (snapshot)
      entries.push(
        writeSnapshotColumns(snapshot.path, [column], [snapshot.offsets[i] ?? []], scratch)[0] ??
          [],
      )
    profiles.push(profileColumn(column, scratch))
  })
  return { profiles, entries }
}

/** Profiles every column (see startProfiles): the columns a helper profiles are moved to it. */
const profileColumns = (
  table: Table,
  fileName: string,
  options: DescribeOptions,
): Promise<ColumnProfile[]> => startProfiles(table, fileName, options).finish()

/** Hash, format, rows and profiles of a file. */
export async function describeDataset(
  file: string,
  options: DescribeOptions = {},
): Promise<DatasetDescription> {
  const { sha256, size } = await hashFile(file)
  return { sha256, size, ...(await describeFile(file, options)) }
}
