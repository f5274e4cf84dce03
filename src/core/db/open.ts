// Opens the registry database: WAL, foreign keys, busy timeout, migrations applied.
import Database from 'better-sqlite3'
import { migrate } from './migrate'
import { migrations } from './migrations'

export interface OpenedDatabase {
  db: Database.Database
  schemaVersion: number
}

export function openDatabase(file: string): OpenedDatabase {
  const db = new Database(file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    db.pragma('synchronous = NORMAL')
    const schemaVersion = migrate(db, migrations, file)
    return { db, schemaVersion }
  } catch (error) {
    db.close()
    throw error
  }
}
