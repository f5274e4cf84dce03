// Opens the registry database: WAL, foreign keys, busy timeout, migrations applied.
import fs from 'node:fs'
import Database from 'better-sqlite3'
import { SlipwayError } from '../../api/errors'
import { BUSY_TIMEOUT_MS, isBusyError } from './busy'
import { migrate } from './migrate'
import { migrations } from './migrations'

export interface OpenedDatabase {
  db: Database.Database
  schemaVersion: number
}

/**
 * An existing registry file of 0 bytes is refused: SQLite would take it for a new registry and
 * every blob would be orphaned. Another process creating the registry right now writes its header
 * within moments, so an empty file is looked at again for a second before it is refused.
 */
function refuseEmptyFile(file: string): void {
  const size = (): number | undefined => fs.statSync(file, { throwIfNoEntry: false })?.size
  if (size() !== 0) return
  const until = Date.now() + 1000
  while (Date.now() < until) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
    if (size() !== 0) return
  }
  throw new SlipwayError(
    'BAD_FILE',
    `${file}: the registry database is empty (0 bytes), so it is not a Slipway registry. Restore it from a backup, or move it away to start a new registry in this folder.`,
  )
}

// Several processes opening a fresh registry at once race to switch it to WAL and migrate it:
// SQLite can answer busy at once there, without waiting out the busy timeout. Opening tries again
// until twice the busy timeout has passed, so six commands started together all open it.
const OPEN_RETRY_MS = 2 * BUSY_TIMEOUT_MS
const pause = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

export function openDatabase(file: string): OpenedDatabase {
  refuseEmptyFile(file)
  const started = Date.now()
  for (;;) {
    try {
      return openOnce(file)
    } catch (error) {
      if (!isBusyError(error) || Date.now() - started >= OPEN_RETRY_MS) throw error
      pause(25 + Math.floor(Math.random() * 50))
    }
  }
}

function openOnce(file: string): OpenedDatabase {
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
