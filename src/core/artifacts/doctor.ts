// `doctor`: checks a registry home end to end (the database, every blob against its hash, rows
// whose blob is gone, blobs nothing references, leftovers of crashed calls) and, asked to repair,
// removes what is safe to remove. Bytes that do not match their hash, or a damaged database, are
// reported, never "repaired": only the user knows which copy is right.
import fs from 'node:fs'
import path from 'node:path'
import type { DoctorProblem, DoctorReport } from '../../api/app'
import type { CoreContext } from '../context'
import { hashFile, processAlive } from './blobs'
import { findOrphanBlobs, removeBlobIfUnused, sweepDeadLeases } from './leases'

interface StoredRow {
  subject: string
  sha256: string
}

export async function runDoctor(core: CoreContext, { repair = false } = {}): Promise<DoctorReport> {
  const { db, blobs } = core
  const problems: DoctorProblem[] = []
  const databaseIntegrity = (
    db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]
  ).map((row) => row.integrity_check)
  if (databaseIntegrity.join() !== 'ok') {
    problems.push({
      kind: 'database',
      subject: 'registry.sqlite',
      message: `SQLite's integrity check failed: ${databaseIntegrity.slice(0, 5).join('; ')}. Restore the registry from a backup; doctor does not repair the database.`,
      repaired: false,
    })
  }

  const versions = db
    .prepare(
      'SELECT m.name AS model, v.version, v.sha256 FROM model_versions v JOIN models m ON m.id = v.model_id ORDER BY m.name, v.version',
    )
    .all() as { model: string; version: number; sha256: string }[]
  const datasets = db
    // A retired dataset (deleted, results kept) has no snapshot to check: it is in the trash or purged.
    .prepare('SELECT id, name, sha256 FROM datasets WHERE retired_at IS NULL ORDER BY id')
    .all() as {
    id: number
    name: string
    sha256: string
  }[]
  const rows: StoredRow[] = [
    ...versions.map((v) => ({ subject: `${v.model} v${v.version}`, sha256: v.sha256 })),
    ...datasets.map((d) => ({ subject: `dataset "${d.name}" (id ${d.id})`, sha256: d.sha256 })),
  ]
  // Each blob is hashed once, however many rows share it.
  const verdicts = new Map<string, 'ok' | 'missing' | string>()
  let bytesHashed = 0
  for (const row of rows) {
    let verdict = verdicts.get(row.sha256)
    if (verdict === undefined) {
      const file = blobs.pathFor(row.sha256)
      if (!fs.existsSync(file)) verdict = 'missing'
      else {
        const { sha256, size } = await hashFile(file)
        bytesHashed += size
        verdict = sha256 === row.sha256 ? 'ok' : sha256
      }
      verdicts.set(row.sha256, verdict)
    }
    if (verdict === 'missing')
      problems.push({
        kind: 'missing-blob',
        subject: row.subject,
        message: `${row.subject}: its stored file (sha256 ${row.sha256.slice(0, 12)}…) is missing from the blob store; register or import the original file again to restore it`,
        repaired: false,
      })
    else if (verdict !== 'ok')
      problems.push({
        kind: 'hash-mismatch',
        subject: row.subject,
        message: `${row.subject}: its stored file does not match its recorded SHA-256 (expected ${row.sha256.slice(0, 12)}…, found ${verdict.slice(0, 12)}…); runs refuse it. Register or import the original file again to restore it`,
        repaired: false,
      })
  }

  for (const orphan of findOrphanBlobs(core)) {
    const repaired = repair && removeBlobIfUnused(core, orphan.sha256)
    problems.push({
      kind: 'orphan-blob',
      subject: orphan.sha256,
      message: `Blob ${orphan.sha256.slice(0, 12)}… (${fs.statSync(orphan.path, { throwIfNoEntry: false })?.size ?? 0} bytes) is referenced by no model version or dataset${repaired ? ': removed' : ''}`,
      repaired,
    })
  }

  const tmpDir = path.join(blobs.root, 'tmp')
  const leftovers = fs.readdirSync(tmpDir).filter((name) => {
    const writer = /^p(\d+)-/.exec(name)
    return !writer || !processAlive(Number(writer[1]))
  })
  for (const name of leftovers) {
    // Its writer has ended, so no call will ever rename it into the store.
    if (repair) fs.rmSync(path.join(tmpDir, name), { force: true })
    problems.push({
      kind: 'temporary-file',
      subject: name,
      message: `A temporary file left by a call that did not finish: ${name}${repair ? ': removed' : ''}`,
      repaired: repair,
    })
  }

  const deadLeases = (
    db.prepare('SELECT pid, sha256 FROM blob_leases').all() as { pid: number; sha256: string }[]
  ).filter((lease) => !processAlive(lease.pid))
  if (deadLeases.length) {
    if (repair) sweepDeadLeases(core)
    for (const lease of deadLeases)
      problems.push({
        kind: 'dead-lease',
        subject: lease.sha256,
        message: `A lease on blob ${lease.sha256.slice(0, 12)}… held by process ${lease.pid}, which has ended${repair ? ': dropped' : ''}`,
        repaired: repair,
      })
  }

  return {
    databaseIntegrity,
    versionsChecked: versions.length,
    datasetsChecked: datasets.length,
    bytesHashed,
    problems,
    healthy: problems.every((problem) => problem.repaired),
  }
}
