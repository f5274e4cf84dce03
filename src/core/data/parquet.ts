// Parquet into a column-oriented Table with hyparquet (pure JS), column chunk by column chunk: the
// fallback reader when DuckDB's native binding cannot load (parquet-duckdb.ts is ~10x faster).
// Parquet types map to Table kinds: integers, floats and decimals → numeric; BOOLEAN → boolean;
// DATE and TIMESTAMP → timestamp; strings → categorical or text by cardinality (the CSV rule);
// nested columns (lists, maps, structs) are refused with the column's name.
import fs from 'node:fs'
import { parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet'
import type { AsyncBuffer, ColumnData, FileMetaData, SchemaElement, SchemaTree } from 'hyparquet'
import { SlipwayError } from '../../api/errors'
import { isCategorical } from './csv'
import type { CodedColumn, Column, NumericColumn, Table, TimestampColumn } from './table'

export interface ParquetReadOptions {
  signal?: AbortSignal
  onProgress?: (done: number, total: number, message: string) => void
  columns?: string[]
  fileName?: string
}

type ParquetKind = 'numeric' | 'boolean' | 'timestamp' | 'string'

function kindOf(element: SchemaElement): ParquetKind | null {
  const logical = element.logical_type?.type
  const converted = element.converted_type
  if (
    logical === 'TIMESTAMP' ||
    logical === 'DATE' ||
    converted === 'DATE' ||
    converted === 'TIMESTAMP_MILLIS' ||
    converted === 'TIMESTAMP_MICROS'
  ) {
    return 'timestamp'
  }
  if (element.type === 'INT96') return 'timestamp'
  switch (element.type) {
    case 'BOOLEAN':
      return 'boolean'
    case 'INT32':
    case 'INT64':
    case 'FLOAT':
    case 'DOUBLE':
      return 'numeric'
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      if (logical === 'DECIMAL' || converted === 'DECIMAL') return 'numeric'
      if (logical === 'FLOAT16') return 'numeric'
      return 'string'
    default:
      return null
  }
}

function fileBuffer(fd: number, size: number): AsyncBuffer {
  return {
    byteLength: size,
    slice(start: number, end?: number): ArrayBuffer {
      const stop = end === undefined ? size : Math.min(end, size)
      const out = Buffer.alloc(Math.max(0, stop - start))
      let done = 0
      while (done < out.length) {
        const n = fs.readSync(fd, out, done, out.length - done, start + done)
        if (n === 0) break
        done += n
      }
      return out.buffer.slice(out.byteOffset, out.byteOffset + out.length) as ArrayBuffer
    },
  }
}

/** Where a numeric or time column's values go. */
interface NumberSink<K extends 'numeric' | 'timestamp'> {
  name: string
  kind: K
  values: Float64Array
  missing: Uint8Array
  missingCount: number
}
/** Where a boolean or string column's codes go. */
interface CodeSink<K extends 'boolean' | 'string'> {
  name: string
  kind: K
  codes: Int32Array
  dict: Map<string, number>
  categories: string[]
  missingCount: number
}
type Sink =
  NumberSink<'numeric'> | NumberSink<'timestamp'> | CodeSink<'boolean'> | CodeSink<'string'>

function toMillis(value: unknown): number {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'number') return value
  return NaN
}

function writeChunk(sink: Sink, chunk: ColumnData, fileName: string): void {
  const data = chunk.columnData as ArrayLike<unknown>
  const start = chunk.rowStart
  const n = chunk.rowEnd - chunk.rowStart
  if (sink.kind === 'numeric' || sink.kind === 'timestamp') {
    const { values, missing } = sink
    if (
      data instanceof Float64Array ||
      data instanceof Float32Array ||
      data instanceof Int32Array
    ) {
      values.set(data.subarray(0, n), start)
      return
    }
    for (let i = 0; i < n; i++) {
      const v = data[i]
      if (v === null || v === undefined) {
        values[start + i] = NaN
        missing[start + i] = 1
        sink.missingCount++
      } else if (sink.kind === 'timestamp') values[start + i] = toMillis(v)
      else if (typeof v === 'number') values[start + i] = v
      else if (typeof v === 'bigint') values[start + i] = Number(v)
      else
        throw new SlipwayError(
          'DATA_INVALID',
          `${fileName}: column "${sink.name}" holds a value that is not a number`,
        )
    }
    return
  }
  const { codes, dict, categories } = sink
  const boolean = sink.kind === 'boolean'
  for (let i = 0; i < n; i++) {
    const v = data[i]
    if (v === null || v === undefined) {
      codes[start + i] = -1
      sink.missingCount++
      continue
    }
    if (boolean) {
      codes[start + i] = v ? 1 : 0
      continue
    }
    const text =
      typeof v === 'string'
        ? v
        : v instanceof Uint8Array
          ? Buffer.from(v).toString('utf8')
          : String(v)
    let code = dict.get(text)
    if (code === undefined) {
      code = categories.length
      categories.push(text)
      dict.set(text, code)
    }
    codes[start + i] = code
  }
}

/** Reads a Parquet file into a Table. */
export async function readParquet(file: string, options: ParquetReadOptions = {}): Promise<Table> {
  const fileName = options.fileName ?? file.split(/[\\/]/).at(-1) ?? file
  const fd = fs.openSync(file, 'r')
  try {
    const size = fs.fstatSync(fd).size
    const buffer = fileBuffer(fd, size)
    let metadata: FileMetaData
    try {
      metadata = await parquetMetadataAsync(buffer)
    } catch (error) {
      throw new SlipwayError(
        'DATA_INVALID',
        `${fileName}: not a readable Parquet file (${error instanceof Error ? error.message : String(error)})`,
      )
    }
    const rowCount = Number(metadata.num_rows)
    const schema: SchemaTree = parquetSchema(metadata)
    const names = schema.children.map((c) => c.element.name)
    const wanted = options.columns ?? names
    for (const name of wanted) {
      if (!names.includes(name))
        throw new SlipwayError('DATA_INVALID', `${fileName}: no column named "${name}"`)
    }
    const sinks = new Map<string, Sink>()
    for (const child of schema.children) {
      if (!wanted.includes(child.element.name)) continue
      const kind = child.children.length > 0 ? null : kindOf(child.element)
      if (!kind) {
        if (options.columns)
          throw new SlipwayError(
            'DATA_INVALID',
            `${fileName}: column "${child.element.name}" is nested or of an unsupported type`,
          )
        continue // nested columns are left out when the whole file is read
      }
      const name = child.element.name
      sinks.set(
        name,
        kind === 'numeric' || kind === 'timestamp'
          ? {
              name,
              kind,
              values: new Float64Array(rowCount),
              missing: new Uint8Array(rowCount),
              missingCount: 0,
            }
          : {
              name,
              kind,
              codes: new Int32Array(rowCount),
              dict: new Map(),
              categories: kind === 'boolean' ? ['false', 'true'] : [],
              missingCount: 0,
            },
      )
    }
    if (rowCount === 0) throw new SlipwayError('DATA_INVALID', `${fileName}: the file has no rows`)
    const toRead = wanted.flatMap((name) => sinks.get(name) ?? [])
    const columnsToRead = toRead.map((sink) => sink.name)
    let done = 0
    const total = rowCount * Math.max(1, columnsToRead.length)
    await parquetRead({
      file: buffer,
      metadata,
      columns: columnsToRead,
      onChunk: (chunk) => {
        if (options.signal?.aborted)
          throw new SlipwayError('CANCELLED', `${fileName}: reading cancelled`)
        const sink = sinks.get(chunk.columnName)
        if (!sink) return
        writeChunk(sink, chunk, fileName)
        done += chunk.rowEnd - chunk.rowStart
        options.onProgress?.(done, total, `Reading ${fileName}`)
      },
    })
    // Null counts for columns copied in bulk: hyparquet gives typed arrays only when there are no nulls.
    const columns: Column[] = toRead.map((sink) => finish(sink, rowCount))
    return { rowCount, columns }
  } finally {
    fs.closeSync(fd)
  }
}

function finish(sink: Sink, rowCount: number): Column {
  if (sink.kind === 'numeric') {
    const column: NumericColumn = {
      name: sink.name,
      kind: 'numeric',
      values: sink.values,
      missing: sink.missing,
      missingCount: sink.missingCount,
    }
    return column
  }
  if (sink.kind === 'timestamp') {
    const column: TimestampColumn = {
      name: sink.name,
      kind: 'timestamp',
      values: sink.values,
      missing: sink.missing,
      missingCount: sink.missingCount,
    }
    return column
  }
  if (sink.kind === 'boolean') {
    const column: CodedColumn = {
      name: sink.name,
      kind: 'boolean',
      codes: sink.codes,
      categories: ['false', 'true'],
      missingCount: sink.missingCount,
    }
    return column
  }
  const categorical = isCategorical(sink.categories.length, rowCount - sink.missingCount)
  return {
    name: sink.name,
    kind: categorical ? 'categorical' : 'text',
    codes: sink.codes,
    categories: sink.categories,
    missingCount: sink.missingCount,
  }
}
