// Parquet into a Table with DuckDB (native). Chosen by measurement (bench/ingest.bench.ts): on the
// 1M x 31 bench file DuckDB reads in about 0.5 s where hyparquet (pure JS) takes about 6 s.
// hyparquet stays as the fallback when DuckDB's native binding cannot load (see load.ts).
//
// Types: integers, floats, decimals → numeric; BOOLEAN → boolean; DATE and TIMESTAMP (any unit,
// with or without time zone) → timestamp in epoch milliseconds; VARCHAR, ENUM, UUID, TIME →
// categorical or text by cardinality (the CSV rule); nested and binary columns are left out of a
// whole-file read and refused when named.
import { SlipwayError } from '../../api/errors'
import { isCategorical } from './csv'
import type { CodedColumn, Column, Table } from './table'

export interface DuckParquetOptions {
  signal?: AbortSignal
  onProgress?: (done: number, total: number, message: string) => void
  columns?: string[]
  fileName: string
}

type Kind = 'numeric' | 'boolean' | 'timestamp' | 'string'

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\s*\d+\))$/
const TIMESTAMP = /^(DATE|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE)$/
const STRING = /^(VARCHAR|UUID|TIME|ENUM\(.*\))$/s

function kindOf(type: string): Kind | null {
  if (NUMERIC.test(type)) return 'numeric'
  if (type === 'BOOLEAN') return 'boolean'
  if (TIMESTAMP.test(type)) return 'timestamp'
  if (STRING.test(type)) return 'string'
  return null
}

const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`
const quoteString = (text: string): string => `'${text.replace(/'/g, "''")}'`

function selectExpression(name: string, kind: Kind, type: string): string {
  const id = quoteIdentifier(name)
  if (kind === 'numeric' || kind === 'boolean') return `CAST(${id} AS DOUBLE)`
  if (kind === 'timestamp')
    return type === 'DATE'
      ? `CAST(epoch_ms(CAST(${id} AS TIMESTAMP)) AS DOUBLE)`
      : `CAST(epoch_ms(${id}) AS DOUBLE)`
  return `CAST(${id} AS VARCHAR)`
}

interface VectorLike {
  getItem(index: number): unknown
}

/**
 * DuckDB's DOUBLE vectors hold their values in a Float64Array and their null mask as 64-bit words;
 * both are private fields of @duckdb/node-api (pinned version). Reading them directly is ~20x
 * faster than getItem per value; when the shape is not what we expect, getItem is used instead.
 */
function doubleItems(vector: unknown): { items: Float64Array; nullMask: Uint8Array | null } | null {
  const v = vector as { items?: unknown; validity?: { data?: unknown; offset?: unknown } }
  if (!(v.items instanceof Float64Array) || !v.validity || v.validity.offset !== 0) return null
  const data = v.validity.data
  if (data === null) return { items: v.items, nullMask: null }
  if (data instanceof BigUint64Array)
    return {
      items: v.items,
      nullMask: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    }
  return null
}

interface Sink {
  name: string
  kind: Kind
  /** The column's DuckDB type. */
  type: string
  values: Float64Array
  missing: Uint8Array
  codes: Int32Array
  dict: Map<string, number>
  categories: string[]
  missingCount: number
}

let available: Promise<boolean> | undefined

/** False when DuckDB's native binding cannot be loaded on this machine. */
export function duckdbAvailable(): Promise<boolean> {
  available ??= import('@duckdb/node-api').then(
    () => true,
    () => false,
  )
  return available
}

export async function readParquetWithDuckDB(
  file: string,
  options: DuckParquetOptions,
): Promise<Table> {
  const { fileName } = options
  const { DuckDBInstance } = await import('@duckdb/node-api')
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' })
  const connection = await instance.connect()
  const source = `read_parquet(${quoteString(file)})`
  const fail = (error: unknown): never => {
    if (error instanceof SlipwayError) throw error
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new SlipwayError('DATA_INVALID', `${fileName}: not a readable Parquet file (${message})`)
  }
  try {
    const schema = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`).catch(fail)
    const described = schema.getRows().map((r) => ({ name: String(r[0]), type: String(r[1]) }))
    const count = await connection.runAndReadAll(`SELECT COUNT(*) FROM ${source}`).catch(fail)
    const [countRow] = count.getRows()
    const rowCount = Number(countRow?.[0] ?? 0)
    const types = new Map(described.map((d) => [d.name, d.type]))
    const columns = (options.columns ?? described.map((d) => d.name)).map((name) => {
      const type = types.get(name)
      if (type === undefined)
        throw new SlipwayError('DATA_INVALID', `${fileName}: no column named "${name}"`)
      return { name, type }
    })
    const sinks: Sink[] = []
    for (const { name, type } of columns) {
      const kind = kindOf(type)
      if (!kind) {
        if (options.columns)
          throw new SlipwayError(
            'DATA_INVALID',
            `${fileName}: column "${name}" has type ${type}, which Slipway cannot use`,
          )
        continue
      }
      const numbers = kind !== 'string'
      sinks.push({
        name,
        kind,
        type,
        values: new Float64Array(numbers ? rowCount : 0),
        missing: new Uint8Array(numbers ? rowCount : 0),
        codes: new Int32Array(kind === 'numeric' || kind === 'timestamp' ? 0 : rowCount),
        dict: new Map(),
        categories: [],
        missingCount: 0,
      })
    }
    if (rowCount === 0) throw new SlipwayError('DATA_INVALID', `${fileName}: the file has no rows`)
    if (sinks.length === 0)
      throw new SlipwayError('DATA_INVALID', `${fileName}: no column of a type Slipway can use`)
    const sql = `SELECT ${sinks.map((s) => selectExpression(s.name, s.kind, s.type)).join(', ')} FROM ${source}`
    const result = await connection.stream(sql).catch(fail)
    let row = 0
    for (;;) {
      if (options.signal?.aborted)
        throw new SlipwayError('CANCELLED', `${fileName}: reading cancelled`)
      const chunk = await result.fetchChunk().catch(fail)
      if (!chunk || chunk.rowCount === 0) break
      const n = chunk.rowCount
      if (row + n > rowCount)
        throw new SlipwayError(
          'DATA_INVALID',
          `${fileName}: more rows than the file's metadata says`,
        )
      for (const [c, sink] of sinks.entries()) {
        const vector = chunk.getColumnVector(c) as unknown as VectorLike
        if (sink.kind === 'string') {
          for (let i = 0; i < n; i++) {
            const v = vector.getItem(i)
            if (v === null || v === undefined) {
              sink.codes[row + i] = -1
              sink.missingCount++
              continue
            }
            const text = String(v)
            let code = sink.dict.get(text)
            if (code === undefined) {
              code = sink.categories.length
              sink.categories.push(text)
              sink.dict.set(text, code)
            }
            sink.codes[row + i] = code
          }
          continue
        }
        const fast = doubleItems(vector)
        const values = sink.values
        const missing = sink.missing
        const mask = fast?.nullMask
        if (fast && !mask) values.set(fast.items.subarray(0, n), row)
        else {
          // Here `fast` has a null mask, or there is no fast path at all.
          for (let i = 0; i < n; i++) {
            const isNull = mask
              ? (((mask[i >> 3] ?? 0) >> (i & 7)) & 1) === 0
              : vector.getItem(i) === null
            if (isNull) {
              values[row + i] = NaN
              missing[row + i] = 1
              sink.missingCount++
            } else values[row + i] = fast ? (fast.items[i] ?? NaN) : Number(vector.getItem(i))
          }
        }
      }
      row += n
      options.onProgress?.(row, rowCount, `Reading ${fileName}`)
    }
    if (row !== rowCount)
      throw new SlipwayError(
        'DATA_INVALID',
        `${fileName}: ${row} rows read, the file's metadata says ${rowCount}`,
      )
    return { rowCount, columns: sinks.map((s) => finish(s, rowCount)) }
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

function finish(sink: Sink, rowCount: number): Column {
  if (sink.kind === 'numeric' || sink.kind === 'timestamp') {
    return {
      name: sink.name,
      kind: sink.kind,
      values: sink.values,
      missing: sink.missing,
      missingCount: sink.missingCount,
    }
  }
  if (sink.kind === 'boolean') {
    const codes = new Int32Array(rowCount)
    for (let i = 0; i < rowCount; i++)
      codes[i] = sink.missing[i] ? -1 : sink.values[i] === 0 ? 0 : 1
    const column: CodedColumn = {
      name: sink.name,
      kind: 'boolean',
      codes,
      categories: ['false', 'true'],
      missingCount: sink.missingCount,
    }
    return column
  }
  const kind = isCategorical(sink.categories.length, rowCount - sink.missingCount)
    ? 'categorical'
    : 'text'
  return {
    name: sink.name,
    kind,
    codes: sink.codes,
    categories: sink.categories,
    missingCount: sink.missingCount,
  }
}
