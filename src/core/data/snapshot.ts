// A dataset's parsed table, written once when it is imported (home/tables/SHA256.tbl), so that a
// run on a stored dataset reads its columns instead of parsing its file again. The dataset's row
// records the snapshot's sha256, and every read hashes the bytes it reads and compares: a
// snapshot that is missing, short, altered or not what the row names is not used, and the run
// parses the dataset's own file (itself checked against its hash) as before.
//
// Layout: "SLPTBL01", the header's length (u32 little-endian), the header (JSON: rows, and each
// column's name, kind, missing count, categories and sections), zero padding to 8 bytes, then
// each column's sections in order, each padded to 8 bytes: values (float64) and missing (uint8)
// of a numeric or timestamp column, codes (int32) of a coded one. Numbers as typed arrays hold
// them (little-endian on every machine Slipway ships for: x64 and arm64).
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Column, ColumnKind, Table } from './table'

const MAGIC = Buffer.from('SLPTBL01', 'latin1')
const PREFIX = MAGIC.length + 4
/** A header larger than this is not a snapshot Slipway wrote (the names and categories). */
const MAX_HEADER = 256 * 2 ** 20

interface ColumnHeader {
  name: string
  kind: ColumnKind
  missingCount: number
  categories?: string[]
}

interface Header {
  version: 1
  rows: number
  columns: ColumnHeader[]
}

/** Where a dataset's snapshot lives, and the sha256 its row records. */
export interface SnapshotRef {
  path: string
  sha256: string
}

const padding = (bytes: number): number => (8 - (bytes % 8)) % 8
const ZEROS = new Uint8Array(8)

const bytesOf = (a: Float64Array | Uint8Array | Int32Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength)

/** The sections of a column, in file order. */
function sectionsOf(column: Column): Uint8Array[] {
  return column.kind === 'numeric' || column.kind === 'timestamp'
    ? [bytesOf(column.values), bytesOf(column.missing)]
    : [bytesOf(column.codes)]
}

/** The byte length of each section of a column of `rows` rows, in file order. */
const sectionLengths = (kind: ColumnKind, rows: number): number[] =>
  kind === 'numeric' || kind === 'timestamp' ? [rows * 8, rows] : [rows * 4]

/** The snapshots' folder of a home. */
export const snapshotDir = (home: string): string => path.join(home, 'tables')

/** Where the snapshot with this sha256 lives in a home. */
export const snapshotPath = (home: string, sha256: string): string =>
  path.join(snapshotDir(home), `${sha256}.tbl`)

/**
 * A new temporary file name in a home's snapshots folder (created if needed): the import's worker
 * writes the snapshot there, and the import renames it to `snapshotPath` once the dataset's row
 * records it, or removes it whatever happened.
 */
export function newSnapshotTmp(home: string): string {
  const dir = snapshotDir(home)
  fs.mkdirSync(dir, { recursive: true })
  return path.join(dir, `${randomBytes(8).toString('hex')}.tmp`)
}

/** Writes `table` to `tmpPath` (a new file), hashing what it writes. */
export function writeSnapshot(table: Table, tmpPath: string): { sha256: string; size: number } {
  const header: Header = {
    version: 1,
    rows: table.rowCount,
    columns: table.columns.map((c) => ({
      name: c.name,
      kind: c.kind,
      missingCount: c.missingCount,
      ...(c.kind === 'numeric' || c.kind === 'timestamp' ? {} : { categories: c.categories }),
    })),
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8')
  const length = Buffer.alloc(4)
  length.writeUInt32LE(json.length)
  const hash = createHash('sha256')
  const fd = fs.openSync(tmpPath, 'wx')
  let size = 0
  const write = (bytes: Uint8Array): void => {
    for (let at = 0; at < bytes.length;) at += fs.writeSync(fd, bytes, at, bytes.length - at)
    hash.update(bytes)
    size += bytes.length
  }
  try {
    write(MAGIC)
    write(length)
    write(json)
    write(ZEROS.subarray(0, padding(PREFIX + json.length)))
    for (const column of table.columns)
      for (const section of sectionsOf(column)) {
        write(section)
        write(ZEROS.subarray(0, padding(section.length)))
      }
  } catch (error) {
    fs.closeSync(fd)
    fs.rmSync(tmpPath, { force: true })
    throw error
  }
  fs.closeSync(fd)
  return { sha256: hash.digest('hex'), size }
}

/**
 * Reads a snapshot, hashing every byte, and returns its table (only `columns`, in that order, when
 * given), or null when it cannot be used: no such file, not a snapshot, short, or its sha256 is
 * not `ref.sha256`. Nothing read is returned unless the whole file matched.
 */
export function readSnapshot(ref: SnapshotRef, columns?: string[]): Table | null {
  let fd: number
  try {
    fd = fs.openSync(ref.path, 'r')
  } catch {
    return null
  }
  try {
    return readOpen(fd, ref.sha256, columns)
  } catch {
    return null
  } finally {
    fs.closeSync(fd)
  }
}

function readOpen(fd: number, sha256: string, wanted: string[] | undefined): Table | null {
  const size = fs.fstatSync(fd).size
  const hash = createHash('sha256')
  let position = 0
  const readInto = (bytes: Uint8Array): boolean => {
    let at = 0
    while (at < bytes.length) {
      const n = fs.readSync(fd, bytes, at, bytes.length - at, position + at)
      if (n === 0) return false
      at += n
    }
    position += bytes.length
    hash.update(bytes)
    return true
  }
  const prefix = new Uint8Array(PREFIX)
  if (!readInto(prefix) || !Buffer.from(prefix.subarray(0, MAGIC.length)).equals(MAGIC)) return null
  const headerLength = Buffer.from(prefix).readUInt32LE(MAGIC.length)
  if (headerLength > MAX_HEADER || PREFIX + headerLength > size) return null
  const json = new Uint8Array(headerLength)
  if (!readInto(json)) return null
  const header = JSON.parse(Buffer.from(json).toString('utf8')) as Header
  const rows = header.rows
  if (header.version !== 1 || !Number.isSafeInteger(rows) || rows < 0) return null
  let expected = PREFIX + headerLength + padding(PREFIX + headerLength)
  for (const c of header.columns)
    for (const bytes of sectionLengths(c.kind, rows)) expected += bytes + padding(bytes)
  if (expected !== size) return null
  if (!readInto(new Uint8Array(padding(PREFIX + headerLength)))) return null
  const want = wanted ? new Set(wanted) : null
  // Columns not asked for are read (and hashed) through one scratch buffer.
  let scratch = new Uint8Array(0)
  const skip = (bytes: number): boolean => {
    if (scratch.length < bytes) scratch = new Uint8Array(bytes)
    return readInto(scratch.subarray(0, bytes))
  }
  const pad = (bytes: number): boolean => readInto(new Uint8Array(padding(bytes)))
  const read: Column[] = []
  for (const c of header.columns) {
    if (want && !want.has(c.name)) {
      for (const bytes of sectionLengths(c.kind, rows))
        if (!skip(bytes + padding(bytes))) return null
      continue
    }
    if (c.kind === 'numeric' || c.kind === 'timestamp') {
      const values = new Float64Array(rows)
      const missing = new Uint8Array(rows)
      if (!readInto(bytesOf(values)) || !pad(values.byteLength)) return null
      if (!readInto(missing) || !pad(missing.byteLength)) return null
      read.push({ name: c.name, kind: c.kind, values, missing, missingCount: c.missingCount })
    } else {
      const codes = new Int32Array(rows)
      if (!readInto(bytesOf(codes)) || !pad(codes.byteLength)) return null
      read.push({
        name: c.name,
        kind: c.kind,
        codes,
        categories: c.categories ?? [],
        missingCount: c.missingCount,
      })
    }
  }
  if (hash.digest('hex') !== sha256) return null
  if (!wanted) return { rowCount: rows, columns: read }
  const byName = new Map(read.map((c) => [c.name, c]))
  const picked: Column[] = []
  for (const name of wanted) {
    const column = byName.get(name)
    // A name the snapshot lacks: the file's own reader says so in its words.
    if (!column) return null
    picked.push(column)
  }
  return { rowCount: rows, columns: picked }
}
