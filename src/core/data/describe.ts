// Describes a data file: format, rows and a profile per column — what an import records.
import path from 'node:path'
import type { ColumnProfile } from '../../api/datasets'
import { SlipwayError } from '../../api/errors'
import { hashFile } from '../artifacts/blobs'
import { detectFormat, loadTable, type DataFormat } from './load'
import { runTask } from '../jobs/run-task'
import { profileColumn } from './profile'
import { writeSnapshot } from './snapshot'
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
  // The helper profiles copies of its share while this thread writes the snapshot, then the rest.
  const profiles = startProfiles(table, fileName, {
    ...options,
    keepColumns: true,
    helperShare: 0.6,
  })
  let snapshot: { sha256: string; size: number }
  try {
    options.onProgress?.(800, 1000, `Writing the snapshot of ${fileName}`)
    snapshot = writeSnapshot(table, options.snapshotTmp)
  } catch (error) {
    profiles.abandon()
    throw error
  }
  const columns = await profiles.finish()
  return { format, rows: table.rowCount, columns, snapshot }
}

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
}

/** Profiles under way: `finish` profiles this thread's share and returns them all, in order. */
export interface ProfilesStarted {
  finish(): Promise<ColumnProfile[]>
  /** Stops the helper: for a caller that failed and will not ask for the profiles. */
  abandon(): void
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
  const elsewhere =
    away.size > 0
      ? runTask(
          'profile-columns',
          { columns: [...away] },
          { signal: stop.signal, inProcess: false, transfer: [...moved] },
        )
      : Promise.resolve([])
  const settled = elsewhere.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  const finish = async (): Promise<ColumnProfile[]> => {
    try {
      const here = new Map<Column, ColumnProfile>()
      let done = 0
      for (const column of table.columns) {
        if (away.has(column)) continue
        if (options.signal?.aborted) throw new SlipwayError('CANCELLED', `${fileName}: cancelled`)
        options.onProgress?.(
          800 + Math.round((done / Math.max(1, total)) * 200),
          1000,
          `Profiling ${column.name}`,
        )
        here.set(column, profileColumn(column))
        done++
      }
      const result = await settled
      if (!result.ok) throw result.error
      const fromHelper = new Map([...away].map((c, i) => [c, result.value[i]]))
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
    abandon: () => {
      stop.abort()
      options.signal?.removeEventListener('abort', stopHelper)
    },
  }
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
