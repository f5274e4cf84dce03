// A large CSV read on two cores: the body is split at a line boundary near its middle, the second
// half read by a worker thread while this thread reads the first, and the columns joined.
//
// The split is only taken when it is safe and the result is the one a single read gives:
// - The first half must hold no quote byte (else the split could fall inside a quoted field);
//   its reader throws QuoteInPart on the first one, and the file is read in one piece instead.
// - Each half is read with every rule. Any error in either half (a ragged row, a cell that is not
//   a number, a bad date) is left to the single read, so messages name the right row and line.
// - The halves' columns must agree in kind (both numeric, both boolean, …); text columns join
//   their dictionaries in order of first appearance and are classed again (categorical or text)
//   on the whole. When the kinds differ (a column of dates in one half only), the file is read in
//   one piece.
import fs from 'node:fs'
import { SlipwayError, isSlipwayError } from '../../api/errors'
import { runTask } from '../jobs/run-task'
import {
  isCategorical,
  QuoteInPart,
  readCsv,
  readCsvHeader,
  readCsvPart,
  type CsvHeader,
  type CsvReadOptions,
} from './csv'
import type { CodedColumn, Column, Table } from './table'

/** Files from this size are read in two threads: below it a worker's start costs more than it saves. */
export const PARALLEL_CSV_BYTES = 32 << 20
const LF = 10

export interface CsvPartPayload {
  path: string
  fileName: string
  header: CsvHeader
  from: number
  to: number
  columns?: string[]
}

/** The worker's half: rows of bytes [from, to). */
export const readCsvPartTask = (p: CsvPartPayload): Table =>
  readCsvPart(
    p.path,
    p.header,
    { from: p.from, to: p.to, refuseQuotes: false },
    { fileName: p.fileName, columns: p.columns },
  )

/** The offset just after the first line end at or after `at`, or null within the next 1 MiB. */
function lineBoundaryAfter(file: string, at: number, end: number): number | null {
  const fd = fs.openSync(file, 'r')
  try {
    const window = Buffer.alloc(Math.min(1 << 20, end - at))
    const n = fs.readSync(fd, window, 0, window.length, at)
    const lf = window.subarray(0, n).indexOf(LF)
    return lf < 0 ? null : at + lf + 1
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Reads a CSV file into a Table, on two threads when it is at least `parallelBytes` long;
 * exactly the table (or the error) that readCsv gives.
 */
export async function readCsvParallel(
  file: string,
  options: CsvReadOptions & { parallelBytes?: number } = {},
): Promise<Table> {
  const size = fs.statSync(file).size
  if (size < (options.parallelBytes ?? PARALLEL_CSV_BYTES)) return readCsv(file, options)
  return (await readCsvInTwo(file, size, options)) ?? readCsv(file, options)
}

/**
 * The file read in two halves and joined, or null when that cannot give readCsv's answer (a
 * quote in the first half, an error in either, kinds that differ): the caller reads it in one.
 */
export async function readCsvInTwo(
  file: string,
  size: number,
  options: CsvReadOptions = {},
): Promise<Table | null> {
  const fileName = options.fileName ?? file.split(/[\\/]/).pop() ?? file
  const header = readCsvHeader(file, fileName)
  const split = lineBoundaryAfter(
    file,
    header.bodyStart + Math.floor((size - header.bodyStart) / 2),
    size,
  )
  if (split === null || split >= size) return null
  const stop = new AbortController()
  const stopSecond = (): void => stop.abort()
  options.signal?.addEventListener('abort', stopSecond, { once: true })
  const second = runTask(
    'csv-part',
    { path: file, fileName, header, from: split, to: size, columns: options.columns },
    { signal: stop.signal },
  ).then(
    (table) => ({ ok: true as const, table }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  try {
    // Let the worker start before this thread is busy with its half.
    await new Promise((resolve) => setImmediate(resolve))
    let first: Table
    try {
      first = readCsvPart(
        file,
        header,
        { from: header.bodyStart, to: split, refuseQuotes: true, roomFor: size - header.bodyStart },
        {
          ...options,
          fileName,
          // This half is about half the work: its progress stands for the whole read's.
          onProgress: (done, total, message) =>
            options.onProgress?.(
              Math.round(
                ((done - header.bodyStart) / Math.max(1, total - header.bodyStart)) * size,
              ),
              size,
              message,
            ),
        },
      )
    } catch (error) {
      stop.abort()
      await second
      if (isSlipwayError(error) && error.code === 'CANCELLED') throw error
      if (error instanceof QuoteInPart || isSlipwayError(error)) return null
      throw error
    }
    const rest = await second
    if (options.signal?.aborted)
      throw new SlipwayError('CANCELLED', `${fileName}: reading cancelled`)
    return rest.ok ? joinParts(first, rest.table) : null
  } finally {
    options.signal?.removeEventListener('abort', stopSecond)
  }
}

/** Makes typed arrays of one kind: a new one of `n` elements, or a view of `n` on a buffer. */
interface ArrayKind<T> {
  make(n: number): T
  view(buffer: ArrayBufferLike, byteOffset: number, n: number): T
}
const F64: ArrayKind<Float64Array> = {
  make: (n) => new Float64Array(n),
  view: (buffer, offset, n) => new Float64Array(buffer, offset, n),
}
const U8: ArrayKind<Uint8Array> = {
  make: (n) => new Uint8Array(n),
  view: (buffer, offset, n) => new Uint8Array(buffer, offset, n),
}
const I32: ArrayKind<Int32Array> = {
  make: (n) => new Int32Array(n),
  view: (buffer, offset, n) => new Int32Array(buffer, offset, n),
}

/** `b` after `a`: in the room after `a` in its buffer when there is enough, else in a new array. */
function concat<T extends Float64Array | Int32Array | Uint8Array>(
  a: T,
  b: T,
  kind: ArrayKind<T>,
): T {
  const n = a.length + b.length
  const room = (a.buffer.byteLength - a.byteOffset) / a.BYTES_PER_ELEMENT
  let out: T
  if (room >= n) out = kind.view(a.buffer, a.byteOffset, n)
  else {
    out = kind.make(n)
    out.set(a)
  }
  out.set(b, a.length)
  return out
}

/** The columns of two consecutive parts as one table, or null when a column's kinds differ. */
export function joinParts(a: Table, b: Table): Table | null {
  if (a.columns.length !== b.columns.length) return null
  const rowCount = a.rowCount + b.rowCount
  const columns: Column[] = []
  for (let i = 0; i < a.columns.length; i++) {
    const x = a.columns[i]
    const y = b.columns[i]
    if (!x || !y || x.name !== y.name) return null
    const missingCount = x.missingCount + y.missingCount
    if (
      (x.kind === 'numeric' && y.kind === 'numeric') ||
      (x.kind === 'timestamp' && y.kind === 'timestamp')
    ) {
      columns.push({
        ...x,
        values: concat(x.values, y.values, F64),
        missing: concat(x.missing, y.missing, U8),
        missingCount,
      })
    } else if (x.kind === 'boolean' && y.kind === 'boolean') {
      columns.push({
        ...x,
        codes: concat(x.codes, y.codes, I32),
        missingCount,
      })
    } else if (
      (x.kind === 'categorical' || x.kind === 'text') &&
      (y.kind === 'categorical' || y.kind === 'text')
    ) {
      columns.push(joinText(x, y, rowCount, missingCount))
    } else return null
  }
  return { rowCount, columns }
}

/** Two parts' dictionaries as one, in order of first appearance; classed again on the whole. */
function joinText(
  x: CodedColumn,
  y: CodedColumn,
  rowCount: number,
  missingCount: number,
): CodedColumn {
  const categories = [...x.categories]
  const index = new Map(categories.map((c, i) => [c, i]))
  const remap = Int32Array.from(y.categories, (c) => {
    let code = index.get(c)
    if (code === undefined) {
      code = categories.length
      categories.push(c)
      index.set(c, code)
    }
    return code
  })
  const codes = new Int32Array(rowCount)
  codes.set(x.codes)
  const offset = x.codes.length
  for (let j = 0; j < y.codes.length; j++) {
    const code = y.codes[j] ?? -1
    codes[offset + j] = code < 0 ? -1 : (remap[code] ?? -1)
  }
  return {
    name: x.name,
    kind: isCategorical(categories.length, rowCount - missingCount) ? 'categorical' : 'text',
    codes,
    categories,
    missingCount,
  }
}
