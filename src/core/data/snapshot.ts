// A dataset's parsed table, written once when it is imported (home/tables/SHA256.tbl), so that a
// run on a stored dataset reads its columns instead of parsing its file again. The dataset's row
// records the snapshot's sha256, and every read checks what it reads against it: a snapshot that
// is missing, short, altered or not what the row names is not used, and the run parses the
// dataset's own file (itself checked against its hash) as before.
//
// Layout: "SLPTBL02", the header's length (u32 little-endian), the header (JSON: rows, and each
// column's name, kind, missing count and categories), zero padding to 8 bytes; then each
// column's sections in order, each zero-padded to 8 bytes: values (float64) and missing (uint8)
// of a numeric or timestamp column, codes (int32) of a coded one; then the trailer, the sha256
// of each padded section in order. The snapshot's sha256 is the sha256 of the head (all before
// the first section) followed by the trailer: it covers every section through its digest, so
// sections can be written by two threads at once and a read can take only the columns it needs,
// each checked against its digest. Numbers as typed arrays hold them (little-endian on every
// machine Slipway ships for: x64 and arm64).
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { abandonedTemp } from '../artifacts/blobs'
import type { Column, ColumnKind, Table } from './table'

const MAGIC = Buffer.from('SLPTBL02', 'latin1')
const PREFIX = MAGIC.length + 4
const DIGEST = 32
/** A header larger than this is not a snapshot Slipway wrote (the names and categories). */
const MAX_HEADER = 256 * 2 ** 20

interface ColumnHeader {
  name: string
  kind: ColumnKind
  missingCount: number
  categories?: string[]
}

interface Header {
  version: 2
  rows: number
  columns: ColumnHeader[]
}

/** Where a dataset's snapshot lives, and the sha256 its row records. */
export interface SnapshotRef {
  path: string
  sha256: string
}

/** Where everything of a table's snapshot goes. */
export interface SnapshotLayout {
  /** Magic, header length, header and padding: the bytes before the first section. */
  head: Uint8Array
  /** Per column, in table order: the offset of each of its sections. */
  offsets: number[][]
  trailerAt: number
  sectionCount: number
  size: number
}

const padding = (bytes: number): number => (8 - (bytes % 8)) % 8
const ZEROS = new Uint8Array(8)

const bytesOf = (a: Float64Array | Uint8Array | Int32Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength)

const isNumeric = (kind: ColumnKind): boolean => kind === 'numeric' || kind === 'timestamp'

/** The sections of a column, in file order. */
const sectionsOf = (column: Column): Uint8Array[] =>
  column.kind === 'numeric' || column.kind === 'timestamp'
    ? [bytesOf(column.values), bytesOf(column.missing)]
    : [bytesOf(column.codes)]

/** The byte length of each section of a column of `rows` rows, in file order. */
const sectionLengths = (kind: ColumnKind, rows: number): number[] =>
  isNumeric(kind) ? [rows * 8, rows] : [rows * 4]

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
  return path.join(dir, `p${process.pid}-${randomBytes(8).toString('hex')}.tmp`)
}

/**
 * At start: removes what a crash left in the snapshots folder — a temporary file whose writer
 * is gone (or older than a day), and a snapshot no live dataset names (its row was deleted by a
 * process killed before it removed the file). A snapshot is renamed into place only after its
 * row is written, so one being imported now is never taken for an orphan.
 */
export function sweepSnapshots(
  home: string,
  named: (sha256: string) => boolean,
  now = Date.now(),
): number {
  const dir = snapshotDir(home)
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return 0
  }
  let removed = 0
  for (const name of names) {
    const file = path.join(dir, name)
    try {
      const table = /^([0-9a-f]{64})\.tbl$/.exec(name)
      const leftover = name.endsWith('.tmp')
        ? abandonedTemp(file, name, now)
        : table
          ? !named(table[1] ?? '')
          : false
      if (!leftover) continue
      fs.rmSync(file, { force: true })
      removed++
    } catch {
      // Renamed or removed by its writer meanwhile.
    }
  }
  return removed
}

function layoutOf(header: Header): Omit<SnapshotLayout, 'head'> & { headLength: number } {
  return layoutFrom(header, Buffer.byteLength(JSON.stringify(header), 'utf8'))
}

function layoutFrom(
  header: Header,
  jsonLength: number,
): Omit<SnapshotLayout, 'head'> & { headLength: number } {
  const headLength = PREFIX + jsonLength + padding(PREFIX + jsonLength)
  let at = headLength
  let sectionCount = 0
  const offsets = header.columns.map((c) =>
    sectionLengths(c.kind, header.rows).map((bytes) => {
      const offset = at
      at += bytes + padding(bytes)
      sectionCount++
      return offset
    }),
  )
  return { offsets, trailerAt: at, sectionCount, size: at + sectionCount * DIGEST, headLength }
}

/** Where each part of `table`'s snapshot goes. */
export function snapshotLayout(table: Table): SnapshotLayout {
  const header: Header = {
    version: 2,
    rows: table.rowCount,
    columns: table.columns.map((c) => ({
      name: c.name,
      kind: c.kind,
      missingCount: c.missingCount,
      ...(c.kind === 'numeric' || c.kind === 'timestamp' ? {} : { categories: c.categories }),
    })),
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8')
  const layout = layoutOf(header)
  const head = new Uint8Array(layout.headLength)
  head.set(MAGIC)
  Buffer.from(head.buffer).writeUInt32LE(json.length, MAGIC.length)
  head.set(json, PREFIX)
  return {
    head,
    offsets: layout.offsets,
    trailerAt: layout.trailerAt,
    sectionCount: layout.sectionCount,
    size: layout.size,
  }
}

/** Creates the snapshot's file at its full size, for its sections to be written in any order. */
export function createSnapshotFile(file: string, layout: SnapshotLayout): void {
  const fd = fs.openSync(file, 'wx')
  try {
    fs.ftruncateSync(fd, layout.size)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Writes these columns' sections at their offsets (each column's, from the layout) into the
 * created file, and returns each section's sha256 (of the section and its padding), per column.
 * Any thread may write its own columns: the sections do not overlap.
 */
export function writeSnapshotColumns(
  file: string,
  columns: Column[],
  offsets: number[][],
): Uint8Array[][] {
  const fd = fs.openSync(file, 'r+')
  try {
    return columns.map((column, i) =>
      sectionsOf(column).map((section, k) => {
        let at = offsets[i]?.[k] ?? NaN
        if (!Number.isSafeInteger(at)) throw new Error(`no offset for ${column.name}`)
        const hash = createHash('sha256')
        for (const part of [section, ZEROS.subarray(0, padding(section.length))]) {
          for (let done = 0; done < part.length;)
            done += fs.writeSync(fd, part, done, part.length - done, at + done)
          hash.update(part)
          at += part.length
        }
        return new Uint8Array(hash.digest())
      }),
    )
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Writes the head and the trailer (the sections' digests, in order) once every section is
 * written, and returns the snapshot's sha256.
 */
export function finishSnapshot(
  file: string,
  layout: SnapshotLayout,
  digests: Uint8Array[],
): { sha256: string; size: number } {
  if (digests.length !== layout.sectionCount)
    throw new Error(`${digests.length} section digests for ${layout.sectionCount} sections`)
  const trailer = new Uint8Array(layout.sectionCount * DIGEST)
  digests.forEach((d, i) => trailer.set(d, i * DIGEST))
  const fd = fs.openSync(file, 'r+')
  try {
    for (const [bytes, at] of [
      [layout.head, 0],
      [trailer, layout.trailerAt],
    ] as const)
      for (let done = 0; done < bytes.length;)
        done += fs.writeSync(fd, bytes, done, bytes.length - done, at + done)
  } finally {
    fs.closeSync(fd)
  }
  const sha256 = createHash('sha256').update(layout.head).update(trailer).digest('hex')
  return { sha256, size: layout.size }
}

/** Writes `table`'s whole snapshot to a new file in this thread. */
export function writeSnapshot(table: Table, file: string): { sha256: string; size: number } {
  const layout = snapshotLayout(table)
  createSnapshotFile(file, layout)
  try {
    const digests = writeSnapshotColumns(file, table.columns, layout.offsets).flat()
    return finishSnapshot(file, layout, digests)
  } catch (error) {
    fs.rmSync(file, { force: true })
    throw error
  }
}

/**
 * Reads a snapshot and returns its table (only `columns`, in that order, when given: the others
 * are not read), or null when it cannot be used: no such file, not a snapshot, a size that does
 * not fit its header, head and trailer that do not hash to `ref.sha256`, or a section read that
 * does not hash to its digest. Nothing read is returned unless all of it matched.
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
  const readAt = (bytes: Uint8Array, position: number): boolean => {
    for (let at = 0; at < bytes.length;) {
      const n = fs.readSync(fd, bytes, at, bytes.length - at, position + at)
      if (n === 0) return false
      at += n
    }
    return true
  }
  const prefix = new Uint8Array(PREFIX)
  if (!readAt(prefix, 0) || !Buffer.from(prefix.subarray(0, MAGIC.length)).equals(MAGIC))
    return null
  const jsonLength = Buffer.from(prefix).readUInt32LE(MAGIC.length)
  if (jsonLength > MAX_HEADER || PREFIX + jsonLength > size) return null
  const head = new Uint8Array(PREFIX + jsonLength + padding(PREFIX + jsonLength))
  if (!readAt(head, 0)) return null
  const header = JSON.parse(
    Buffer.from(head.subarray(PREFIX, PREFIX + jsonLength)).toString('utf8'),
  ) as Header
  const rows = header.rows
  if (header.version !== 2 || !Number.isSafeInteger(rows) || rows < 0) return null
  const layout = layoutFrom(header, jsonLength)
  if (layout.size !== size) return null
  const trailer = new Uint8Array(layout.sectionCount * DIGEST)
  if (!readAt(trailer, layout.trailerAt)) return null
  if (createHash('sha256').update(head).update(trailer).digest('hex') !== sha256) return null

  const want = wanted ? new Set(wanted) : null
  let section = 0
  const pad = new Uint8Array(8)
  /** Reads a section into `bytes` and its padding, and checks them against their digest. */
  const readSection = (bytes: Uint8Array, at: number): boolean => {
    const p = pad.subarray(0, padding(bytes.length))
    if (!readAt(bytes, at) || !readAt(p, at + bytes.length)) return false
    const digest = createHash('sha256').update(bytes).update(p).digest()
    return digest.equals(trailer.subarray(section * DIGEST, (section + 1) * DIGEST))
  }
  const read: Column[] = []
  for (const [i, c] of header.columns.entries()) {
    const offsets = layout.offsets[i] ?? []
    if (want && !want.has(c.name)) {
      section += offsets.length
      continue
    }
    if (isNumeric(c.kind)) {
      const values = new Float64Array(rows)
      const missing = new Uint8Array(rows)
      if (!readSection(bytesOf(values), offsets[0] ?? NaN)) return null
      section++
      if (!readSection(missing, offsets[1] ?? NaN)) return null
      section++
      read.push({
        name: c.name,
        kind: c.kind as 'numeric' | 'timestamp',
        values,
        missing,
        missingCount: c.missingCount,
      })
    } else {
      const codes = new Int32Array(rows)
      if (!readSection(bytesOf(codes), offsets[0] ?? NaN)) return null
      section++
      read.push({
        name: c.name,
        kind: c.kind as 'categorical' | 'boolean' | 'text',
        codes,
        categories: c.categories ?? [],
        missingCount: c.missingCount,
      })
    }
  }
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
