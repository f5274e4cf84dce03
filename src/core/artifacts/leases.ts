// Blob leases: how several processes on one registry home (the window, web mode, CLI calls) share
// the content-addressed store without removing each other's bytes.
//
// A call copies bytes to a temporary name, takes a lease on their hash, and only then puts them
// under their real name and relies on them (inspects, writes the row). When it ends, it gives the
// lease back; the bytes are removed then only if no row references them and no other live lease
// holds them. The lease and the removal happen under the database's write lock, and the bytes get
// their real name only while a lease holds them, so no interleaving leaves a row whose blob is
// missing, and a failure or a kill at any step leaves only what the start-up sweeps remove: a
// temporary file of a dead process, a dead process's lease, or (from older versions) a blob that
// nothing references, past a grace period.
import path from 'node:path'
import type Database from 'better-sqlite3'
import { asBusy, isBusyError } from '../db/busy'
import { processAlive, type BlobStore, type StoredBlob } from './blobs'

export interface LeasedBlob extends StoredBlob {
  leaseId: number
}

interface Stores {
  db: Database.Database
  blobs: BlobStore
}

/** Whether a registry row refers to these bytes (a model version or a dataset). */
export function blobReferenced(db: Database.Database, sha256: string): boolean {
  return Boolean(
    db
      .prepare(
        // A deleted dataset's snapshot is held by its trash entry until the purge; a retired
        // dataset (deleted, results kept) holds none once its entry is purged.
        'SELECT 1 FROM model_versions WHERE sha256 = ? UNION ALL SELECT 1 FROM datasets WHERE sha256 = ? AND retired_at IS NULL UNION ALL SELECT 1 FROM trash WHERE blob_sha256 = ? LIMIT 1',
      )
      .get(sha256, sha256, sha256),
  )
}

/**
 * Stores a file's bytes and leases them. `expectedSha256`, when known, makes a file that changed
 * since it was hashed fail instead of storing other bytes. Give the lease back with
 * `releaseBlob` in a `finally`, whether the call succeeded or not. A registry whose write lock
 * another process holds too long fails with BUSY, leaving nothing behind.
 */
export async function leaseBlob(
  { db, blobs }: Stores,
  source: string,
  expectedSha256?: string,
): Promise<LeasedBlob> {
  const staged = await blobs.stage(source, expectedSha256)
  let leaseId: number
  try {
    leaseId = Number(
      db
        .prepare('INSERT INTO blob_leases (sha256, pid, created_at) VALUES (?, ?, ?)')
        .run(staged.sha256, process.pid, new Date().toISOString()).lastInsertRowid,
    )
  } catch (error) {
    blobs.discard(staged)
    throw asBusy(error, `Storing ${path.basename(source)}`)
  }
  // Leased: no other call removes these bytes now, so they can take their real name.
  try {
    return { ...blobs.commit(staged), leaseId }
  } catch (error) {
    try {
      db.prepare('DELETE FROM blob_leases WHERE id = ?').run(leaseId)
    } catch {
      // left to the dead-lease sweep
    }
    throw error
  }
}

/**
 * Gives a lease back. The bytes stay when a row references them or another live call leases them;
 * otherwise (the call failed, or was cancelled) they are removed. Returns whether they were.
 */
export function releaseBlob({ db, blobs }: Stores, leased: LeasedBlob): boolean {
  try {
    return db
      .transaction((): boolean => {
        db.prepare('DELETE FROM blob_leases WHERE id = ?').run(leased.leaseId)
        return removeIfUnusedInTx({ db, blobs }, leased.sha256)
      })
      .immediate()
  } catch (error) {
    // A busy registry must not hide the call's own outcome: the lease stays, and the start-up
    // sweep of the next process drops it (and the bytes, when unused) once this one has ended.
    if (isBusyError(error)) return false
    throw error
  }
}

/**
 * Removes bytes nothing uses any more (a removed dataset's, say), deciding under the write lock.
 * Returns whether they were removed.
 */
export function removeBlobIfUnused(stores: Stores, sha256: string): boolean {
  return stores.db.transaction(() => removeIfUnusedInTx(stores, sha256)).immediate()
}

function removeIfUnusedInTx({ db, blobs }: Stores, sha256: string): boolean {
  if (blobReferenced(db, sha256)) return false
  const holders = db.prepare('SELECT pid FROM blob_leases WHERE sha256 = ?').all(sha256) as {
    pid: number
  }[]
  if (holders.some((h) => processAlive(h.pid))) return false
  db.prepare('DELETE FROM blob_leases WHERE sha256 = ?').run(sha256)
  blobs.remove(sha256)
  return true
}

/**
 * Leases left by processes that died mid-call (a crash, a killed CLI): dropped at start-up, and
 * the bytes they held removed when nothing else uses them. Returns how many blobs were removed.
 */
export function sweepDeadLeases(stores: Stores): number {
  const dead = (
    stores.db.prepare('SELECT id, sha256, pid FROM blob_leases').all() as {
      id: number
      sha256: string
      pid: number
    }[]
  ).filter((l) => !processAlive(l.pid))
  if (dead.length === 0) return 0
  return stores.db
    .transaction((): number => {
      const drop = stores.db.prepare('DELETE FROM blob_leases WHERE id = ?')
      for (const lease of dead) drop.run(lease.id)
      let removed = 0
      for (const sha256 of new Set(dead.map((l) => l.sha256)))
        if (removeIfUnusedInTx(stores, sha256)) removed++
      return removed
    })
    .immediate()
}

/** How old a blob nothing references or leases must be before the start-up sweep removes it. */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000

/** Hashes of blobs that no row references and no live call leases (the store's orphans). */
export function findOrphanBlobs({
  db,
  blobs,
}: Stores): { sha256: string; path: string; mtimeMs: number }[] {
  const leased = new Set(
    (db.prepare('SELECT sha256, pid FROM blob_leases').all() as { sha256: string; pid: number }[])
      .filter((l) => processAlive(l.pid))
      .map((l) => l.sha256),
  )
  return blobs.list().filter((b) => !leased.has(b.sha256) && !blobReferenced(db, b.sha256))
}

/**
 * Removes blobs that nothing references or leases and that are older than `graceMs` (a writer of
 * an older version may still be between storing its bytes and leasing them). Each removal is
 * decided again under the write lock. Returns the hashes removed.
 */
export function sweepOrphanBlobs(
  stores: Stores,
  { graceMs = ORPHAN_GRACE_MS, now = Date.now() }: { graceMs?: number; now?: number } = {},
): string[] {
  const candidates = findOrphanBlobs(stores).filter((b) => now - b.mtimeMs >= graceMs)
  if (!candidates.length) return []
  return stores.db
    .transaction((): string[] =>
      candidates.filter((b) => removeIfUnusedInTx(stores, b.sha256)).map((b) => b.sha256),
    )
    .immediate()
}
