// Retraining calls: one recipe per model (local configuration only), runs of it as jobs with a
// kept log, and what each successful run produced (a challenger, its evaluation, shadow, gates).
import { z } from 'zod'
import { AliasName, FileRef, ModelName, Timestamp } from './common'
import { DatasetRef } from './datasets'
import { GateRuleResult, Metric } from './evaluation'
import { PromotionRequest } from './governance'
import { Job } from './jobs'

export const PLACEHOLDERS = ['{data}', '{output}', '{workdir}', '{params}'] as const

const LocalPath = z.string().trim().min(1, 'Path is empty').max(4096)

/** Where a run's training data comes from. */
export const RecipeTrainData = z.union([
  z.object({ dataset: DatasetRef }).strict(),
  /** The newest CSV or Parquet file of this folder when the run starts. */
  z.object({ folder: LocalPath }).strict(),
  /** The newest file a drift monitor watches, with the monitor's reference rows before it. */
  z.object({ monitor: z.number().int().positive() }).strict(),
])
export type RecipeTrainData = z.infer<typeof RecipeTrainData>

/** What the challenger is evaluated on: a dataset, or the last share of the training rows. */
export const RecipeEvalData = z.union([
  z.object({ dataset: DatasetRef }).strict(),
  z.object({ holdout: z.number().min(0.05).max(0.9) }).strict(),
])
export type RecipeEvalData = z.infer<typeof RecipeEvalData>

export const ParamValue = z.union([z.string().max(10_000), z.number(), z.boolean()])

export const Recipe = z
  .object({
    /** argv: run without a shell; placeholders {data} {output} {workdir} {params} are replaced. */
    command: z
      .array(z.string().max(10_000))
      .min(1, 'The command is empty: give the program and its arguments')
      .max(256)
      .refine((argv) => argv[0] === undefined || argv[0].trim().length > 0, {
        message: 'The program name is empty',
      }),
    cwd: LocalPath.nullable().default(null),
    env: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'Environment names are A-Z, 0-9, _'),
        z.string().max(10_000),
      )
      .default({}),
    timeoutSec: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600)
      .default(3600),
    trainData: RecipeTrainData.nullable().default(null),
    evalData: RecipeEvalData.nullable().default(null),
    /** Label column for the evaluation (automatic when null). */
    label: z.string().min(1).max(1024).nullable().default(null),
    /** Written to the {params} file; the version's hyperparameters unless slipway.json says. */
    params: z.record(z.string().min(1).max(128), ParamValue).default({}),
    /** Cron syntax (5 or 6 fields); runs while the app, web mode or `slipway watch` runs. */
    schedule: z.string().trim().min(1).max(200).nullable().default(null),
    /** Run when a monitor of this model crosses into drift. */
    onDrift: z.boolean().default(false),
    /** Run when a new file lands in the training-data folder (needs trainData.folder). */
    onNewData: z.boolean().default(false),
    after: z
      .object({
        /** Alias the new version gets (null: none). */
        alias: AliasName.nullable().default('challenger'),
        /** Check the model's gate policy on the evaluation data. */
        gates: z.boolean().default(true),
        /** Open a promotion request to this alias when the home is in a team. */
        request: AliasName.nullable().default(null),
      })
      .strict()
      .default({ alias: 'challenger', gates: true, request: null }),
    /** The run's log keeps at most this many bytes (head and tail). */
    logLimitBytes: z
      .number()
      .int()
      .min(4096)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
  })
  .strict()
export type Recipe = z.output<typeof Recipe>
export type RecipeInput = z.input<typeof Recipe>

export const RecipeRecord = z.object({
  model: z.string(),
  /** 1 for the first recipe of the model, +1 on every change. */
  version: z.number(),
  recipe: Recipe,
  updatedAt: Timestamp,
  updatedBy: z.string(),
  /** Next time the schedule fires (null: no schedule). */
  nextRunAt: Timestamp.nullable(),
})
export type RecipeRecord = z.infer<typeof RecipeRecord>

export const RunStatus = z.enum([
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed-out',
  'skipped',
])
export type RunStatus = z.infer<typeof RunStatus>

export const RunTrigger = z.enum(['manual', 'test', 'schedule', 'drift', 'new-data'])
export type RunTrigger = z.infer<typeof RunTrigger>

export const RunLineage = z.object({
  codeVersion: z.string().nullable(),
  /** True when `git status` showed uncommitted changes in the working directory. */
  codeDirty: z.boolean().nullable(),
  trainingData: z.object({
    name: z.string(),
    sha256: z.string(),
    datasetId: z.number().nullable(),
  }),
  params: z.record(z.string(), z.string()),
  /** Version that held `champion` when the run started. */
  parent: z.number().nullable(),
  run: z.number(),
})
export type RunLineage = z.infer<typeof RunLineage>

export const RetrainRun = z.object({
  id: z.number(),
  model: z.string(),
  status: RunStatus,
  trigger: RunTrigger,
  /** e.g. "drift run #12", "missed while closed: due 2026-01-01T03:00Z". */
  triggerDetail: z.string().nullable(),
  /** Why it failed, timed out, was cancelled or skipped. */
  reason: z.string().nullable(),
  recipeVersion: z.number().nullable(),
  startedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  durationMs: z.number().nullable(),
  exitCode: z.number().nullable(),
  pid: z.number().nullable(),
  jobId: z.string().nullable(),
  data: z.object({ name: z.string(), sha256: z.string().nullable() }).nullable(),
  evalData: z.object({ name: z.string(), sha256: z.string().nullable() }).nullable(),
  progress: z.object({ done: z.number(), total: z.number().nullable(), message: z.string() }),
  version: z.number().nullable(),
  lineage: RunLineage.nullable(),
  /** What the training program reported in slipway.json. */
  trainingMetrics: z.record(z.string(), z.unknown()).nullable(),
  evaluation: z.object({ id: z.number(), metrics: z.record(z.string(), Metric) }).nullable(),
  /** The champion's evaluation on the same data, for side-by-side. */
  championEvaluation: z
    .object({ id: z.number(), version: z.number(), metrics: z.record(z.string(), Metric) })
    .nullable(),
  comparison: z
    .object({
      id: z.number(),
      champion: z.number(),
      agreementRate: Metric,
      deltas: z.record(z.string(), Metric),
    })
    .nullable(),
  gate: z
    .object({ id: z.number(), passed: z.boolean(), rules: z.array(GateRuleResult) })
    .nullable(),
  /** Steps after registration that could not be done (no eval data, no champion, no policy…). */
  notes: z.array(z.string()),
  requestAlias: z.string().nullable(),
  /** The promotion request opened after the run (team homes, when the recipe asks). */
  request: PromotionRequest.nullable(),
  log: z.object({ bytes: z.number(), truncated: z.boolean() }),
})
export type RetrainRun = z.infer<typeof RetrainRun>

export const RunLog = z.object({
  runId: z.number(),
  text: z.string(),
  offset: z.number(),
  nextOffset: z.number(),
  size: z.number(),
  finished: z.boolean(),
})
export type RunLog = z.infer<typeof RunLog>

const RunId = z.number().int().positive()

export const RetrainStartInput = z
  .object({
    model: ModelName,
    /** Overrides the recipe's training data for this run. */
    data: z.union([FileRef, z.object({ dataset: DatasetRef }).strict()]).optional(),
    evalData: z.union([FileRef, z.object({ dataset: DatasetRef }).strict()]).optional(),
    /** `test`: a run from the recipe editor; it registers like any run. */
    trigger: z.enum(['manual', 'test']).default('manual'),
  })
  .strict()
export type RetrainStartInput = z.input<typeof RetrainStartInput>

export const retrainingCalls = {
  'retrain:get-recipe': {
    input: z.object({ model: ModelName }).strict(),
    output: RecipeRecord.nullable(),
  },
  'retrain:set-recipe': {
    input: z.object({ model: ModelName, recipe: Recipe }).strict(),
    output: RecipeRecord,
  },
  'retrain:remove-recipe': {
    input: z.object({ model: ModelName }).strict(),
    output: z.object({ removed: z.boolean() }),
  },
  'retrain:start': {
    input: RetrainStartInput,
    /** `job` is null when the run was skipped (another run of the model is in progress). */
    output: z.object({ run: RetrainRun, job: Job.nullable() }),
  },
  'retrain:list': {
    input: z
      .object({
        model: ModelName.optional(),
        limit: z.number().int().min(1).max(1000).default(100),
      })
      .strict(),
    output: z.array(RetrainRun),
  },
  'retrain:get': { input: z.object({ runId: RunId }).strict(), output: RetrainRun },
  'retrain:log': {
    input: z.object({ runId: RunId, offset: z.number().int().min(0).default(0) }).strict(),
    output: RunLog,
  },
  'retrain:cancel': { input: z.object({ runId: RunId }).strict(), output: RetrainRun },
} as const
