// Datasets in the registry: import (hash, parse and profile in a worker, snapshot into the blob
// store, row + audit record in one transaction), look-up by id or name, list, remove.
import fs from 'node:fs'
import path from 'node:path'
import {
  uniqueDatasetName,
  type ColumnProfile,
  type DatasetDetail,
  type DatasetImported,
  type DatasetRef,
} from '../../api/datasets'
import { localTime } from '../../api/display'
import { SlipwayError, isSlipwayError } from '../../api/errors'
import type { DatasetSummary } from '../../api/registry'
import { hashFile } from '../artifacts/blobs'
import { leaseBlob, releaseBlob, removeBlobIfUnused, type LeasedBlob } from '../artifacts/leases'
import { moveToTrash } from '../trash/trash'
import { consumedUploadError } from '../artifacts/uploads'
import type { Actor, CoreContext, ResolvedFile } from '../context'
import { appendAudit, type AuditRecord } from '../governance/audit'
import { runTask } from '../jobs/run-task'
import { newSnapshotTmp, snapshotPath, type SnapshotRef } from './snapshot'
import type { DescribeTaskPayload, DescribedFile } from './tasks'

export type DatasetSummaryWithProfile = DatasetImported

export interface ImportOptions {
  /** Who imports: recorded with the dataset and signs its record. */
  actor: Actor
  name?: string
  signal?: AbortSignal
  onProgress?: (done: number, total: number | null, message: string) => void
  /** Parse in this thread instead of a worker (tests; the CLI on tiny files). */
  inProcess?: boolean
  /**
   * Given, the `dataset.import` audit record is handed here instead of written: a run that imports
   * its file writes it only when its result is stored, so a failed run leaves no record of a
   * dataset the user never saw.
   */
  deferAudit?: (record: AuditRecord) => void
}

export interface DatasetRow {
  id: number
  name: string
  sha256: string
  size: number
  format: 'csv' | 'parquet'
  row_count: number
  columns_json: string
  profile_json: string | null
  created_at: string
  created_by: string
  /** Set when the dataset was deleted with its results kept (its snapshot in the trash). */
  retired_at?: string | null
  /** The sha256 of its parsed table's snapshot (home/tables), when one was written. */
  table_sha256?: string | null
}

/**
 * A retired dataset ("delete, keep the results") still names its results but runs nothing: the
 * refusal names it, when it was deleted, and how to bring it back.
 */
export function refuseRetired(row: { id: number; name: string; retired_at?: string | null }): void {
  if (!row.retired_at) return
  throw new SlipwayError(
    'CONFLICT',
    `Dataset "${row.name}" (id ${row.id}) was deleted on ${localTime(row.retired_at)} with its results kept; it cannot be used for new runs. Restore it from the trash (\`slipway trash\`) or import the same file again`,
  )
}

// Files this small are parsed in the calling thread: starting a worker costs more than reading them.
const IN_PROCESS_BYTES = 256 * 1024

/** A stored dataset as the contract shows it; also the training data in a version's lineage. */
export function toDatasetSummary(row: DatasetRow): DatasetSummary {
  return {
    id: row.id,
    name: row.name,
    sha256: row.sha256,
    size: row.size,
    rows: row.row_count,
    columns: (JSON.parse(row.columns_json) as (string | { name: string })[]).map((c) =>
      typeof c === 'string' ? c : c.name,
    ),
    format: row.format,
    createdAt: row.created_at,
    createdBy: row.created_by,
    ...(row.retired_at ? { retiredAt: row.retired_at } : {}),
  }
}

const toDetail = (row: DatasetRow): DatasetDetail => ({
  ...toDatasetSummary(row),
  profile: row.profile_json ? (JSON.parse(row.profile_json) as ColumnProfile[]) : [],
})

/** The default name: the file name without its extension (`orders.csv` → `orders`). */
export function defaultDatasetName(fileName: string): string {
  // A file name may hold characters a dataset name may not (a newline, a tab): each run of them
  // becomes one space, and the result keeps to the name rules (DatasetName in the contract).
  // eslint-disable-next-line no-control-regex
  const base = path.basename(fileName).replace(/[\u0000-\u001f\u007f]+/g, ' ')
  const stem = base.replace(/\.(csv|tsv|txt|parquet|pq)$/i, '').trim()
  return (stem || base.trim() || 'dataset').slice(0, 200).trim()
}

/**
 * Small files are described in this thread (a worker costs more than the parse) except uploads:
 * they come from web mode, whose main thread answers every request and must never parse CSV.
 */
export const describeInProcess = (file: ResolvedFile, size: number): boolean =>
  !file.uploadId && size <= IN_PROCESS_BYTES

function findRow(core: CoreContext, ref: DatasetRef | string): DatasetRow | undefined {
  const { db } = core
  if (typeof ref === 'number' || /^\d+$/.test(ref)) {
    const byId = db.prepare('SELECT * FROM datasets WHERE id = ?').get(Number(ref)) as
      DatasetRow | undefined
    if (byId) return byId
  }
  // A dataset may be named with digits only ("2024"): an id that matches nothing is tried as a name.
  // A live dataset holds its name; a retired one is still found by it (to say it was deleted).
  const byName = db
    .prepare(
      'SELECT * FROM datasets WHERE name = ? ORDER BY retired_at IS NOT NULL, retired_at DESC LIMIT 1',
    )
    .get(String(ref)) as DatasetRow | undefined
  if (byName) return byName
  if (/^[0-9a-f]{8,64}$/.test(String(ref))) {
    const bySha = db
      .prepare('SELECT * FROM datasets WHERE sha256 LIKE ? ORDER BY id DESC LIMIT 2')
      .all(`${ref}%`) as DatasetRow[]
    if (bySha.length === 1) return bySha[0]
  }
  return undefined
}

const takenNames = (core: CoreContext): string[] =>
  (
    core.db.prepare('SELECT name FROM datasets WHERE retired_at IS NULL').all() as {
      name: string
    }[]
  ).map((r) => r.name)

const nameHolder = (core: CoreContext, name: string): DatasetRow | undefined =>
  core.db.prepare('SELECT * FROM datasets WHERE name = ? AND retired_at IS NULL').get(name) as
    DatasetRow | undefined

/** Names are unique: one taken is refused with the first free NAME-2, NAME-3, … suggested. */
export function refuseTakenName(core: CoreContext, name: string, exceptId?: number): void {
  const holder = nameHolder(core, name)
  if (!holder || holder.id === exceptId) return
  throw new SlipwayError(
    'CONFLICT',
    `Dataset name "${name}" is taken by dataset ${holder.id} (${holder.row_count} rows); choose another, e.g. "${uniqueDatasetName(name, takenNames(core))}"`,
  )
}

/** Renames a dataset; the name must be free. Recorded in the audit trail. */
export function renameDataset(
  core: CoreContext,
  actor: Actor,
  ref: DatasetRef,
  name: string,
): DatasetSummary {
  const { db } = core
  const row = findRow(core, ref)
  if (!row)
    throw new SlipwayError(
      'NOT_FOUND',
      `No dataset ${typeof ref === 'number' ? `with id ${ref}` : `"${ref}"`}`,
    )
  const wanted = name.trim()
  if (wanted === row.name) return toDatasetSummary(row)
  return db
    .transaction((): DatasetSummary => {
      refuseTakenName(core, wanted, row.id)
      db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(wanted, row.id)
      appendAudit(core, actor, {
        action: 'dataset.rename',
        details: { datasetId: row.id, from: row.name, to: wanted },
      })
      return toDatasetSummary(
        db.prepare('SELECT * FROM datasets WHERE id = ?').get(row.id) as DatasetRow,
      )
    })
    .immediate()
}

/** A dataset by id, name or sha256 prefix; NOT_FOUND otherwise. */
export function getDataset(core: CoreContext, idOrName: DatasetRef | string): DatasetDetail {
  const row = findRow(core, idOrName)
  if (!row)
    throw new SlipwayError(
      'NOT_FOUND',
      `No dataset ${typeof idOrName === 'number' ? `with id ${idOrName}` : `"${idOrName}"`}`,
    )
  return toDetail(row)
}

/** The dataset's snapshot in the blob store: the file every engine reads. */
export function datasetPath(core: CoreContext, id: number): string {
  const row = core.db
    .prepare('SELECT id, sha256, name, retired_at FROM datasets WHERE id = ?')
    .get(id) as { id: number; sha256: string; name: string; retired_at: string | null } | undefined
  if (!row) throw new SlipwayError('NOT_FOUND', `No dataset with id ${id}`)
  refuseRetired(row)
  const file = core.blobs.pathFor(row.sha256)
  if (!core.blobs.has(row.sha256)) {
    throw new SlipwayError(
      'NOT_FOUND',
      `Dataset "${row.name}" (id ${id}): its file is missing from the blob store (\`slipway doctor\` checks the store)`,
    )
  }
  return file
}

export function listDatasets(core: CoreContext): DatasetSummary[] {
  const rows = core.db
    .prepare('SELECT * FROM datasets WHERE retired_at IS NULL ORDER BY id DESC')
    .all() as DatasetRow[]
  return rows.map(toDatasetSummary)
}

const isUniqueViolation = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE'

/**
 * The same bytes as a dataset deleted with its results kept bring that dataset back, rather than
 * a second row: its results find their data again, and a file re-imported after the purge is not
 * a dead end. The caller holds the bytes (a lease, or the trash entry this drops). Its old name
 * comes back when free (else the first free NAME-2); a name the user asked for must be free.
 */
function reviveRetired(
  core: CoreContext,
  actor: Actor,
  row: DatasetRow,
  file: ResolvedFile,
  asked?: string,
): DatasetImported {
  const { db } = core
  if (file.uploadId) core.uploads.remove(file.uploadId)
  const revived = db
    .transaction((): DatasetRow => {
      if (asked) refuseTakenName(core, asked, row.id)
      const name =
        asked ||
        (nameHolder(core, row.name) ? uniqueDatasetName(row.name, takenNames(core)) : row.name)
      const trash = db
        .prepare(
          "SELECT id FROM trash WHERE kind = 'dataset' AND item_id = ? AND blob_sha256 = ? ORDER BY id DESC",
        )
        .get(row.id, row.sha256) as { id: number } | undefined
      if (trash) db.prepare('DELETE FROM trash WHERE id = ?').run(trash.id)
      db.prepare('UPDATE datasets SET retired_at = NULL, name = ? WHERE id = ?').run(name, row.id)
      appendAudit(core, actor, {
        action: 'dataset.restore',
        details: {
          datasetId: row.id,
          name,
          sha256: row.sha256,
          reimported: true,
          ...(trash ? { trashId: trash.id } : {}),
        },
      })
      return db.prepare('SELECT * FROM datasets WHERE id = ?').get(row.id) as DatasetRow
    })
    .immediate()
  return { ...toDetail(revived), existing: true }
}

function existingResult(core: CoreContext, row: DatasetRow, file: ResolvedFile): DatasetImported {
  if (file.uploadId) core.uploads.remove(file.uploadId)
  refuseRetired(row)
  return { ...toDetail(row), existing: true }
}

/**
 * Imports a CSV or Parquet file as a dataset. The same bytes imported again return the existing
 * dataset (`existing: true`). On any failure nothing is left behind: no row, and no blob that this
 * call created. An uploaded file is removed once consumed, whether the import succeeded or not
 * (every face uploads again to retry), so a refused upload does not linger for a day.
 */
export async function importDataset(
  core: CoreContext,
  file: ResolvedFile,
  options: ImportOptions,
): Promise<DatasetImported> {
  try {
    return await importFile(core, file, options)
  } catch (error) {
    throw consumedUploadError(file, error)
  } finally {
    if (file.uploadId) core.uploads.remove(file.uploadId)
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown }
const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )

const badFile = (file: ResolvedFile, error: unknown): SlipwayError =>
  isSlipwayError(error)
    ? error
    : new SlipwayError(
        'BAD_FILE',
        `${file.fileName}: ${error instanceof Error ? error.message : String(error)}`,
      )

/**
 * One read of the file for the hash and the snapshot (the blob store copies while hashing) runs
 * on this thread while the worker parses and profiles it: the import costs the parse, not hash +
 * parse + copy. A file the size of a dataset already stored is hashed first, so importing the
 * same bytes again still costs one hash and no parse.
 */
async function importFile(
  core: CoreContext,
  file: ResolvedFile,
  options: ImportOptions,
): Promise<DatasetImported> {
  const { db } = core
  const asked = options.name?.trim()
  // Checked before the file is read, so a taken name costs nothing; checked again on insert.
  if (asked) refuseTakenName(core, asked)
  const progress = options.onProgress ?? ((): void => {})
  const cancelled = (): SlipwayError =>
    new SlipwayError('CANCELLED', `${file.fileName}: import cancelled`)
  const bySha = db.prepare('SELECT * FROM datasets WHERE sha256 = ?')
  const size = statSize(file)
  if (db.prepare('SELECT 1 FROM datasets WHERE size = ? LIMIT 1').get(size)) {
    progress(0, null, `Hashing ${file.fileName}`)
    const { sha256 } = await hashFile(file.path)
    if (options.signal?.aborted) throw cancelled()
    const known = bySha.get(sha256) as DatasetRow | undefined
    // A retired dataset's bytes are leased below first, so it comes back with its data held.
    if (known && !known.retired_at) return existingResult(core, known, file)
  }
  if (options.signal?.aborted) throw cancelled()

  // The parse stops when the caller cancels, and when the hash finds the bytes already stored.
  const parse = new AbortController()
  const stopParse = (): void => parse.abort()
  options.signal?.addEventListener('abort', stopParse, { once: true })
  // The worker writes the table's snapshot here; kept (renamed) only with the dataset's row.
  const snapshotTmp = newSnapshotTmp(core.home)
  try {
    progress(0, null, `Reading ${file.fileName}`)
    const payload: DescribeTaskPayload = { path: file.path, fileName: file.fileName, snapshotTmp }
    const describing = settle(
      runTask('dataset-describe', payload, {
        signal: parse.signal,
        onProgress: progress,
        inProcess: options.inProcess ?? describeInProcess(file, size),
      }),
    )
    const leased = await settle(leaseBlob(core, file.path))
    if (!leased.ok) {
      parse.abort()
      await describing
      throw badFile(file, leased.error)
    }
    const blob: LeasedBlob = leased.value
    try {
      const known = bySha.get(blob.sha256) as DatasetRow | undefined
      if (known) {
        parse.abort()
        await describing
        return known.retired_at
          ? reviveRetired(core, options.actor, known, file, asked)
          : existingResult(core, known, file)
      }
      const described = await describing
      if (options.signal?.aborted) throw cancelled()
      if (!described.ok) throw described.error
      progress(1000, 1000, `Storing ${file.fileName}`)
      return storeDescribed(core, {
        actor: options.actor,
        name: asked || defaultDatasetName(file.fileName),
        asked: Boolean(asked),
        file,
        blob,
        described: described.value,
        snapshotTmp,
      })
    } finally {
      // The bytes stay when the row was written or another call uses them; else they go.
      releaseBlob(core, blob)
    }
  } finally {
    options.signal?.removeEventListener('abort', stopParse)
    fs.rmSync(snapshotTmp, { force: true })
  }
}

function statSize(file: ResolvedFile): number {
  try {
    return fs.statSync(file.path).size
  } catch (error) {
    throw badFile(file, error)
  }
}

/** Writes the row of a described file whose bytes `blob` leases; the same bytes stored first win. */
function storeDescribed(
  core: CoreContext,
  d: {
    actor: Actor
    name: string
    /** The user chose `name`: refused when taken, rather than numbered. */
    asked: boolean
    file: ResolvedFile
    blob: LeasedBlob
    described: DescribedFile
    /** Where the worker wrote `described.snapshot`. */
    snapshotTmp?: string
  },
  deferAudit?: (record: AuditRecord) => void,
): DatasetImported {
  const { db } = core
  let id: number
  try {
    // A name the user asked for is refused when taken; a default one takes the first free NAME-2.
    const name = d.asked ? d.name : uniqueDatasetName(d.name, takenNames(core))
    id = insertDataset(
      core,
      d.actor,
      {
        name,
        sha256: d.blob.sha256,
        size: d.blob.size,
        file: d.file,
        described: d.described,
      },
      deferAudit,
    )
  } catch (error) {
    if (isUniqueViolation(error) && d.asked && nameHolder(core, d.name))
      refuseTakenName(core, d.name)
    if (isUniqueViolation(error)) {
      // Another import of the same bytes finished first; its row owns the blob.
      const row = db.prepare('SELECT * FROM datasets WHERE sha256 = ?').get(d.blob.sha256) as
        DatasetRow | undefined
      if (row) return existingResult(core, row, d.file)
    }
    throw error
  }
  if (d.file.uploadId) core.uploads.remove(d.file.uploadId)
  if (d.described.snapshot && d.snapshotTmp)
    keepSnapshot(core, d.snapshotTmp, d.described.snapshot.sha256)
  const row = db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow
  return { ...toDetail(row), existing: false }
}

/**
 * Puts a written snapshot where its row's sha256 names it. A failure only costs speed: runs find
 * no snapshot and parse the dataset's file.
 */
function keepSnapshot(core: CoreContext, tmpPath: string, sha256: string): void {
  try {
    fs.renameSync(tmpPath, snapshotPath(core.home, sha256))
  } catch {
    fs.rmSync(tmpPath, { force: true })
  }
}

/** The snapshot of a dataset whose row records one (runs check its hash as they read it). */
export function datasetSnapshot(core: CoreContext, id: number): SnapshotRef | undefined {
  const row = core.db.prepare('SELECT table_sha256 FROM datasets WHERE id = ?').get(id) as
    { table_sha256: string | null } | undefined
  if (!row?.table_sha256) return undefined
  return { path: snapshotPath(core.home, row.table_sha256), sha256: row.table_sha256 }
}

/**
 * A file a run (evaluation, shadow, gate check) imports while it parses it anyway: its bytes are
 * leased in the blob store; the run's own parse describes it (`completeImport`), so the file is
 * parsed once, not once to import and once to evaluate.
 */
export interface PendingImport {
  actor: Actor
  file: ResolvedFile
  name: string
  /** The user chose `name`: refused when taken, rather than numbered. */
  asked: boolean
  blob: LeasedBlob
}

/**
 * Copies and hashes the file into the blob store (one read). Bytes already imported give their
 * dataset; otherwise the import waits for the run's parse. An upload is consumed either way.
 */
export async function beginImport(
  core: CoreContext,
  file: ResolvedFile,
  options: { actor: Actor; name?: string; signal?: AbortSignal },
): Promise<{ existing: DatasetImported } | { pending: PendingImport }> {
  try {
    const asked = options.name?.trim()
    // Checked before the file is copied, so a taken name costs nothing; checked again on insert.
    if (asked) refuseTakenName(core, asked)
    const blob = await settle(leaseBlob(core, file.path))
    if (!blob.ok) throw badFile(file, blob.error)
    const known = core.db
      .prepare('SELECT * FROM datasets WHERE sha256 = ?')
      .get(blob.value.sha256) as DatasetRow | undefined
    if (known || options.signal?.aborted) {
      try {
        if (!known) throw new SlipwayError('CANCELLED', `${file.fileName}: import cancelled`)
        return {
          existing: known.retired_at
            ? reviveRetired(core, options.actor, known, file, asked)
            : existingResult(core, known, file),
        }
      } finally {
        releaseBlob(core, blob.value)
      }
    }
    const name = asked || defaultDatasetName(file.fileName)
    return {
      pending: { actor: options.actor, file, name, asked: Boolean(asked), blob: blob.value },
    }
  } catch (error) {
    throw consumedUploadError(file, error)
  } finally {
    if (file.uploadId) core.uploads.remove(file.uploadId)
  }
}

/** Stores the dataset of a pending import from the description the run's parse made. */
export function completeImport(
  core: CoreContext,
  pending: PendingImport,
  described: DescribedFile,
  deferAudit?: (record: AuditRecord) => void,
  /** Where the run wrote `described.snapshot`, to keep with the row. */
  snapshotTmp?: string,
): DatasetImported {
  try {
    return storeDescribed(core, { ...pending, described, snapshotTmp }, deferAudit)
  } finally {
    releaseBlob(core, pending.blob)
  }
}

/** Gives up a pending import (the run failed or was cancelled): its bytes go unless used. */
export function abandonImport(core: CoreContext, pending: PendingImport): void {
  releaseBlob(core, pending.blob)
}

/** Writes the dataset row and its audit record in one transaction; returns the row id. */
function insertDataset(
  core: CoreContext,
  actor: Actor,
  d: {
    name: string
    sha256: string
    size: number
    file: ResolvedFile
    described: DescribedFile
  },
  deferAudit?: (record: AuditRecord) => void,
): number {
  const { db } = core
  const columns = d.described.columns.map((c) => c.name)
  return db
    .transaction((): number => {
      const id = Number(
        db
          .prepare(
            `INSERT INTO datasets (name, sha256, size, format, row_count, columns_json, profile_json, created_at, created_by, table_sha256)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            d.name,
            d.sha256,
            d.size,
            d.described.format,
            d.described.rows,
            JSON.stringify(columns),
            JSON.stringify(d.described.columns),
            new Date().toISOString(),
            actor.name,
            d.described.snapshot?.sha256 ?? null,
          ).lastInsertRowid,
      )
      const record: AuditRecord = {
        action: 'dataset.import',
        details: {
          datasetId: id,
          name: d.name,
          fileName: d.file.fileName,
          sha256: d.sha256,
          size: d.size,
          format: d.described.format,
          rows: d.described.rows,
          columns: columns.length,
        },
      }
      if (deferAudit) deferAudit(record)
      else appendAudit(core, actor, record)
      return id
    })
    .immediate()
}

/**
 * Removes a dataset no model version or stored result refers to, and its snapshot. With
 * `keepResults`, a dataset that stored results use is retired instead: its snapshot goes to the
 * trash, its row stays (out of lists, refused for new runs) so those results keep opening.
 */
export function removeDataset(
  core: CoreContext,
  ref: DatasetRef,
  actor: Actor,
  { audit = true, keepResults = false }: { audit?: boolean; keepResults?: boolean } = {},
): { id: number; removed: true; trashId: number } {
  const { db } = core
  const row = findRow(core, ref)
  if (!row)
    throw new SlipwayError(
      'NOT_FOUND',
      `No dataset ${typeof ref === 'number' ? `with id ${ref}` : `"${ref}"`}`,
    )
  if (row.retired_at)
    throw new SlipwayError(
      'NOT_FOUND',
      `Dataset "${row.name}" (id ${row.id}) was already deleted on ${localTime(row.retired_at)} (its results kept)`,
    )
  const versions = db
    .prepare('SELECT COUNT(*) AS n FROM model_versions WHERE training_dataset_id = ?')
    .get(row.id) as { n: number }
  if (versions.n > 0) {
    throw new SlipwayError(
      'CONFLICT',
      `Dataset "${row.name}" (id ${row.id}) is the training data of ${versions.n} model ${versions.n === 1 ? 'version' : 'versions'}; it cannot be removed`,
    )
  }
  // Stored results name their data: say which, so the user can delete them or keep the dataset.
  const ids = (sql: string): number[] =>
    (db.prepare(sql).all(row.id) as { id: number }[]).map((r) => r.id)
  const evaluations = ids('SELECT id FROM evaluations WHERE dataset_id = ? ORDER BY id')
  const comparisons = ids('SELECT id FROM shadow_comparisons WHERE dataset_id = ? ORDER BY id')
  if ((evaluations.length || comparisons.length) && keepResults && audit) {
    const retired = db
      .transaction(() => {
        const trashId = moveToTrash(db, actor, {
          kind: 'dataset',
          id: row.id,
          title: `Dataset ${row.id} ("${row.name}"), results kept`,
          blob: row.sha256,
          keepRow: true,
        })
        db.prepare('UPDATE datasets SET retired_at = ? WHERE id = ?').run(
          new Date().toISOString(),
          row.id,
        )
        appendAudit(core, actor, {
          action: 'dataset.remove',
          details: {
            datasetId: row.id,
            name: row.name,
            sha256: row.sha256,
            trashId,
            keptResults: { evaluations, comparisons },
          },
        })
        return { id: row.id, removed: true as const, trashId }
      })
      .immediate()
    dropSnapshotIfUnused(core, row.table_sha256)
    return retired
  }
  if (evaluations.length || comparisons.length) {
    const uses = [
      evaluations.length
        ? `${evaluations.length === 1 ? 'evaluation' : 'evaluations'} ${evaluations.join(', ')}`
        : '',
      comparisons.length
        ? `${comparisons.length === 1 ? 'comparison' : 'comparisons'} ${comparisons.join(', ')}`
        : '',
    ].filter(Boolean)
    throw new SlipwayError(
      'CONFLICT',
      `Dataset "${row.name}" (id ${row.id}) is the data of ${uses.join(' and ')}; it is kept so those results stay checkable. Delete those results first, or delete it keeping them (\`--keep-results\`)`,
    )
  }
  let trashId = 0
  try {
    db.transaction(() => {
      // A dataset whose import was never recorded (a failed run's) leaves no removal record either,
      // and no trash entry; any other waits in the trash, its snapshot kept, until the purge.
      if (audit) {
        trashId = moveToTrash(db, actor, {
          kind: 'dataset',
          id: row.id,
          title: `Dataset ${row.id} ("${row.name}")`,
          blob: row.sha256,
        })
        appendAudit(core, actor, {
          action: 'dataset.remove',
          details: { datasetId: row.id, name: row.name, sha256: row.sha256, trashId },
        })
      } else db.prepare('DELETE FROM datasets WHERE id = ?').run(row.id)
    }).immediate()
  } catch (error) {
    if (
      typeof error === 'object' &&
      error !== null &&
      (error as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY'
    ) {
      throw new SlipwayError(
        'CONFLICT',
        `Dataset "${row.name}" (id ${row.id}) is used by stored evaluations or drift runs; it cannot be removed`,
      )
    }
    throw error
  }
  if (!audit) removeBlobIfUnused(core, row.sha256)
  dropSnapshotIfUnused(core, row.table_sha256)
  return { id: row.id, removed: true, trashId }
}

/**
 * Removes a snapshot nothing names any more: no live dataset, and no dataset waiting in the
 * trash (whose snapshot is kept until the purge, so a dataset brought back reads it again).
 */
export function dropSnapshotIfUnused(core: CoreContext, sha256: string | null | undefined): void {
  if (sha256 && !snapshotInUse(core.db, sha256))
    fs.rmSync(snapshotPath(core.home, sha256), { force: true })
}

/**
 * True when a live dataset names this snapshot, or a dataset in the trash does (deleted, or
 * retired with its results kept): until the purge it can come back, and reads it again.
 */
export const snapshotInUse = (db: CoreContext['db'], sha256: string): boolean =>
  Boolean(
    db
      .prepare(
        `SELECT 1 FROM datasets WHERE table_sha256 = ? AND retired_at IS NULL
         UNION ALL
         SELECT 1 FROM trash WHERE kind = 'dataset' AND json_extract(row_json, '$.table_sha256') = ?
         LIMIT 1`,
      )
      .get(sha256, sha256),
  )
