// The dataset a run reads: a stored dataset, or a file the run imports from its own parse. Shared
// by evaluations, shadow comparisons, gate checks and retraining runs.
import fs from 'node:fs'
import type { FileRef } from '../../api/common'
import type { DatasetInput } from '../../api/evaluation'
import { SlipwayError } from '../../api/errors'
import type { Actor, CallContext, CoreContext } from '../context'
import {
  abandonImport,
  beginImport,
  completeImport,
  datasetPath,
  datasetSnapshot,
  defaultDatasetName,
  getDataset,
  removeDataset,
  type PendingImport,
} from '../data/import'
import { newSnapshotTmp, type SnapshotRef } from '../data/snapshot'
import type { DescribedFile } from '../data/tasks'
import { appendAudit, type AuditRecord } from '../governance/audit'
import type { JobContext } from '../jobs/manager'
import { runTask } from '../jobs/run-task'
import type { TaskPayload, TaskResult } from '../jobs/tasks'

export interface DatasetForRun {
  /** 0 while `pending`: the row is written once the run's parse has described the file. */
  id: number
  name: string
  sha256: string
  path: string
  /** The dataset's parsed table (snapshot.ts), read instead of `path` when its hash matches. */
  table?: SnapshotRef
  /** True when this run imported the file itself (it did not exist before). */
  importedNow?: boolean
  /** A file this run imports from its own parse (see `beginImport`). */
  pending?: PendingImport
  /**
   * A file being stored (copied and hashed into the blob store) while the run reads it: settled
   * into `pending` (or the dataset holding those bytes already) once the run has read it.
   */
  storing?: Promise<Begun>
  /** The name of the file this run imports, for its messages and format detection. */
  importFileName?: string
  /** The import's audit record, written with the run's result (see ImportOptions.deferAudit). */
  pendingAudit?: AuditRecord
  /**
   * Where the run writes the snapshot of a file it imports (snapshot.ts): kept under the
   * dataset's snapshot name with its row, removed in any other case (see runOnDataset).
   */
  snapshotTmp?: string
}

/**
 * What a run's payload says about a pending import: describe the table, and read the file by its
 * own name (parse messages and format detection go by it, as the import's would).
 */
export const importFields = (
  dataset: DatasetForRun,
): { describe?: true; datasetFileName?: string; snapshotTmp?: string } =>
  dataset.pending || dataset.storing
    ? {
        describe: true,
        datasetFileName: dataset.importFileName ?? dataset.pending?.file.fileName,
        snapshotTmp: dataset.snapshotTmp,
      }
    : {}

type Begun = Awaited<ReturnType<typeof beginImport>>

/**
 * Waits for the file being stored while the run read it: its bytes become the run's pending
 * import, or, when a dataset holds them already, the run's dataset is that one (the run's own
 * description of the file is then not needed).
 */
async function settleStoring(core: CoreContext, dataset: DatasetForRun): Promise<void> {
  const storing = dataset.storing
  if (!storing) return
  dataset.storing = undefined
  const begun = await storing
  if ('existing' in begun) {
    const { id, name, sha256 } = begun.existing
    Object.assign(dataset, { id, name, sha256, path: datasetPath(core, id) })
    dataset.table = datasetSnapshot(core, id)
    return
  }
  dataset.pending = begun.pending
  dataset.sha256 = begun.pending.blob.sha256
  dataset.path = begun.pending.blob.path
}

/** Writes the dataset row of a pending import from the description the run returned. */
export function finishImport(
  core: CoreContext,
  dataset: DatasetForRun,
  described: DescribedFile | undefined,
): void {
  const pending = dataset.pending
  if (!pending) return
  if (!described) throw new SlipwayError('INTERNAL', `${dataset.name}: the run did not describe it`)
  dataset.pending = undefined
  const imported = completeImport(
    core,
    pending,
    described,
    (record) => {
      dataset.pendingAudit = record
    },
    dataset.snapshotTmp,
  )
  dataset.id = imported.id
  dataset.importedNow = !imported.existing
  dataset.table = datasetSnapshot(core, imported.id)
}

/** Inside the transaction storing a run's result: records the import of the run's dataset first. */
export function recordPendingImport(core: CoreContext, actor: Actor, dataset: DatasetForRun): void {
  if (!dataset.pendingAudit) return
  appendAudit(core, actor, dataset.pendingAudit)
  dataset.pendingAudit = undefined
}

/**
 * Stores a run's result; a dataset removed (by another call or process) while it was being
 * evaluated is said in words instead of SQLite's foreign-key error.
 */
export function storingRun<T>(core: CoreContext, dataset: DatasetForRun, store: () => T): T {
  try {
    return store()
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    const gone = !core.db.prepare('SELECT 1 FROM datasets WHERE id = ?').get(dataset.id)
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' && gone)
      throw new SlipwayError(
        'NOT_FOUND',
        `Dataset "${dataset.name}" (id ${dataset.id}) was removed while it was being evaluated, so the result was not stored; import it again and rerun`,
      )
    throw error
  }
}

/**
 * Runs `work` on the prepared dataset; when the work fails or is cancelled, a dataset this run
 * imported from a file is removed again, so a failed call leaves no row and no blob behind.
 */
export async function withDataset<T>(
  core: CoreContext,
  actor: Actor,
  prepare: (job: JobContext) => Promise<DatasetForRun>,
  job: JobContext,
  work: (dataset: DatasetForRun) => Promise<T>,
): Promise<T> {
  const dataset = await prepare(job)
  try {
    return await work(dataset)
  } catch (error) {
    await settleStoring(core, dataset).catch(() => {})
    if (dataset.pending) abandonImport(core, dataset.pending)
    if (dataset.importedNow) {
      try {
        removeDataset(core, dataset.id, actor, { audit: !dataset.pendingAudit })
      } catch {
        // Something (another process) now refers to it: it is theirs to keep.
      }
    }
    throw error
  }
}

/**
 * Checks the dataset argument now (a missing file or unknown dataset fails the call, not the
 * job) and returns what the job runs: importing a file so its sha256 is recorded.
 */
export function prepareDataset(
  core: CoreContext,
  input: DatasetInput,
  call: CallContext,
  options: { overlap?: boolean } = {},
): (job: JobContext) => Promise<DatasetForRun> {
  if ('datasetId' in input) {
    const detail = getDataset(core, input.datasetId)
    return async () => ({
      id: detail.id,
      name: detail.name,
      sha256: detail.sha256,
      path: datasetPath(core, detail.id),
      table: datasetSnapshot(core, detail.id),
    })
  }
  const file = core.resolveFile(input as FileRef, call)
  // A local file (not an upload, which is removed once stored) is read by the run while it is
  // stored: the run costs its parse, not copy + hash + parse. Settled by runOnDataset.
  if (options.overlap && !file.uploadId)
    return async (job) => {
      const storing = beginImport(core, file, { actor: call.actor, signal: job.signal })
      storing.catch(() => {})
      return {
        id: 0,
        name: defaultDatasetName(file.fileName),
        sha256: '',
        path: file.path,
        storing,
        importFileName: file.fileName,
        snapshotTmp: newSnapshotTmp(core.home),
      }
    }
  return async (job) => {
    job.progress(0, null, `Storing ${file.fileName}`)
    const begun = await beginImport(core, file, { actor: call.actor, signal: job.signal })
    if ('existing' in begun) {
      const { id, name, sha256 } = begun.existing
      return { id, name, sha256, path: datasetPath(core, id), table: datasetSnapshot(core, id) }
    }
    const { pending } = begun
    return {
      id: 0,
      name: pending.name,
      sha256: pending.blob.sha256,
      path: pending.blob.path,
      pending,
      snapshotTmp: newSnapshotTmp(core.home),
    }
  }
}

/**
 * Runs a worker task that reads the run's dataset, as a step of `job`, and records a pending
 * import from the task's own description of the file (one parse for both).
 */
export async function runOnDataset<K extends 'evaluate' | 'shadow'>(
  core: CoreContext,
  dataset: DatasetForRun,
  task: K,
  payload: TaskPayload<K>,
  job: JobContext,
): Promise<TaskResult<K>> {
  try {
    const run = await runTask(task, payload, { signal: job.signal, onProgress: job.progress }).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    )
    if (!run.ok) {
      await settleStoring(core, dataset).catch(() => {})
      throw run.error
    }
    await settleStoring(core, dataset)
    if (job.signal.aborted) throw new SlipwayError('CANCELLED', 'Cancelled')
    finishImport(core, dataset, run.value.described)
    return run.value
  } finally {
    // A snapshot kept with its row was renamed away; any other (the bytes were a dataset
    // already, the run failed) goes. The next run on this dataset reads the one kept.
    if (dataset.snapshotTmp) fs.rmSync(dataset.snapshotTmp, { force: true })
    dataset.snapshotTmp = undefined
  }
}
