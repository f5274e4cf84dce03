// Describes a data file: format, rows and a profile per column — what an import records.
import path from 'node:path'
import type { ColumnProfile } from '../../api/datasets'
import { SlipwayError } from '../../api/errors'
import { hashFile } from '../artifacts/blobs'
import { detectFormat, loadTable, type DataFormat } from './load'
import { profileTable } from './profile'

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
  const columns = profileTable(table, (done, total, name) => {
    if (options.signal?.aborted) throw new SlipwayError('CANCELLED', `${fileName}: cancelled`)
    options.onProgress?.(
      800 + Math.round((done / Math.max(1, total)) * 200),
      1000,
      `Profiling ${name}`,
    )
  })
  return { format, rows: table.rowCount, columns }
}

/** Hash, format, rows and profiles of a file. */
export async function describeDataset(
  file: string,
  options: DescribeOptions = {},
): Promise<DatasetDescription> {
  const { sha256, size } = await hashFile(file)
  return { sha256, size, ...(await describeFile(file, options)) }
}
