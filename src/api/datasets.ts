// Dataset calls: import CSV/Parquet (a job with progress), list, show with profile, remove.
import { z } from 'zod'
import { FileRef } from './common'
import { Job } from './jobs'
import { DatasetSummary } from './registry'
import { Removed } from './trash'

export const ColumnKind = z.enum(['numeric', 'categorical', 'boolean', 'timestamp', 'text'])
export type ColumnKind = z.infer<typeof ColumnKind>

/**
 * One column's profile. Numeric and timestamp statistics describe the finite values (timestamps in
 * milliseconds since the epoch, UTC); `std` is the sample standard deviation (pandas `describe()`);
 * quantiles use numpy's linear interpolation. Null where a statistic does not apply.
 */
export const ColumnProfile = z.object({
  name: z.string(),
  kind: ColumnKind,
  /** Non-missing cells, explicit NaN and infinities included. */
  count: z.number(),
  /** Empty cells. */
  missing: z.number(),
  /** Explicit NaN cells (not missing). */
  nanCount: z.number(),
  infinityCount: z.number(),
  distinct: z.number(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  quantiles: z
    .object({ p5: z.number(), p25: z.number(), p50: z.number(), p75: z.number(), p95: z.number() })
    .nullable(),
  /** The 10 most frequent values, most frequent first. */
  topValues: z.array(z.object({ value: z.string(), count: z.number() })),
})
export type ColumnProfile = z.infer<typeof ColumnProfile>

export const DatasetDetail = DatasetSummary.extend({
  profile: z.array(ColumnProfile),
})
export type DatasetDetail = z.infer<typeof DatasetDetail>

/** What an import returns: the dataset, and whether these exact bytes were already imported. */
export const DatasetImported = DatasetDetail.extend({ existing: z.boolean() })
export type DatasetImported = z.infer<typeof DatasetImported>

export const DatasetName = z
  .string()
  .trim()
  .min(1, 'Dataset name is empty')
  .max(200, 'Dataset name is longer than 200 characters')
  // eslint-disable-next-line no-control-regex
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), {
    message: 'Dataset name may not contain control characters',
  })

/**
 * The first of NAME, NAME-2, NAME-3, … that no dataset has: the name an import suggests when the
 * one asked for is taken. Names compare exactly (the store's unique index does the same).
 */
export function uniqueDatasetName(wanted: string, taken: Iterable<string>): string {
  const names = new Set(taken)
  const base = wanted.trim().slice(0, 190) || 'dataset'
  if (!names.has(base)) return base
  const stem = base.replace(/-\d+$/, '')
  for (let n = 2; ; n++) {
    const candidate = `${stem}-${n}`
    if (!names.has(candidate)) return candidate
  }
}

/** A dataset by id, or by its name (names are unique). */
export const DatasetRef = z.union([z.number().int().positive(), DatasetName])
export type DatasetRef = z.infer<typeof DatasetRef>

export const datasetCalls = {
  /** Starts an import job; the job's result is a DatasetImported. */
  /**
   * Without `name` the file's name is used, made unique (`reference-2`); a `name` given and taken
   * by another dataset is refused with a free one suggested.
   */
  'datasets:add': {
    input: z.object({ file: FileRef, name: DatasetName.optional() }).strict(),
    output: Job,
  },
  'datasets:list': {
    input: z.object({}).strict(),
    output: z.array(DatasetSummary),
  },
  'datasets:get': {
    input: z.object({ id: DatasetRef }).strict(),
    output: DatasetDetail,
  },
  /** Renames a dataset; refused when another dataset has the name (with a free one suggested). */
  'datasets:rename': {
    input: z.object({ id: DatasetRef, name: DatasetName }).strict(),
    output: DatasetSummary,
  },
  /**
   * Refused while a model version refers to the dataset, or a stored result does unless
   * `keepResults`: then the dataset is retired (data to the trash, results kept).
   */
  'datasets:remove': {
    input: z.object({ id: DatasetRef, keepResults: z.boolean().optional() }).strict(),
    output: Removed,
  },
} as const
