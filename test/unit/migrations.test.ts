// The migration runner: applies the production migrations once, refuses edited or newer schemas.
import Database from 'better-sqlite3'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { migrate, migrationHash, type Migration } from '../../src/core/db/migrate'
import { migrations } from '../../src/core/db/migrations'
import { openDatabase } from '../../src/core/db/open'
import { tempHome } from '../helpers/home'

const homes: (() => void)[] = []
afterEach(() => homes.splice(0).forEach((c) => c()))
const dbFile = (): string => {
  const h = tempHome()
  homes.push(h.cleanup)
  return path.join(h.dir, 'registry.sqlite')
}

describe('migrations', () => {
  it('applies every production migration once, in order, with hashes, WAL and foreign keys', () => {
    const file = dbFile()
    const { db, schemaVersion } = openDatabase(file)
    expect(schemaVersion).toBe(migrations.length)
    const rows = db
      .prepare('SELECT version, hash FROM schema_migrations ORDER BY version')
      .all() as { version: number; hash: string }[]
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version))
    expect(rows.map((r) => r.hash)).toEqual(migrations.map(migrationHash))
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    db.close()
    // Opening again applies nothing new.
    const again = openDatabase(file)
    expect(
      (again.db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n,
    ).toBe(migrations.length)
    again.db.close()
  })

  it('uses STRICT tables, so a wrong type is refused', () => {
    const { db } = openDatabase(dbFile())
    expect(() =>
      db
        .prepare(
          "INSERT INTO datasets (name, sha256, size, format, row_count, columns_json, created_at, created_by) VALUES ('d', 'x', 'big', 'csv', 1, '[]', 'a', 'b')",
        )
        .run(),
    ).toThrow(/cannot store TEXT value in INTEGER column/)
    // and every table is, not only that one (SQLite's own tables aside)
    const tables = db
      .prepare(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
      )
      .all() as { name: string; sql: string }[]
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['models', 'model_versions', 'audit_events', 'evaluations']),
    )
    expect(tables.filter((t) => !/\)\s*STRICT\s*$/i.test(t.sql)).map((t) => t.name)).toEqual([])
    db.close()
  })

  it('enforces foreign keys', () => {
    const { db } = openDatabase(dbFile())
    expect(() =>
      db
        .prepare(
          "INSERT INTO aliases (model_id, alias, version_id, updated_at, updated_by) VALUES (99, 'champion', 98, 'x', 'y')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/)
    db.close()
  })

  it('refuses a database whose applied migration was edited since', () => {
    const file = dbFile()
    openDatabase(file).db.close()
    const db = new Database(file)
    const edited: Migration[] = migrations.map((m, i) =>
      i === 0 ? { ...m, sql: `${m.sql}\n-- edited` } : m,
    )
    expect(() => migrate(db, edited, file)).toThrow(/different migration 1/)
    db.close()
  })

  it('refuses a database newer than the code, and changes nothing', () => {
    const file = dbFile()
    const { db } = openDatabase(file)
    db.prepare("INSERT INTO schema_migrations VALUES (?, 'future', 'x', 'now')").run(
      migrations.length + 1,
    )
    db.close()
    expect(() => openDatabase(file)).toThrow(/newer than this Slipway understands/)
  })

  it('rolls back a failing migration completely', () => {
    const file = dbFile()
    const db = new Database(file)
    const broken: Migration[] = [
      { version: 1, name: 'ok', sql: 'CREATE TABLE a (x INTEGER) STRICT;' },
      {
        version: 2,
        name: 'broken',
        sql: 'CREATE TABLE b (x INTEGER) STRICT; INSERT INTO nowhere VALUES (1);',
      },
    ]
    expect(() => migrate(db, broken, file)).toThrow(/no such table: nowhere/)
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((t) => t.name)
    expect(tables).toContain('a')
    expect(tables).not.toContain('b')
    expect(
      (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v,
    ).toBe(1)
    db.close()
  })

  it('refuses migrations that are not numbered 1, 2, 3…', () => {
    const db = new Database(':memory:')
    expect(() => migrate(db, [{ version: 2, name: 'x', sql: '' }], ':memory:')).toThrow(
      /numbered 2, expected 1/,
    )
    db.close()
  })

  it('gives datasets of one name unique names (NAME-2, …, or NAME #ID when taken) and keeps them unique', () => {
    const file = dbFile()
    const db = new Database(file)
    migrate(
      db,
      migrations.filter((m) => m.version < 8),
      file,
    )
    const add = db.prepare(
      `INSERT INTO datasets (name, sha256, size, format, row_count, columns_json, created_at, created_by)
       VALUES (?, ?, 1, 'csv', 1, '[]', 'now', 'me')`,
    )
    for (const [i, name] of [
      'reference',
      'reference',
      'reference-2',
      'reference',
      'other',
    ].entries())
      add.run(name, String(i).repeat(64).slice(0, 64))
    migrate(db, migrations, file)
    const names = (
      db.prepare('SELECT id, name FROM datasets ORDER BY id').all() as {
        id: number
        name: string
      }[]
    ).map((r) => r.name)
    // The first keeps its name; the second would be reference-2, which is taken, so it is named by id.
    expect(names).toEqual(['reference', 'reference #2', 'reference-2', 'reference-3', 'other'])
    expect(() => add.run('other', 'f'.repeat(64))).toThrow(
      /UNIQUE constraint failed: datasets.name/,
    )
    db.close()
  })
})
