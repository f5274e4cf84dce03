// SQLite's "database is locked": another process on the same registry home (the window, web mode,
// a CLI command) held the write lock longer than the busy timeout. Said as BUSY, in words.
import { SlipwayError } from '../../api/errors'

/** The busy timeout every connection waits for the write lock (see open.ts). */
export const BUSY_TIMEOUT_MS = 5000

/** Whether an error is SQLite's busy or locked error (from better-sqlite3). */
export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (
    typeof code === 'string' &&
    (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
  )
    return true
  return error instanceof Error && /^database (is|table is) locked/.test(error.message)
}

/** The BUSY error a call fails with when it could not get the write lock; nothing was changed. */
export const busyError = (what = 'This call'): SlipwayError =>
  new SlipwayError(
    'BUSY',
    `${what} could not run: the registry is busy, another Slipway process (the window, web mode or a command) has held its write lock for more than ${BUSY_TIMEOUT_MS / 1000} s. Nothing was changed; try again when it has finished.`,
  )

/** Rethrows SQLite's busy error as BUSY; any other error unchanged. */
export function asBusy(error: unknown, what?: string): unknown {
  return isBusyError(error) ? busyError(what) : error
}
