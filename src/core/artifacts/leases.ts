// Blob leases: how several processes on one registry home (the window, web mode, CLI calls) share
// the content-addressed store without removing each other's bytes.
//
// A call stores bytes, takes a lease on them, and only then relies on them (inspects, writes the
// row). When it ends, it gives the lease back; the bytes are removed then only if no row
// references them and no other live lease holds them. Both the lease and the removal happen
// under the database's write lock, and a lease taken after a removal sees the bytes gone and
// stores them again, so no interleaving leaves a row whose blob is missing or an orphan blob.
import type Database from 'better-sqlite3'
import { SlipwayError } from '../../api/errors'
import { processAlive, type BlobStore, type StoredBlob } from './blobs'

export interface LeasedBlob extends StoredBlob {
  leaseId: number
}

interface Stores {
  db: Database.Database
  blobs: BlobStore
}

const ATTEMPTS = 5

/** Whether a registry row refers to these bytes (a model version or a dataset). */
export function blobReferenced(db: Database.Database, sha256: string): boolean {
  return Boolean(
    db
      .prepare(
        'SELECT 1 FROM model_versions WHERE sha256 = ? UNION ALL SELECT 1 FROM datasets WHERE sha256 = ? LIMIT 1',
      )
      .get(sha256, sha256),
  )
}

/**
 * Stores a file's bytes and leases them. `expectedSha256`, when known, makes a file that changed
 * since it was hashed fail instead of storing other bytes. Give the lease back with
 * `releaseBlob` in a `finally`, whether the call succeeded or not.
 */
export async function leaseBlob(
  { db, blobs }: Stores,
  source: string,
  expectedSha256?: string,
): Promise<LeasedBlob> {
  const take = db.prepare('INSERT INTO blob_leases (sha256, pid, created_at) VALUES (?, ?, ?)')
  const drop = db.prepare('DELETE FROM blob_leases WHERE id = ?')
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const stored = await blobs.putFile(source, expectedSha256)
    const leaseId = db
      .transaction((): number | null => {
        const id = Number(
          take.run(stored.sha256, process.pid, new Date().toISOString()).lastInsertRowid,
        )
        if (blobs.has(stored.sha256)) return id
        // A failing call elsewhere removed the bytes between our copy and our lease.
        drop.run(id)
        return null
      })
      .immediate()
    if (leaseId !== null) return { ...stored, leaseId }
  }
  throw new SlipwayError(
    'INTERNAL',
    `Could not keep ${source} in the blob store: other calls removed it ${ATTEMPTS} times`,
  )
}

/**
 * Gives a lease back. The bytes stay when a row references them or another live call leases them;
 * otherwise (the call failed, or was cancelled) they are removed. Returns whether they were.
 */
export function releaseBlob({ db, blobs }: Stores, leased: LeasedBlob): boolean {
  return db
    .transaction((): boolean => {
      db.prepare('DELETE FROM blob_leases WHERE id = ?').run(leased.leaseId)
      return removeIfUnusedInTx({ db, blobs }, leased.sha256)
    })
    .immediate()
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
