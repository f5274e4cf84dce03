// A dataset's snapshot (src/core/data/snapshot.ts): the parsed table written once and read back
// whole, bit for bit, or not at all: every altered, short, long or misnamed file is refused.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadTable } from '../../src/core/data/load'
import {
  readSnapshot,
  snapshotLayout,
  writeSnapshot,
  type SnapshotRef,
} from '../../src/core/data/snapshot'
import type { Table } from '../../src/core/data/table'

const fixtures = path.join(__dirname, '..', 'fixtures', 'csv')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-snapshot-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const bytesOf = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength)

let n = 0
function written(table: Table): SnapshotRef & { size: number } {
  const file = path.join(dir, `t${n++}.tbl`)
  const { sha256, size } = writeSnapshot(table, file)
  expect(fs.statSync(file).size).toBe(size)
  return { path: file, sha256, size }
}

/** Text with quotes and accents, -0, an infinity and a missing cell. */
function edges(): Table {
  return {
    rowCount: 3,
    columns: [
      {
        name: 'edge',
        kind: 'numeric',
        values: Float64Array.from([-0, Infinity, NaN]),
        missing: Uint8Array.from([0, 0, 1]),
        missingCount: 1,
      },
      {
        name: 'word',
        kind: 'text',
        codes: Int32Array.from([0, -1, 1]),
        categories: ['é', '"q"'],
        missingCount: 1,
      },
    ],
  }
}

/**
 * One column per encoding a snapshot picks: keys of 1, 2 and 4 bytes (decimals over spans below
 * 2^8, 2^16 and 2^32, two with missing cells), and raw doubles (thirds; an infinity; -0).
 */
function encodings(rows = 4000): Table {
  let seed = 3
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const numeric = (name: string, value: (i: number) => number, missingEvery = 0) => {
    const missing = Uint8Array.from({ length: rows }, (_, i) =>
      missingEvery && i % missingEvery === 1 ? 1 : 0,
    )
    const values = Float64Array.from({ length: rows }, (_, i) => (missing[i] ? NaN : value(i)))
    return {
      name,
      kind: 'numeric' as const,
      values,
      missing,
      missingCount: missing.reduce((a, b) => a + b, 0),
    }
  }
  return {
    rowCount: rows,
    columns: [
      numeric('u8', (i) => (i % 3) * 0.5 - 0.5, 7),
      numeric('u16', () => Math.floor(rand() * 60_000) / 100),
      numeric('u32', () => Number(((rand() - 0.5) * 80).toFixed(6)), 13),
      numeric('with_minus_zero', (i) => (i % 11 === 0 ? -0 : i % 5)),
      numeric('thirds', (i) => i / 3),
      numeric('with_inf', (i) => (i === 5 ? Infinity : i)),
    ],
  }
}

describe('dataset snapshots', () => {
  it('read back equal to the table written, for every column kind', async () => {
    for (const table of [
      await loadTable(path.join(fixtures, 'types.csv')),
      await loadTable(path.join(fixtures, 'profile.csv')),
      edges(),
      encodings(),
    ]) {
      const ref = written(table)
      const back = readSnapshot(ref)
      expect(back).toEqual(table)
      // -0 and NaN bit for bit.
      for (const [i, c] of table.columns.entries()) {
        const b = back?.columns[i]
        if (c.kind === 'numeric' || c.kind === 'timestamp')
          if (b?.kind === c.kind)
            expect(bytesOf(b.values).equals(bytesOf(c.values)), c.name).toBe(true)
      }
    }
  })

  it('types.csv covers numeric, categorical, boolean and timestamp columns', async () => {
    const kinds = new Set(
      (await loadTable(path.join(fixtures, 'types.csv'))).columns.map((c) => c.kind),
    )
    expect([...kinds]).toEqual(
      expect.arrayContaining(['boolean', 'numeric', 'timestamp', 'categorical']),
    )
  })

  it('reads only the columns asked for, in the order asked, and refuses a name it lacks', async () => {
    const table = await loadTable(path.join(fixtures, 'profile.csv'))
    const ref = written(table)
    const names = table.columns.map((c) => c.name)
    const picked = [names[3], names[0]].filter((x): x is string => Boolean(x))
    const back = readSnapshot(ref, picked)
    expect(back?.columns.map((c) => c.name)).toEqual(picked)
    expect(back?.columns).toEqual(picked.map((name) => table.columns.find((c) => c.name === name)))
    expect(readSnapshot(ref, [...picked, 'no_such_column'])).toBeNull()
  })

  it('refuses any snapshot that is not the bytes its row names', async () => {
    const table = await loadTable(path.join(fixtures, 'profile.csv'))
    const ref = written(table)
    const bytes = fs.readFileSync(ref.path)
    const variant = (name: string, change: (b: Buffer) => Buffer): SnapshotRef => {
      const file = path.join(dir, `${name}.tbl`)
      fs.writeFileSync(file, change(Buffer.from(bytes)))
      return { path: file, sha256: ref.sha256 }
    }
    const flip =
      (at: number) =>
      (b: Buffer): Buffer => {
        b[at] = (b[at] ?? 0) ^ 1
        return b
      }
    const layout = snapshotLayout(table)
    const first = layout.offsets[0]?.[0] ?? NaN
    const lastValues = layout.offsets[layout.offsets.length - 1]?.[0] ?? NaN
    const cases: [string, SnapshotRef][] = [
      ['a bit of the magic', variant('magic', flip(0))],
      ['a bit of the header', variant('header', flip(14))],
      ['a bit of the header padding', variant('head-pad', flip(first - 1))],
      ['a bit of the first values', variant('values', flip(first + 8))],
      ['a bit of the last column', variant('last', flip(lastValues + 3))],
      ['a bit of a section padding', variant('pad', flip(layout.trailerAt - 1))],
      ['a bit of the trailer', variant('trailer', flip(layout.trailerAt + 5))],
      ['one byte short', variant('short', (b) => b.subarray(0, b.length - 1))],
      ['one byte more', variant('long', (b) => Buffer.concat([b, Buffer.from([0])]))],
      ['the head only', variant('cut', (b) => b.subarray(0, first))],
      ['an empty file', variant('empty', () => Buffer.alloc(0))],
      [
        'two sections swapped',
        variant('swapped', (b) => {
          const [a0, b0] = [layout.offsets[0]?.[0] ?? 0, layout.offsets[1]?.[0] ?? 0]
          const x = Buffer.from(b.subarray(a0, a0 + table.rowCount * 8))
          b.copy(b, a0, b0, b0 + table.rowCount * 8)
          x.copy(b, b0)
          return b
        }),
      ],
      ['a CSV file', { path: path.join(fixtures, 'profile.csv'), sha256: ref.sha256 }],
      ['another sha256', { path: ref.path, sha256: '0'.repeat(64) }],
      ['no such file', { path: path.join(dir, 'missing.tbl'), sha256: ref.sha256 }],
    ]
    expect(bytes.length).toBe(layout.size)
    // The untouched copy reads: each case fails by its change alone.
    expect(readSnapshot(variant('same', (b) => b))).toEqual(table)
    for (const [name, bad] of cases) expect(readSnapshot(bad), name).toBeNull()
    // A read of some columns checks the head, the trailer and those columns' sections.
    const names = table.columns.map((c) => c.name)
    const firstName = names[0] ?? ''
    const lastName = names[names.length - 1] ?? ''
    expect(readSnapshot(cases[3]?.[1] ?? ref, [firstName]), 'first values, first column').toBeNull()
    expect(readSnapshot(cases[4]?.[1] ?? ref, [lastName]), 'last column, last column').toBeNull()
    expect(readSnapshot(cases[5]?.[1] ?? ref, [lastName]), 'its padding, last column').toBeNull()
    // The untouched columns of an altered file still read: each is checked on its own.
    expect(readSnapshot(cases[4]?.[1] ?? ref, [firstName])?.columns[0]).toEqual(table.columns[0])
    for (const [name, bad] of cases.filter(
      ([n]) => !/first values|last column|section padding|swapped/.test(n),
    ))
      expect(readSnapshot(bad, [firstName]), `${name}, one column`).toBeNull()
  })

  it('stores decimals as 1-, 2- or 4-byte keys and nothing for no missing cells: every byte read is checked, the room left is never read', () => {
    const table = encodings()
    const rows = table.rowCount
    const ref = written(table)
    const layout = snapshotLayout(table)
    const bytes = fs.readFileSync(ref.path)
    const variant = (name: string, at: number): SnapshotRef => {
      const b = Buffer.from(bytes)
      b[at] = (b[at] ?? 0) ^ 1
      const file = path.join(dir, `enc-${name}.tbl`)
      fs.writeFileSync(file, b)
      return { path: file, sha256: ref.sha256 }
    }
    // [column, bytes per value held, bytes of the missing section held]
    const held: [string, number, number][] = [
      ['u8', 1, rows],
      ['u16', 2, 0],
      ['u32', 4, rows],
      ['thirds', 8, 0],
      ['with_inf', 8, 0],
      ['with_minus_zero', 8, 0],
    ]
    for (const [name, width, missingBytes] of held) {
      const i = table.columns.findIndex((c) => c.name === name)
      const [valuesAt = NaN, missingAt = NaN] = layout.offsets[i] ?? []
      // The last byte held is checked; the first byte past it (room, a hole) is not read.
      expect(readSnapshot(variant(`${name}-last`, valuesAt + rows * width - 1)), name).toBeNull()
      if (width < 8)
        expect(readSnapshot(variant(`${name}-room`, valuesAt + rows * width)), name).toEqual(table)
      if (missingBytes > 0)
        expect(readSnapshot(variant(`${name}-missing`, missingAt + rows - 1)), name).toBeNull()
      else
        expect(readSnapshot(variant(`${name}-no-missing`, missingAt)), name).toEqual(table)
    }
    // Each field of a trailer entry (encoding, bytes held, p, low) is covered by the sha256.
    for (const field of [32, 40, 48, 56])
      expect(readSnapshot(variant(`entry-${field}`, layout.trailerAt + field)), `${field}`).toBeNull()
  })

  it('reads the snapshots stop 16 wrote (SLPTBL02, committed fixtures) and refuses them altered', async () => {
    const snapshots = path.join(__dirname, '..', 'fixtures', 'snapshots')
    for (const name of ['types', 'profile']) {
      const ref: SnapshotRef = {
        path: path.join(snapshots, `${name}-v2.tbl`),
        sha256: fs.readFileSync(path.join(snapshots, `${name}-v2.sha256`), 'utf8').trim(),
      }
      expect(fs.readFileSync(ref.path).subarray(0, 8).toString('latin1')).toBe('SLPTBL02')
      const table = await loadTable(path.join(fixtures, `${name}.csv`))
      expect(readSnapshot(ref), name).toEqual(table)
      const last = table.columns[table.columns.length - 1]?.name ?? ''
      expect(readSnapshot(ref, [last])?.columns, name).toEqual([table.columns.at(-1)])
      // One bit of the first section, of its padding, or of the trailer: refused.
      const bytes = fs.readFileSync(ref.path)
      const json = bytes.readUInt32LE(8)
      const first = 12 + json + ((8 - ((12 + json) % 8)) % 8)
      const sections = table.columns.reduce(
        (n, c) => n + (c.kind === 'numeric' || c.kind === 'timestamp' ? 2 : 1),
        0,
      )
      const trailerAt = bytes.length - sections * 32
      for (const at of [first, trailerAt - 1, trailerAt + 3]) {
        const b = Buffer.from(bytes)
        b[at] = (b[at] ?? 0) ^ 1
        const file = path.join(dir, `v2-${name}-${at}.tbl`)
        fs.writeFileSync(file, b)
        expect(readSnapshot({ path: file, sha256: ref.sha256 }), `${name} at ${at}`).toBeNull()
      }
      expect(readSnapshot({ ...ref, sha256: '0'.repeat(64) })).toBeNull()
    }
  })
})
