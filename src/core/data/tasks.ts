// Worker-thread tasks of the data feature, by name.
import type { DatasetDescription } from './describe'
import { SlipwayError } from '../../api/errors'
import type { TaskFns } from '../jobs/tasks'
import { describeFile, HELPER, writeAndProfile } from './describe'
import { readCsvPartTask, type CsvPartPayload } from './csv-parallel'
import type { ColumnProfile } from './profile'
import type { Column } from './table'

export interface DescribeTaskPayload {
  path: string
  fileName: string
  /** Where to write the table's snapshot (snapshot.ts), when the import keeps one. */
  snapshotTmp?: string
}

/** What describing a file finds; the caller adds the hash and size it computed itself. */
export type DescribedFile = Omit<DatasetDescription, 'sha256' | 'size'>

export interface ProfileColumnsPayload {
  columns: Column[]
  /** Also write these columns' sections into a snapshot being written (snapshot.ts) first. */
  snapshot?: { path: string; offsets: number[][] }
  /**
   * Shared claims, one per column (0 free): the helper takes column i only if it sets claims[i]
   * first, so the caller, still holding the columns, can take the last ones itself.
   */
  claims?: Int32Array
}

export interface ProfiledColumns {
  /** Per column; null for one the caller claimed. */
  profiles: (ColumnProfile | null)[]
  /** The trailer entry of each section written, per column, when the payload named a snapshot. */
  entries: Uint8Array[][]
}

export type { CsvPartPayload }

export const dataTasks: TaskFns<'dataset-describe' | 'profile-columns' | 'csv-part'> = {
  'csv-part': async (payload) => readCsvPartTask(payload),
  'profile-columns': async ({ columns, snapshot, claims }, ctx) =>
    writeAndProfile(
      columns,
      snapshot,
      () => {
        if (ctx.cancelled()) throw new SlipwayError('CANCELLED', 'Cancelled')
      },
      claims && ((i) => Atomics.compareExchange(claims, i, 0, HELPER) === 0),
    ),
  'dataset-describe': async ({ path, fileName, snapshotTmp }, ctx) => {
    const controller = new AbortController()
    return describeFile(path, {
      fileName,
      snapshotTmp,
      signal: controller.signal,
      onProgress: (done, total, message) => {
        // The reader checks the signal between chunks; this is where a cancel reaches it.
        if (ctx.cancelled()) controller.abort()
        ctx.progress(done, total, message)
      },
    }).catch((error: unknown) => {
      if (controller.signal.aborted) throw new SlipwayError('CANCELLED', `${fileName}: cancelled`)
      throw error
    })
  },
}
