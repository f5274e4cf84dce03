// The one entry point every engine uses to read a data file: format detection and loadTable.
import fs from 'node:fs'
import path from 'node:path'
import { SlipwayError } from '../../api/errors'
import { verifyBlobFile } from '../artifacts/blobs'
import { readCsv } from './csv'
import { readCsvParallel } from './csv-parallel'
import { readParquet } from './parquet'
import { readSnapshot, type SnapshotRef } from './snapshot'
import { duckdbAvailable, readParquetWithDuckDB } from './parquet-duckdb'
import type { Table } from './table'

export type DataFormat = 'csv' | 'parquet'

export interface LoadTableOptions {
  format?: DataFormat
  signal?: AbortSignal
  onProgress?: (done: number, total: number, message: string) => void
  /** Read only these columns, in this order; a name not in the file is an error naming it. */
  columns?: string[]
  /** The name used in messages (an upload's original name); defaults to the file's base name. */
  fileName?: string
  /**
   * Parquet reader: DuckDB (native, measured ~10x faster) unless its binding cannot load, then
   * hyparquet (pure JS). Tests name one to compare them.
   */
  parquetEngine?: 'duckdb' | 'hyparquet'
  /**
   * CSV: read a large file on two threads (csv-parallel.ts; the same table) or on this one only.
   * Defaults to 2. `parallelBytes` lowers the size from which two are used (tests).
   */
  csvThreads?: 1 | 2
  parallelBytes?: number
  /**
   * The dataset's snapshot (its parsed table, snapshot.ts): read instead of the file when it is
   * there and its hash matches; otherwise the file is read as usual.
   */
  snapshot?: SnapshotRef
}

const PARQUET_MAGIC = Buffer.from('PAR1')

/**
 * Parquet when the file starts with the PAR1 magic (whatever its extension), else CSV. A file named
 * `.parquet` without the magic is refused rather than read as text.
 */
export function detectFormat(file: string, fileName = path.basename(file)): DataFormat {
  const head = Buffer.alloc(4)
  const fd = fs.openSync(file, 'r')
  let n: number
  try {
    n = fs.readSync(fd, head, 0, 4, 0)
  } finally {
    fs.closeSync(fd)
  }
  if (n === 4 && head.equals(PARQUET_MAGIC)) return 'parquet'
  if (/\.(parquet|pq)$/i.test(fileName)) {
    throw new SlipwayError(
      'DATA_INVALID',
      `${fileName}: not a Parquet file (it does not start with PAR1)`,
    )
  }
  return 'csv'
}

/** Reads a CSV or Parquet file into a column-oriented Table, in the calling thread. */
export async function loadTable(file: string, options: LoadTableOptions = {}): Promise<Table> {
  const fileName = options.fileName ?? path.basename(file)
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch {
    throw new SlipwayError('BAD_FILE', `${fileName}: no such file`)
  }
  if (!stat.isFile()) throw new SlipwayError('BAD_FILE', `${fileName}: is not a regular file`)
  if (stat.size === 0) throw new SlipwayError('DATA_INVALID', `${fileName}: the file is empty`)
  // A dataset read from the blob store for a run is checked against its hash first.
  await verifyBlobFile(file, `Dataset "${fileName}"`)
  // Its parsed table, when the import kept one that still hashes right: the file is checked all
  // the same (above), so a changed file is refused whether or not its snapshot is intact.
  if (options.snapshot) {
    options.onProgress?.(0, stat.size, `Reading ${fileName}`)
    const table = readSnapshot(options.snapshot, options.columns)
    if (table) {
      options.onProgress?.(stat.size, stat.size, `Read ${fileName}`)
      return table
    }
  }
  const format = options.format ?? detectFormat(file, fileName)
  const readOptions = {
    signal: options.signal,
    onProgress: options.onProgress,
    columns: options.columns,
    fileName,
  }
  if (format === 'csv')
    return options.csvThreads === 1
      ? readCsv(file, readOptions)
      : readCsvParallel(file, { ...readOptions, parallelBytes: options.parallelBytes })
  // DuckDB reads a path with * ? [ as a glob pattern: such (rare) paths go to hyparquet.
  const engine =
    options.parquetEngine ??
    (!/[*?[]/.test(file) && (await duckdbAvailable()) ? 'duckdb' : 'hyparquet')
  return engine === 'duckdb'
    ? readParquetWithDuckDB(file, readOptions)
    : readParquet(file, readOptions)
}

export type { DatasetDescription } from './describe'
