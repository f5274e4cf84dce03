// Registry calls: models, versions, lineage, aliases, tags, ONNX inspection results.
import { z } from 'zod'
import { AliasName, FileRef, ModelName, ShortText, TagKey, Timestamp, VersionRef } from './common'

export const TensorInfo = z.object({
  name: z.string(),
  /** `float32`, `int64`, `string`, `seq(map(int64,float32))`, … */
  type: z.string(),
  /**
   * Concrete dimensions as numbers; symbolic dimensions by name; dimensions too large for a
   * safe integer as exact decimal strings; unknown dimensions as `?`. `null` for no shape.
   */
  shape: z.array(z.union([z.number(), z.string()])).nullable(),
  docString: z.string().optional(),
})
export type TensorInfo = z.infer<typeof TensorInfo>

export const OnnxInfo = z.object({
  irVersion: z.number(),
  /** domain → version; the default domain is `ai.onnx`. */
  opsets: z.record(z.string(), z.number()),
  producer: z.object({ name: z.string(), version: z.string() }),
  modelVersion: z.union([z.number(), z.string()]),
  docString: z.string(),
  domain: z.string(),
  graphName: z.string(),
  metadata: z.record(z.string(), z.string()),
  inputs: z.array(TensorInfo),
  outputs: z.array(TensorInfo),
  nodeCount: z.number(),
  opTypes: z.record(z.string(), z.number()),
  parameterCount: z.number(),
  initializerCount: z.number(),
  /** From metadata `feature_names` (a JSON list of strings), when present and well formed. */
  featureNames: z.array(z.string()).nullable(),
  /** From metadata `label_column`. */
  labelColumn: z.string().nullable(),
  /** Non-fatal findings, e.g. metadata that is present but malformed. */
  warnings: z.array(z.string()),
})
export type OnnxInfo = z.infer<typeof OnnxInfo>

export const DatasetSummary = z.object({
  id: z.number(),
  name: z.string(),
  sha256: z.string(),
  size: z.number(),
  rows: z.number(),
  columns: z.array(z.string()),
  format: z.enum(['csv', 'parquet']),
  createdAt: Timestamp,
  createdBy: z.string(),
  /** Deleted with its results kept: out of lists, refused for new runs; its results still open. */
  retiredAt: Timestamp.optional(),
})
export type DatasetSummary = z.infer<typeof DatasetSummary>

export const AliasEvent = z.object({
  alias: z.string(),
  fromVersion: z.number().nullable(),
  toVersion: z.number().nullable(),
  at: Timestamp,
  by: z.string(),
})
export type AliasEvent = z.infer<typeof AliasEvent>

export const VersionSummary = z.object({
  id: z.number(),
  model: z.string(),
  version: z.number(),
  sha256: z.string(),
  size: z.number(),
  fileName: z.string(),
  description: z.string(),
  codeVersion: z.string().nullable(),
  registeredBy: z.string(),
  registeredAt: Timestamp,
  /** Set aside: out of the default lists, kept with all its results; null when not archived. */
  archivedAt: Timestamp.nullable(),
  aliases: z.array(z.string()),
  tags: z.record(z.string(), z.string()),
})
export type VersionSummary = z.infer<typeof VersionSummary>

export const Lineage = z.object({
  codeVersion: z.string().nullable(),
  trainingDataset: DatasetSummary.nullable(),
  hyperparameters: z.record(z.string(), z.string()),
  parentVersion: z.number().nullable(),
  description: z.string(),
})

export const VersionDetail = VersionSummary.extend({
  onnx: OnnxInfo,
  lineage: Lineage,
  aliasHistory: z.array(AliasEvent),
})
export type VersionDetail = z.infer<typeof VersionDetail>

export const ModelSummary = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string(),
  task: z.string().nullable(),
  versionCount: z.number(),
  latestVersion: z.number().nullable(),
  /** alias → version */
  aliases: z.record(z.string(), z.number()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  /** Set aside: out of the models list unless asked for; null when not archived. */
  archivedAt: Timestamp.nullable(),
})
export type ModelSummary = z.infer<typeof ModelSummary>

export const ModelDetail = ModelSummary.extend({
  versions: z.array(VersionSummary),
  aliasHistory: z.array(AliasEvent),
})
export type ModelDetail = z.infer<typeof ModelDetail>

export const Param = z.object({ key: TagKey, value: z.string().max(10_000) })

export const RegisterInput = z.object({
  file: FileRef,
  model: ModelName,
  /** Original file name to record; defaults to the path's base name or the upload's name. */
  fileName: z.string().max(1024).optional(),
  description: ShortText.optional(),
  modelDescription: ShortText.optional(),
  codeVersion: z.string().trim().min(1).max(512).optional(),
  hyperparameters: z.array(Param).max(1000).default([]),
  trainingData: FileRef.optional(),
  /** An imported dataset as the training data (instead of a file). */
  trainingDatasetId: z.number().int().positive().optional(),
  parentVersion: z.number().int().positive().optional(),
  alias: AliasName.optional(),
  tags: z.array(Param).max(1000).default([]),
})
export type RegisterInput = z.input<typeof RegisterInput>

export const RegisterResult = z.object({
  model: z.string(),
  version: z.number(),
  sha256: z.string(),
  size: z.number(),
  fileName: z.string(),
  existing: z.boolean(),
  /**
   * The alias the call pointed at this version, and the version it pointed at before (null: a new
   * alias; this version: it was already here). Said so re-registering existing bytes never moves an
   * alias silently.
   */
  alias: z.object({ name: z.string(), fromVersion: z.number().nullable() }).nullable().optional(),
  onnx: OnnxInfo,
})
export type RegisterResult = z.infer<typeof RegisterResult>

/** The most rows one page of a listing returns. */
export const PAGE_MAX = 1000
export const PageLimit = z.number().int().min(1).max(PAGE_MAX)
/** Opaque: exactly what a previous page's `nextCursor` was. */
export const PageCursor = z.string().min(1).max(2000)
export const ListSearch = z.string().max(200)
/** `updated`: most recently changed first (the default); `name`: A to Z. */
export const ModelSort = z.enum(['updated', 'name'])
export type ModelSort = z.infer<typeof ModelSort>
/** `newest`: highest version number first (the default); `oldest`: v1 first. */
export const VersionSort = z.enum(['newest', 'oldest'])
export type VersionSort = z.infer<typeof VersionSort>

export const registryCalls = {
  /**
   * Models, a page at a time: `limit` rows (all when not given) in `sort` order, and `nextCursor`
   * to pass back as `cursor` for the next page (null on the last one). A cursor holds its place by
   * the sort keys, so rows added between pages neither repeat nor push others out of the list.
   */
  'registry:list-models': {
    input: z
      .object({
        search: ListSearch.optional(),
        includeArchived: z.boolean().optional(),
        sort: ModelSort.optional(),
        limit: PageLimit.optional(),
        cursor: PageCursor.optional(),
      })
      .strict(),
    output: z.object({
      models: z.array(ModelSummary),
      nextCursor: z.string().nullable(),
      /** Rows matching the search, over all pages. */
      total: z.number(),
    }),
  },
  /**
   * A model's versions, a page at a time, archived ones included. A `search` that is a version
   * number (`12`, `v12`) finds that version; other text matches part of an alias, a tag (`key`,
   * `value` or `key=value`), the file name, the code version or the description.
   */
  'registry:list-versions': {
    input: z
      .object({
        model: ModelName,
        search: ListSearch.optional(),
        sort: VersionSort.optional(),
        limit: PageLimit.optional(),
        cursor: PageCursor.optional(),
      })
      .strict(),
    output: z.object({
      versions: z.array(VersionSummary),
      nextCursor: z.string().nullable(),
      total: z.number(),
    }),
  },
  'registry:get-model': {
    input: z
      .object({
        model: ModelName,
        /** At most this many versions, newest first, in `versions` (all when not given). */
        versionLimit: z.number().int().min(0).max(PAGE_MAX).optional(),
      })
      .strict(),
    output: ModelDetail,
  },
  'registry:get-version': {
    input: z.object({ model: ModelName, ref: VersionRef }).strict(),
    output: VersionDetail,
  },
  'registry:register': {
    input: RegisterInput.strict(),
    output: RegisterResult,
  },
  'registry:set-alias': {
    input: z
      .object({ model: ModelName, version: z.number().int().positive(), alias: AliasName })
      .strict(),
    output: AliasEvent,
  },
  'registry:remove-alias': {
    input: z.object({ model: ModelName, alias: AliasName }).strict(),
    output: AliasEvent,
  },
  'registry:set-tag': {
    input: z
      .object({
        model: ModelName,
        version: z.number().int().positive(),
        key: TagKey,
        value: z.string().max(10_000),
      })
      .strict(),
    output: z.object({ key: z.string(), value: z.string() }),
  },
  'registry:remove-tag': {
    input: z
      .object({ model: ModelName, version: z.number().int().positive(), key: TagKey })
      .strict(),
    output: z.object({ removed: z.boolean() }),
  },
  /**
   * Archives a model (`archived: true`) or brings it back. Refused while one of its versions holds
   * an alias: an alias names what runs somewhere.
   */
  'registry:archive-model': {
    input: z.object({ model: ModelName, archived: z.boolean() }).strict(),
    output: ModelSummary,
  },
  /** Archives a version or brings it back; refused while the version holds an alias. */
  'registry:archive-version': {
    input: z
      .object({ model: ModelName, version: z.number().int().positive(), archived: z.boolean() })
      .strict(),
    output: VersionSummary,
  },
  /**
   * Edits a version's lineage; only the fields given change (`null` clears one), and each edit is
   * one audit record with the value before and after. The bytes and signature never change.
   */
  'registry:update-lineage': {
    input: z
      .object({
        model: ModelName,
        version: z.number().int().positive(),
        codeVersion: z.string().trim().min(1).max(512).nullable().optional(),
        description: ShortText.optional(),
        trainingDatasetId: z.number().int().positive().nullable().optional(),
        parentVersion: z.number().int().positive().nullable().optional(),
        hyperparameters: z.array(Param).max(1000).optional(),
      })
      .strict(),
    output: VersionDetail,
  },
  'registry:update-model': {
    input: z
      .object({
        model: ModelName,
        description: ShortText.optional(),
        task: z.string().max(64).nullable().optional(),
      })
      .strict(),
    output: ModelSummary,
  },
} as const

/** What a registration did to its alias, in the same words in the window and the CLI. */
export function describeAliasOutcome(result: RegisterResult): string | null {
  const alias = result.alias
  if (!alias) return null
  if (alias.fromVersion === result.version)
    return `alias ${alias.name} already on v${result.version}`
  if (alias.fromVersion === null) return `alias ${alias.name} set on v${result.version}`
  return `alias ${alias.name} moved from v${alias.fromVersion} to v${result.version}`
}
