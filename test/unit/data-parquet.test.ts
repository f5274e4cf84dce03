// Parquet read with DuckDB (and hyparquet, the fallback): every Parquet type Slipway maps, nulls,
// several row groups, and the same profile as the CSV it was written from. The files are written by DuckDB (pyarrow is not
// available to /usr/bin/python3 here).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadTable } from '../../src/core/data/load'
import { profileTable } from '../../src/core/data/profile'
import {
  cellText,
  type CodedColumn,
  type NumericColumn,
  type TimestampColumn,
} from '../../src/core/data/table'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-parquet-'))
const typesFile = path.join(tmp, 'types.parquet')
const profileFile = path.join(tmp, 'profile.parquet')
const csvFixture = path.join(__dirname, '..', 'fixtures', 'csv', 'profile.csv')
const ROWS = 5000

beforeAll(async () => {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  await connection.run(`COPY (
    SELECT
      i::INTEGER AS int32,
      (i::BIGINT * 1000000000) AS int64,
      CASE WHEN i % 10 = 0 THEN NULL ELSE i * 0.25 END AS double_nulls,
      (i / 8)::FLOAT AS float32,
      (i / 7)::DECIMAL(10, 2) AS dec,
      (i % 2 = 0) AS flag,
      CASE WHEN i % 3 = 0 THEN NULL ELSE 'c' || (i % 4)::VARCHAR END AS category,
      'row ' || i::VARCHAR AS note,
      TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i) MINUTE AS ts,
      DATE '2024-01-01' + (i % 365)::INTEGER AS day
    FROM range(${ROWS}) t(i)
  ) TO '${typesFile}' (FORMAT parquet, ROW_GROUP_SIZE 1024)`)
  await connection.run(`COPY (SELECT * FROM read_csv('${csvFixture}', header = true,
      columns = {'x_normal': 'DOUBLE', 'x_int': 'DOUBLE', 'x_special': 'DOUBLE', 'x_big': 'DOUBLE', 'color': 'VARCHAR', 'flag': 'BOOLEAN'}))
    TO '${profileFile}' (FORMAT parquet)`)
  connection.closeSync()
  instance.closeSync()
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe('Parquet', () => {
  it('maps Parquet types to Table kinds, with nulls as missing', async () => {
    const t = await loadTable(typesFile)
    expect(t.rowCount).toBe(ROWS)
    expect(Object.fromEntries(t.columns.map((c) => [c.name, c.kind]))).toEqual({
      int32: 'numeric',
      int64: 'numeric',
      double_nulls: 'numeric',
      float32: 'numeric',
      dec: 'numeric',
      flag: 'boolean',
      category: 'categorical',
      note: 'text',
      ts: 'timestamp',
      day: 'timestamp',
    })
    const byName = Object.fromEntries(t.columns.map((c) => [c.name, c]))
    const int64 = byName.int64 as NumericColumn
    expect(int64.values[4321]).toBe(4321 * 1e9)
    const nulls = byName.double_nulls as NumericColumn
    expect(nulls.missingCount).toBe(ROWS / 10)
    expect(nulls.missing[10]).toBe(1)
    expect(nulls.values[11]).toBe(2.75)
    expect((byName.float32 as NumericColumn).values[12]).toBe(1.5)
    expect((byName.dec as NumericColumn).values[10]).toBe(1.43)
    const flag = byName.flag as CodedColumn
    expect([cellText(flag, 0), cellText(flag, 1)]).toEqual(['true', 'false'])
    const category = byName.category as CodedColumn
    expect(category.missingCount).toBe(Math.ceil(ROWS / 3))
    expect(cellText(category, 3001)).toBe('c1')
    expect(cellText(category, 3000)).toBeNull()
    expect(cellText(byName.note!, 4999)).toBe('row 4999')
    expect((byName.ts as TimestampColumn).values[4999]).toBe(
      Date.parse('2024-01-01T00:00:00Z') + 4999 * 60_000,
    )
    expect((byName.day as TimestampColumn).values[40]).toBe(Date.parse('2024-02-10T00:00:00Z'))
  })

  it('reads the same table with DuckDB and with hyparquet (the fallback)', async () => {
    const duck = await loadTable(typesFile, { parquetEngine: 'duckdb' })
    const hyparquet = await loadTable(typesFile, { parquetEngine: 'hyparquet' })
    expect(duck).toEqual(hyparquet)
    const special = await loadTable(profileFile, { parquetEngine: 'duckdb' })
    expect(special).toEqual(await loadTable(profileFile, { parquetEngine: 'hyparquet' }))
  })

  it('reads only the requested columns', async () => {
    const t = await loadTable(typesFile, { columns: ['note', 'int32'] })
    expect(t.columns.map((c) => c.name)).toEqual(['note', 'int32'])
    await expect(loadTable(typesFile, { columns: ['missing_one'] })).rejects.toThrow(
      'types.parquet: no column named "missing_one"',
    )
  })

  it('gives the same profile as the CSV it was written from', async () => {
    const fromCsv = profileTable(await loadTable(csvFixture))
    const fromParquet = profileTable(await loadTable(profileFile))
    expect(fromParquet).toEqual(fromCsv)
  })

  it('refuses a truncated Parquet file with a message', async () => {
    const bytes = fs.readFileSync(typesFile)
    const broken = path.join(tmp, 'broken.parquet')
    fs.writeFileSync(broken, bytes.subarray(0, 200))
    await expect(loadTable(broken)).rejects.toThrow(/^broken\.parquet: not a readable Parquet file/)
  })
})
