// Opens the registry database: WAL, foreign keys, busy timeout, migrations applied.
import Database from 'better-sqlite3'
import { BUSY_TIMEOUT_MS } from './busy'
import { migrate } from './migrate'
import { migrations } from './migrations'

export interface OpenedDatabase {
  db: Database.Database
  schemaVersion: number
}

export function openDatabase(file: string): OpenedDatabase {
  const db = new Database(file)
  try {
    // The busy timeout comes first: switching a fresh file to WAL and migrating it take
    // locks that another process opening the same registry may hold for a moment.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    db.pragma('synchronous = NORMAL')
    const schemaVersion = migrate(db, migrations, file)
    return { db, schemaVersion }
  } catch (error) {
    db.close()
    throw error
  }
}
