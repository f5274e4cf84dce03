// Numbered migrations: each applied once in its own transaction, its hash recorded so an
// applied migration cannot be edited silently, and a database newer than the code refused.
import { createHash } from 'node:crypto'
import type Database from 'better-sqlite3'
import { SlipwayError } from '../../api/errors'

export interface Migration {
  version: number
  name: string
  sql: string
}

export const migrationHash = (migration: Migration): string =>
  createHash('sha256').update(migration.sql).digest('hex')

export function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
  file: string,
): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`Migration ${m.name} is numbered ${m.version}, expected ${i + 1}`)
  })
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    hash TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`)
  const readApplied = db.prepare(
    'SELECT version, name, hash FROM schema_migrations ORDER BY version',
  )
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, hash, applied_at) VALUES (?, ?, ?, ?)',
  )
  // Checks what is applied; returns the next migration still to apply, if any.
  const pending = (): Migration | undefined => {
    const applied = readApplied.all() as { version: number; name: string; hash: string }[]
    const newest = applied.at(-1)?.version ?? 0
    if (newest > migrations.length) {
      throw new SlipwayError(
        'CONFLICT',
        `The registry at ${file} has schema version ${newest}, newer than this Slipway understands (${migrations.length}). Update Slipway before opening it.`,
      )
    }
    for (const row of applied) {
      const known = migrations[row.version - 1]
      if (!known || migrationHash(known) !== row.hash) {
        throw new SlipwayError(
          'CONFLICT',
          `The registry at ${file} was migrated with a different migration ${row.version} (${row.name}) than this build ships. Refusing to open it.`,
        )
      }
    }
    return migrations[newest]
  }
  // Several processes may open a fresh registry at once (parallel CLI calls, the window
  // next to the CLI). Each migration is applied under the write lock after reading again
  // what is applied, so exactly one process applies it and the others see it done.
  const applyNext = db.transaction((): boolean => {
    const migration = pending()
    if (!migration) return false
    db.exec(migration.sql)
    record.run(
      migration.version,
      migration.name,
      migrationHash(migration),
      new Date().toISOString(),
    )
    return true
  })
  if (!pending()) return migrations.length
  let applied = true
  while (applied) applied = applyNext.immediate()
  return migrations.length
}
