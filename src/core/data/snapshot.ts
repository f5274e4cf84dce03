// A dataset's parsed table, written once when it is imported (home/tables/SHA256.tbl), so that a
// run on a stored dataset reads its columns instead of parsing its file again. The dataset's row
// records the snapshot's sha256, and every read checks what it reads against it: a snapshot that
// is missing, short, altered or not what the row names is not used, and the run parses the
// dataset's own file (itself checked against its hash) as before.
//
// Layout: "SLPTBL03", the header's length (u32 little-endian), the header (JSON: rows, and each
// column's name, kind, missing count and categories), zero padding to 8 bytes; then each
// column's sections in order, each with room for its raw form padded to 8 bytes: values (float64)
// and missing (uint8) of a numeric or timestamp column, codes (int32) of a coded one; then the
// trailer, an entry per section in order: the sha256 of the bytes the section holds, and how they
// encode it (ENTRY below). A section may hold less than its room — the rest stays a hole of the
// file, never written nor read:
// - values that are all decimals (decimalKeys) are stored as their integer keys in 1, 2 or 4
//   bytes each, v = (key + low) / p — the very same doubles — with missing cells' keys ignored
//   (read back as NaN, as every reader stores them); a third to an eighth of the bytes to write
//   and read for most columns of a CSV;
// - a missing section with nothing missing holds nothing.
// The snapshot's sha256 is the sha256 of the head (all before the first section) followed by the
// trailer: it covers every section through its entry, so sections can be written by two threads
// at once and a read can take only the columns it needs, each checked against its digest.
// Numbers as typed arrays hold them (little-endian on every machine Slipway ships for: x64 and
// arm64). Snapshots of the format before, "SLPTBL02" (every section raw, digests of the sections
// with their padding, a trailer of digests only), are still read; new ones are SLPTBL03.
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { abandonedTemp } from '../artifacts/blobs'
import { decimalKeys, type KeyScratch } from '../numeric'
import type { Column, ColumnKind, Table } from './table'

const MAGIC = Buffer.from('SLPTBL03', 'latin1')
/**
 * The format before (stop 16): every section raw, its digest over the section and its padding,
 * a trailer of digests alone. Still read, so datasets imported then keep their snapshots.
 */
const MAGIC_V2 = Buffer.from('SLPTBL02', 'latin1')
const PREFIX = MAGIC.length + 4
const DIGEST = 32
/**
 * A trailer entry: the section's sha256 (32 bytes), then its encoding (u32), zero (u32), the
 * bytes it holds (f64), and for keys the scale p and the offset low (f64 each).
 */
const ENTRY = 64
const RAW = 0
/** Keys of 1, 2 or 4 bytes (values sections): encoding KEYS + log2(width). */
const KEYS = 1
/** A missing section of a column with nothing missing: no bytes. */
const NONE_MISSING = 4
/** A header larger than this is not a snapshot Slipway wrote (the names and categories). */
const MAX_HEADER = 256 * 2 ** 20

interface ColumnHeader {
  name: string
  kind: ColumnKind
  missingCount: number
  categories?: string[]
}

interface Header {
  version: 2 | 3
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
const bytesOf = (a: Float64Array | Uint8Array | Uint16Array | Uint32Array | Int32Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength)

const isNumeric = (kind: ColumnKind): boolean => kind === 'numeric' || kind === 'timestamp'

/** What a section holds and how: the bytes written, and the fields of its trailer entry. */
interface Encoded {
  bytes: Uint8Array
  encoding: number
  p: number
  low: number
}

const raw = (bytes: Uint8Array): Encoded => ({ bytes, encoding: RAW, p: 0, low: 0 })

/**
 * A numeric column's values section: its decimal keys in the fewest bytes that hold them, or the
 * raw doubles when they are not such decimals (or an explicit NaN or infinity is among them).
 */
function encodeValues(
  column: Extract<Column, { kind: 'numeric' | 'timestamp' }>,
  scratch: KeyScratch | undefined,
): Encoded {
  const keyed =
    column.missingCount < column.values.length
      ? decimalKeys(column.values, scratch, column.missingCount > 0 ? column.missing : undefined)
      : null
  // -0 has the key of +0: a column holding one is kept raw, bit for bit.
  if (!keyed || keyed.negativeZeros > 0) return raw(bytesOf(column.values))
  const { keys, span, p, low } = keyed
  if (span <= 2 ** 8)
    return { bytes: bytesOf(Uint8Array.from(keys)), encoding: KEYS, p, low }
  if (span <= 2 ** 16)
    return { bytes: bytesOf(Uint16Array.from(keys)), encoding: KEYS + 1, p, low }
  return { bytes: bytesOf(keys), encoding: KEYS + 2, p, low }
}

/** The sections of a column, in file order, as they are written. */
function encodedSections(column: Column, scratch: KeyScratch | undefined): Encoded[] {
  if (column.kind !== 'numeric' && column.kind !== 'timestamp') return [raw(bytesOf(column.codes))]
  const missing: Encoded =
    column.missingCount === 0
      ? { bytes: new Uint8Array(0), encoding: NONE_MISSING, p: 0, low: 0 }
      : raw(column.missing)
  return [encodeValues(column, scratch), missing]
}

/**
 * Turns the keys held in the first rows·width bytes of `values`' buffer into the values, in
 * place: from the last row down, so no key is overwritten before it is read (value i's 8 bytes
 * end at or after key i's). A loop per width keeps each one's reads of one array type; missing
 * cells are NaN, as every reader stores them.
 */
function decodeKeys(
  values: Float64Array,
  width: number,
  low: number,
  p: number,
  missing: Uint8Array | undefined,
): void {
  const n = values.length
  const { buffer } = values
  if (width === 1) {
    const keys = new Uint8Array(buffer, 0, n)
    for (let i = n - 1; i >= 0; i--) values[i] = ((keys[i] ?? 0) + low) / p
  } else if (width === 2) {
    const keys = new Uint16Array(buffer, 0, n)
    for (let i = n - 1; i >= 0; i--) values[i] = ((keys[i] ?? 0) + low) / p
  } else {
    const keys = new Uint32Array(buffer, 0, n)
    for (let i = n - 1; i >= 0; i--) values[i] = ((keys[i] ?? 0) + low) / p
  }
  if (missing) for (let i = 0; i < n; i++) if (missing[i]) values[i] = NaN
}

/** A section's trailer entry: the sha256 of its bytes, then how they encode it. */
function entryOf(e: Encoded): Uint8Array {
  const entry = Buffer.alloc(ENTRY)
  createHash('sha256').update(e.bytes).digest().copy(entry, 0)
  entry.writeUInt32LE(e.encoding, DIGEST)
  entry.writeDoubleLE(e.bytes.length, DIGEST + 8)
  entry.writeDoubleLE(e.p, DIGEST + 16)
  entry.writeDoubleLE(e.low, DIGEST + 24)
  return new Uint8Array(entry.buffer, entry.byteOffset, ENTRY)
}

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
  entrySize = ENTRY,
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
  return { offsets, trailerAt: at, sectionCount, size: at + sectionCount * entrySize, headLength }
}

/** Where each part of `table`'s snapshot goes. */
export function snapshotLayout(table: Table): SnapshotLayout {
  const header: Header = {
    version: 3,
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

/** Bytes per write call: a section is written in pieces, each from the array in place (no copy). */
const WRITE_CHUNK = 1 << 20

/**
 * Writes these columns' sections at their offsets (each column's, from the layout) into the
 * created file, and returns each section's trailer entry, per column. Any thread may write its
 * own columns: the sections do not overlap. `scratch` lends the keys' buffers.
 */
export function writeSnapshotColumns(
  file: string,
  columns: Column[],
  offsets: number[][],
  scratch?: KeyScratch,
): Uint8Array[][] {
  const fd = fs.openSync(file, 'r+')
  try {
    return columns.map((column, i) =>
      encodedSections(column, scratch).map((section, k) => {
        const at = offsets[i]?.[k] ?? NaN
        if (!Number.isSafeInteger(at)) throw new Error(`no offset for ${column.name}`)
        const { bytes } = section
        for (let done = 0; done < bytes.length;)
          done += fs.writeSync(
            fd,
            bytes,
            done,
            Math.min(WRITE_CHUNK, bytes.length - done),
            at + done,
          )
        return entryOf(section)
      }),
    )
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Writes the head and the trailer (the sections' entries, in order) once every section is
 * written, and returns the snapshot's sha256.
 */
export function finishSnapshot(
  file: string,
  layout: SnapshotLayout,
  entries: Uint8Array[],
): { sha256: string; size: number } {
  if (entries.length !== layout.sectionCount)
    throw new Error(`${entries.length} section entries for ${layout.sectionCount} sections`)
  const trailer = new Uint8Array(layout.sectionCount * ENTRY)
  entries.forEach((e, i) => trailer.set(e, i * ENTRY))
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
  if (!readAt(prefix, 0)) return null
  const magic = Buffer.from(prefix.subarray(0, MAGIC.length))
  const v2 = magic.equals(MAGIC_V2)
  if (!v2 && !magic.equals(MAGIC)) return null
  const entrySize = v2 ? DIGEST : ENTRY
  const jsonLength = Buffer.from(prefix).readUInt32LE(MAGIC.length)
  if (jsonLength > MAX_HEADER || PREFIX + jsonLength > size) return null
  const head = new Uint8Array(PREFIX + jsonLength + padding(PREFIX + jsonLength))
  if (!readAt(head, 0)) return null
  const header = JSON.parse(
    Buffer.from(head.subarray(PREFIX, PREFIX + jsonLength)).toString('utf8'),
  ) as Header
  const rows = header.rows
  if (header.version !== (v2 ? 2 : 3) || !Number.isSafeInteger(rows) || rows < 0) return null
  const layout = layoutFrom(header, jsonLength, entrySize)
  if (layout.size !== size) return null
  const trailer = new Uint8Array(layout.sectionCount * entrySize)
  if (!readAt(trailer, layout.trailerAt)) return null
  if (createHash('sha256').update(head).update(trailer).digest('hex') !== sha256) return null
  const entries = Buffer.from(trailer.buffer, trailer.byteOffset, trailer.length)

  /** Section `index`'s entry: how it is encoded, and the bytes it holds (within its room). */
  const entryAt = (index: number, room: number) => {
    // A v2 section is raw and fills its room.
    if (v2) return { index, encoding: RAW, length: room, p: 0, low: 0 }
    const e = index * ENTRY
    const entry = {
      index,
      encoding: entries.readUInt32LE(e + DIGEST),
      length: entries.readDoubleLE(e + DIGEST + 8),
      p: entries.readDoubleLE(e + DIGEST + 16),
      low: entries.readDoubleLE(e + DIGEST + 24),
    }
    const fits = Number.isSafeInteger(entry.length) && entry.length >= 0 && entry.length <= room
    return fits ? entry : null
  }
  /** Reads a section's bytes into `bytes` (its whole length) and checks them against its digest. */
  const readSection = (bytes: Uint8Array, index: number, at: number): boolean => {
    if (!readAt(bytes, at)) return false
    const hash = createHash('sha256').update(bytes)
    if (v2) {
      // v2 digests cover the section's zero padding too.
      const pad = new Uint8Array(padding(bytes.length))
      if (!readAt(pad, at + bytes.length)) return false
      hash.update(pad)
    }
    return hash.digest().equals(trailer.subarray(index * entrySize, index * entrySize + DIGEST))
  }
  /** A numeric column's two sections, or null when either is not what its entry says. */
  const readNumbers = (
    c: ColumnHeader,
    first: number,
    offsets: number[],
  ): { values: Float64Array; missing: Uint8Array } | null => {
    const valuesAt = offsets[0] ?? NaN
    const missingAt = offsets[1] ?? NaN
    const valuesEntry = entryAt(first, rows * 8)
    const missingEntry = entryAt(first + 1, rows)
    if (!valuesEntry || !missingEntry) return null
    const missing = new Uint8Array(rows)
    if (missingEntry.encoding === NONE_MISSING) {
      if (missingEntry.length !== 0 || c.missingCount !== 0) return null
      if (!readSection(new Uint8Array(0), first + 1, missingAt)) return null
    } else if (missingEntry.encoding !== RAW || missingEntry.length !== rows) return null
    else if (!readSection(missing, first + 1, missingAt)) return null
    const values = new Float64Array(rows)
    if (valuesEntry.encoding === RAW) {
      if (valuesEntry.length !== rows * 8) return null
      return readSection(bytesOf(values), first, valuesAt) ? { values, missing } : null
    }
    const width = 2 ** (valuesEntry.encoding - KEYS)
    const { p, low } = valuesEntry
    if (
      valuesEntry.encoding < KEYS ||
      valuesEntry.encoding > KEYS + 2 ||
      valuesEntry.length !== rows * width ||
      !(p >= 1) ||
      !Number.isSafeInteger(low)
    )
      return null
    // The keys are read into the values' own buffer (its first rows·width bytes), then decoded
    // from the end of a copy-free view: no second buffer to fault in per column.
    const held = new Uint8Array(values.buffer, 0, rows * width)
    if (!readSection(held, first, valuesAt)) return null
    decodeKeys(values, width, low, p, c.missingCount > 0 ? missing : undefined)
    return { values, missing }
  }

  const want = wanted ? new Set(wanted) : null
  let section = 0
  const read: Column[] = []
  for (const [i, c] of header.columns.entries()) {
    const offsets = layout.offsets[i] ?? []
    const first = section
    section += offsets.length
    if (want && !want.has(c.name)) continue
    if (isNumeric(c.kind)) {
      const numbers = readNumbers(c, first, offsets)
      if (!numbers) return null
      read.push({
        name: c.name,
        kind: c.kind as 'numeric' | 'timestamp',
        ...numbers,
        missingCount: c.missingCount,
      })
    } else {
      const codes = new Int32Array(rows)
      const entry = entryAt(first, rows * 4)
      if (!entry || entry.encoding !== RAW || entry.length !== rows * 4) return null
      if (!readSection(bytesOf(codes), first, offsets[0] ?? NaN)) return null
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
