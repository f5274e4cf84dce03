// Ingest benchmark on one generated file of 1,000,000 rows x 30 float features + label: Slipway's
// CSV reader against pandas read_csv (and DuckDB, the other engine considered); Parquet with DuckDB
// (Slipway's reader) against hyparquet (its fallback). Prints rows/s, MB/s, ratio, peak memory.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { DuckDBInstance } from '@duckdb/node-api'
import { loadTable } from '../src/core/data/load'
import { profileTable } from '../src/core/data/profile'
import { csvFile, dataDir, FEATURES, generateCsv, ROWS } from './data'
import { goal } from './goals'

const REPEATS = 3
const parquetFile = csvFile.replace(/\.csv$/, '.parquet')

const gc = (): void => (globalThis as { gc?: () => void }).gc?.()
const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024

async function best(label: string, fn: () => Promise<number>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < REPEATS; i++) {
    gc()
    const start = performance.now()
    const rows = await fn()
    times.push((performance.now() - start) / 1000)
    if (rows !== ROWS) throw new Error(`${label}: read ${rows} rows, expected ${ROWS}`)
  }
  return Math.min(...times)
}

function pandasSeconds(): number {
  const code = `
import time, pandas as pd
best = None
for _ in range(${REPEATS}):
    t = time.perf_counter()
    df = pd.read_csv(${JSON.stringify(csvFile)})
    e = time.perf_counter() - t
    assert len(df) == ${ROWS}
    best = e if best is None else min(best, e)
    del df
print(best)
`
  const run = spawnSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`pandas failed: ${run.stderr}`)
  return Number(run.stdout.trim())
}

async function duckdbToArrays(sql: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  const result = await connection.stream(sql)
  const columns = Array.from({ length: result.columnCount }, () => new Float64Array(ROWS))
  let row = 0
  for (;;) {
    const chunk = await result.fetchChunk()
    if (!chunk || chunk.rowCount === 0) break
    for (let c = 0; c < columns.length; c++) {
      // DuckDB's own fastest path: DOUBLE vectors expose their Float64Array (a private field).
      const items = (chunk.getColumnVector(c) as unknown as { items?: unknown }).items
      const out = columns[c]!
      if (items instanceof Float64Array) {
        out.set(items.subarray(0, chunk.rowCount), row)
        continue
      }
      const values = chunk.getColumnValues(c)
      for (let i = 0; i < values.length; i++) out[row + i] = Number(values[i])
    }
    row += chunk.rowCount
  }
  connection.closeSync()
  instance.closeSync()
  return row
}

/** A file of `rows` rows × `cols` numeric columns, made once. */
function wideCsv(rows: number, cols: number): string {
  const file = `${dataDir}/wide-v1-${rows}x${cols}.csv`
  if (fs.existsSync(file)) return file
  const lines = [Array.from({ length: cols }, (_, j) => `c${j}`).join(',')]
  for (let r = 0; r < rows; r++)
    lines.push(
      Array.from({ length: cols }, (_, j) => (((r * 31 + j * 7) % 1000) / 7).toFixed(3)).join(','),
    )
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

/** Reading the same rows with 10× the columns should cost about 10× the time, not 100×. */
async function columnsScaling(): Promise<void> {
  const rows = 2000
  const timeOf = async (file: string): Promise<number> => {
    let bestMs = Infinity
    for (let i = 0; i < REPEATS; i++) {
      const start = performance.now()
      await loadTable(file)
      bestMs = Math.min(bestMs, performance.now() - start)
    }
    return bestMs
  }
  const narrow = await timeOf(wideCsv(rows, 1000))
  const wide = await timeOf(wideCsv(rows, 10_000))
  console.log(
    `CSV of ${rows} rows: 1,000 columns ${narrow.toFixed(0)} ms, 10,000 columns ${wide.toFixed(0)} ms (best of ${REPEATS})`,
  )
  goal('CSV read, 10× the columns', wide / narrow, '≤ 12×', wide / narrow <= 12)
}

async function main(): Promise<void> {
  generateCsv()
  await columnsScaling()
  const bytes = fs.statSync(csvFile).size
  const mb = bytes / 1e6
  console.log(
    `file: ${ROWS.toLocaleString('en')} rows x ${FEATURES} float features + label, ${mb.toFixed(0)} MB`,
  )

  const rssBefore = peakRssMb()
  let kept: Awaited<ReturnType<typeof loadTable>> | null = null
  const slipway = await best('slipway', async () => {
    kept = null
    gc()
    kept = await loadTable(csvFile, { csvThreads: 1 })
    return kept.rowCount
  })
  const twoThreads = await best(
    'slipway two threads',
    async () => (await loadTable(csvFile)).rowCount,
  )
  const rssSlipway = peakRssMb()
  const table = kept!
  const heldMb =
    table.columns.reduce(
      (s, c) => s + (c.kind === 'numeric' ? c.values.byteLength + c.missing.byteLength : 0),
      0,
    ) / 1e6
  const profileStart = performance.now()
  profileTable(table)
  const profileSeconds = (performance.now() - profileStart) / 1000
  kept = null
  gc()

  const pandas = pandasSeconds()
  const duckCsv = await best('duckdb csv', () =>
    duckdbToArrays(`SELECT * FROM read_csv('${csvFile}', header = true)`),
  )

  if (!fs.existsSync(parquetFile)) {
    const instance = await DuckDBInstance.create(':memory:')
    const connection = await instance.connect()
    await connection.run(
      `COPY (SELECT * FROM read_csv('${csvFile}', header = true)) TO '${parquetFile}' (FORMAT parquet)`,
    )
    connection.closeSync()
    instance.closeSync()
  }
  const slipwayParquet = await best(
    'slipway parquet',
    async () => (await loadTable(parquetFile)).rowCount,
  )
  const hyparquet = await best(
    'hyparquet',
    async () => (await loadTable(parquetFile, { parquetEngine: 'hyparquet' })).rowCount,
  )

  const rate = (s: number): string => `${Math.round(ROWS / s).toLocaleString('en')} rows/s`
  console.log(`\nCSV (best of ${REPEATS})`)
  console.log(
    `  slipway loadTable   ${slipway.toFixed(2)} s  ${rate(slipway)}  ${(mb / slipway).toFixed(0)} MB/s`,
  )
  console.log(
    `  slipway, 2 threads  ${twoThreads.toFixed(2)} s  ${rate(twoThreads)}  (csv-parallel.ts, what the jobs use)`,
  )
  console.log(
    `  pandas read_csv     ${pandas.toFixed(2)} s  ${rate(pandas)}  ${(mb / pandas).toFixed(0)} MB/s`,
  )
  console.log(
    `  duckdb read_csv     ${duckCsv.toFixed(2)} s  ${rate(duckCsv)}  (2 threads, DOUBLE vectors copied into Float64Arrays)`,
  )
  console.log(`  ratio slipway/pandas ${(pandas / slipway).toFixed(2)}x faster (goal >= 2x)`)
  console.log(`  profile of all ${table.columns.length} columns: ${profileSeconds.toFixed(2)} s`)
  console.log(
    `Parquet (best of ${REPEATS}, ${(fs.statSync(parquetFile).size / 1e6).toFixed(0)} MB)`,
  )
  console.log(
    `  slipway loadTable (DuckDB)       ${slipwayParquet.toFixed(2)} s  ${rate(slipwayParquet)}`,
  )
  console.log(`  hyparquet (the pure-JS fallback) ${hyparquet.toFixed(2)} s  ${rate(hyparquet)}`)
  console.log(`Memory`)
  console.log(`  table held: ${heldMb.toFixed(0)} MB of Float64Array + missing flags`)
  console.log(
    `  peak RSS after the Slipway CSV runs: ${rssSlipway.toFixed(0)} MB (process start: ${rssBefore.toFixed(0)} MB)`,
  )
  console.log(`  peak RSS of the whole run (DuckDB included): ${peakRssMb().toFixed(0)} MB`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
