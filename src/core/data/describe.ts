// Describes a data file: format, rows and a profile per column — what an import records.
import path from 'node:path'
import type { ColumnProfile } from '../../api/datasets'
import { SlipwayError } from '../../api/errors'
import { hashFile } from '../artifacts/blobs'
import { detectFormat, loadTable, type DataFormat } from './load'
import { runTask } from '../jobs/run-task'
import { profileColumn } from './profile'
import type { Column, Table } from './table'

export interface DatasetDescription {
  sha256: string
  size: number
  format: DataFormat
  rows: number
  columns: ColumnProfile[]
}

export interface DescribeOptions {
  fileName?: string
  signal?: AbortSignal
  onProgress?: (done: number, total: number, message: string) => void
  /** Numeric cells from which a second thread profiles half the columns (tests set it low). */
  parallelProfileCells?: number
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
  const columns = await profileColumns(table, fileName, options)
  return { format, rows: table.rowCount, columns }
}

/** Tables of at least this many numeric cells profile half their columns in a second thread. */
const PARALLEL_PROFILE_CELLS = 4_000_000

/**
 * Profiles every column; a large table's numeric columns (a sort each) are shared with a second
 * worker thread, so the import's profile costs about half its single-thread time on two cores.
 */
async function profileColumns(
  table: Table,
  fileName: string,
  options: DescribeOptions,
): Promise<ColumnProfile[]> {
  const total = table.columns.length
  const heavy = table.columns.filter((c) => c.kind === 'numeric' || c.kind === 'timestamp')
  const away = new Set<Column>()
  if (
    heavy.length >= 2 &&
    heavy.length * table.rowCount >= (options.parallelProfileCells ?? PARALLEL_PROFILE_CELLS)
  )
    heavy.forEach((c, i) => {
      if (i % 2 === 1) away.add(c)
    })
  // The helper's columns are moved to it, not copied: this thread profiles only the others.
  const moved = new Set<ArrayBuffer>()
  for (const c of away) {
    if (c.kind !== 'numeric' && c.kind !== 'timestamp') continue
    for (const a of [c.values, c.missing]) if (a.buffer instanceof ArrayBuffer) moved.add(a.buffer)
  }
  const elsewhere =
    away.size > 0
      ? runTask(
          'profile-columns',
          { columns: [...away] },
          { signal: options.signal, inProcess: false, transfer: [...moved] },
        )
      : Promise.resolve([])
  // Started first: the helper copies its columns and profiles them while this thread does the rest.
  const settled = elsewhere.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
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
}

/** Hash, format, rows and profiles of a file. */
export async function describeDataset(
  file: string,
  options: DescribeOptions = {},
): Promise<DatasetDescription> {
  const { sha256, size } = await hashFile(file)
  return { sha256, size, ...(await describeFile(file, options)) }
}
