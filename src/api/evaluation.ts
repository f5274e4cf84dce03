// Evaluation, shadow comparison and promotion-gate calls, with the shapes of their stored
// results: rich enough for the UI to draw curves, histograms and matrices without recomputing.
import { z } from 'zod'
import { FileRef, ModelName, Timestamp, VersionRef } from './common'
import { DatasetRef } from './datasets'
import { Job } from './jobs'
import { Removed } from './trash'

/** A metric's value; `null` where it is undefined (the reason is in `reasons`). */
export const Metric = z.number().nullable()

/** A dataset to evaluate on: a file (imported, so its sha256 is recorded) or an imported one (id or name). */
export const DatasetInput = z.union([FileRef, z.object({ datasetId: DatasetRef }).strict()])
export type DatasetInput = z.infer<typeof DatasetInput>

/** Value per row of each outcome, in the user's currency (a cost is negative). */
export const CostMatrix = z
  .object({ tp: z.number(), fp: z.number(), tn: z.number(), fn: z.number() })
  .strict()
export type CostMatrix = z.infer<typeof CostMatrix>

/**
 * Explicit column mapping: key = an input name (an input of width 1), `input[i]`, or a plain
 * feature index `i` of the model's single 2-D input; value = the dataset column.
 */
export const ColumnMapping = z.record(z.string().min(1).max(256), z.string().min(1).max(1024))
export type ColumnMapping = z.infer<typeof ColumnMapping>

export const Task = z.enum(['classification', 'regression'])
export type Task = z.infer<typeof Task>

/** How dataset columns were fed to the model's inputs. */
export const ResolvedMapping = z.object({
  source: z.enum(['feature_names', 'input_names', 'numeric_columns', 'explicit', 'saved']),
  inputs: z.array(z.object({ name: z.string(), type: z.string(), columns: z.array(z.string()) })),
  label: z.string().nullable(),
})
export type ResolvedMapping = z.infer<typeof ResolvedMapping>

export const ClassificationMetrics = z.object({
  accuracy: Metric,
  /** Binary only (positive class); `null` for multiclass — see the macro and weighted ones. */
  precision: Metric,
  recall: Metric,
  f1: Metric,
  precisionMacro: Metric,
  recallMacro: Metric,
  f1Macro: Metric,
  precisionWeighted: Metric,
  recallWeighted: Metric,
  f1Weighted: Metric,
  /** Binary, or one-vs-rest macro for multiclass. */
  rocAuc: Metric,
  /** Average precision (binary, or macro over one-vs-rest for multiclass). */
  prAuc: Metric,
  logLoss: Metric,
  /** Binary: on the positive-class probability. Multiclass: mean squared distance to the one-hot truth (0..2). */
  brier: Metric,
  /** Rows = true label, columns = predicted label, both in `labels` order. */
  confusionMatrix: z.array(z.array(z.number())),
  /** Labels present in the truth or the predictions, sorted as scikit-learn sorts them. */
  labels: z.array(z.string()),
})
export type ClassificationMetrics = z.infer<typeof ClassificationMetrics>

export const RegressionMetrics = z.object({ mae: Metric, rmse: Metric, r2: Metric, mape: Metric })
export type RegressionMetrics = z.infer<typeof RegressionMetrics>

export const MetricsSchema = z.union([ClassificationMetrics, RegressionMetrics])

export const Curve = z.object({
  /** For multiclass one-vs-rest curves, the class; for binary, the positive class. */
  label: z.string(),
  x: z.array(z.number()),
  y: z.array(z.number()),
  /** `null` where scikit-learn's threshold is not finite. */
  thresholds: z.array(z.number().nullable()),
  /** True when points were thinned for drawing (the metrics use every point). */
  thinned: z.boolean(),
})
export type Curve = z.infer<typeof Curve>

export const HistogramSchema = z.object({ counts: z.array(z.number()), edges: z.array(z.number()) })

export const Calibration = z.object({
  fractionPositive: z.array(z.number()),
  meanPredicted: z.array(z.number()),
  counts: z.array(z.number()),
  binLower: z.array(z.number()),
  binUpper: z.array(z.number()),
})

export const BusinessValue = z.object({
  costMatrix: CostMatrix,
  atDefault: z.number(),
  /** Predict the positive class when its probability ≥ this; `null` = never. */
  bestThreshold: z.number().nullable(),
  bestValue: z.number(),
  curve: z.array(z.object({ threshold: z.number(), value: z.number() })),
})

export const PerClass = z.object({
  label: z.string(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  support: z.number(),
})

export const Latency = z.object({
  /** One row at a time, on a sample of rows: what a single request costs. */
  p50Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  meanMs: z.number(),
  sampleRows: z.number(),
  /** Rows per second of the batched run over the whole dataset. */
  rowsPerSecond: z.number(),
  batch: z.object({
    size: z.number(),
    count: z.number(),
    p50Ms: z.number(),
    p95Ms: z.number(),
    p99Ms: z.number(),
  }),
  /** Amortised per-row latency of the batched run (batch time / rows in the batch). */
  perRowInBatch: z.object({ p50Ms: z.number(), p95Ms: z.number(), p99Ms: z.number() }),
  /** Single-row latencies, for drawing. */
  histogram: HistogramSchema,
})
export type Latency = z.infer<typeof Latency>

export const Operational = z.object({
  modelLoadMs: z.number(),
  readMs: z.number(),
  inferenceMs: z.number(),
  /** Building input tensors from the columns. */
  feedMs: z.number(),
  /** Timing single rows for the latency profile. */
  latencySampleMs: z.number(),
  /** Metrics, curves, slices and the rest of the report. */
  metricsMs: z.number(),
  totalMs: z.number(),
  peakRssBytes: z.number(),
  peakHeapBytes: z.number(),
})
export type Operational = z.infer<typeof Operational>

export const SliceRow = z.object({
  /** `null` for rows where the slice column is empty. */
  value: z.string().nullable(),
  rows: z.number(),
  metrics: z.record(z.string(), Metric),
})

export const EvaluationResult = z.object({
  task: Task,
  /** Rows the metrics were computed on. */
  rows: z.number(),
  datasetRows: z.number(),
  rowsWithoutLabel: z.number(),
  /** Rows where the model returned NaN (any probability, or the prediction). */
  nanOutputRows: z.number(),
  positiveLabel: z.string().nullable(),
  metrics: MetricsSchema,
  /** metric key → why it is `null`. */
  reasons: z.record(z.string(), z.string()),
  perClass: z.array(PerClass),
  charts: z.object({
    roc: z.array(Curve),
    pr: z.array(Curve),
    calibration: Calibration.nullable(),
    /** Histogram of the positive-class probability (binary). */
    scoreHistogram: HistogramSchema.nullable(),
    residualHistogram: HistogramSchema.nullable(),
    /** A subsample (at most 2,000 rows) for a scatter plot. */
    predictedVsActual: z
      .object({ actual: z.array(z.number()), predicted: z.array(z.number()) })
      .nullable(),
  }),
  businessValue: BusinessValue.nullable(),
  slices: z.object({ column: z.string(), rows: z.array(SliceRow) }).nullable(),
  latency: Latency,
  operational: Operational,
  warnings: z.array(z.string()),
  /** Label → the model's `class_names` entry, for the labels it names (absent: none named). */
  classNames: z.record(z.string(), z.string()).optional(),
})
export type EvaluationResult = z.infer<typeof EvaluationResult>

export const EvaluatedDataset = z.object({
  id: z.number(),
  name: z.string(),
  sha256: z.string(),
  rows: z.number(),
  /** When the dataset was deleted with its results kept (its data gone, these results stay). */
  retiredAt: z.string().optional(),
})

export const EvaluationSettings = z.object({
  label: z.string().nullable(),
  slice: z.string().nullable(),
  batchSize: z.number(),
  costMatrix: CostMatrix.nullable(),
  task: Task.nullable(),
})

export const Evaluation = z.object({
  id: z.number(),
  model: z.string(),
  version: z.number(),
  versionId: z.number(),
  dataset: EvaluatedDataset,
  mapping: ResolvedMapping,
  onnxruntimeVersion: z.string(),
  settings: EvaluationSettings,
  result: EvaluationResult,
  createdAt: Timestamp,
  createdBy: z.string(),
})
export type Evaluation = z.infer<typeof Evaluation>

export const EvaluationSummary = Evaluation.omit({ result: true, mapping: true }).extend({
  task: Task,
  rows: z.number(),
  /** The headline numbers: accuracy, f1, rocAuc… or mae, rmse, r2, mape. */
  headline: z.record(z.string(), Metric),
})
export type EvaluationSummary = z.infer<typeof EvaluationSummary>

const Side = z.object({ model: z.string(), version: z.number(), versionId: z.number() })

export const ShadowResult = z.object({
  task: Task,
  rows: z.number(),
  labelsAvailable: z.boolean(),
  /** Share of rows where both predict the same label (regression: `null`). */
  agreementRate: Metric,
  disagreements: z.number(),
  /** Champion's label (rows) × challenger's label (columns), over `flipLabels`. */
  flipMatrix: z.array(z.array(z.number())),
  flipLabels: z.array(z.string()),
  /** Binary: |p_challenger − p_champion| of the positive class. */
  meanAbsDiffPositive: Metric,
  maxAbsDiffPositive: Metric,
  /** Multiclass: total variation distance between the probability vectors. */
  meanTotalVariation: Metric,
  maxTotalVariation: Metric,
  /** Regression: on the predictions. */
  meanAbsDiff: Metric,
  rmseDiff: Metric,
  pearsonR: Metric,
  /** Histogram of challenger − champion (positive-class probability, or prediction), for drawing. */
  deltaHistogram: HistogramSchema.nullable(),
  /** b: champion right, challenger wrong; c: champion wrong, challenger right. */
  mcnemar: z
    .object({ statistic: z.number(), pValue: z.number(), b: z.number(), c: z.number() })
    .nullable(),
  topDisagreements: z.array(
    z.object({
      row: z.number(),
      championLabel: z.string().nullable(),
      challengerLabel: z.string().nullable(),
      championScore: z.number().nullable(),
      challengerScore: z.number().nullable(),
      difference: z.number().nullable(),
      actual: z.string().nullable(),
      features: z.record(z.string(), z.string().nullable()),
    }),
  ),
  /** Metrics of both sides on the same rows, and their deltas (challenger − champion). */
  metrics: z
    .object({
      champion: z.record(z.string(), Metric),
      challenger: z.record(z.string(), Metric),
      delta: z.record(z.string(), Metric),
    })
    .nullable(),
  slices: z
    .object({
      column: z.string(),
      rows: z.array(
        z.object({
          value: z.string().nullable(),
          rows: z.number(),
          champion: z.record(z.string(), Metric),
          challenger: z.record(z.string(), Metric),
          delta: z.record(z.string(), Metric),
        }),
      ),
    })
    .nullable(),
  latency: z.object({ champion: Latency, challenger: Latency }),
  operational: z.object({ champion: Operational, challenger: Operational }),
  warnings: z.array(z.string()),
  /** Label → the champion's `class_names` entry (else the challenger's), for the labels named. */
  classNames: z.record(z.string(), z.string()).optional(),
})
export type ShadowResult = z.infer<typeof ShadowResult>

export const ShadowComparison = z.object({
  id: z.number(),
  champion: Side,
  challenger: Side,
  dataset: EvaluatedDataset,
  mapping: z.object({ champion: ResolvedMapping, challenger: ResolvedMapping }),
  onnxruntimeVersion: z.string(),
  settings: EvaluationSettings,
  result: ShadowResult,
  createdAt: Timestamp,
  createdBy: z.string(),
})
export type ShadowComparison = z.infer<typeof ShadowComparison>

/** MLflow `MetricThreshold` semantics, per metric. */
export const GateRule = z
  .object({
    metric: z.string().min(1).max(64),
    /** The value must be ≥ (greaterIsBetter) or ≤ this. */
    threshold: z.number().optional(),
    /** Against the champion: must improve by at least this much (absolute). */
    minAbsoluteChange: z.number().nonnegative().optional(),
    /** Against the champion: must improve by at least this fraction of the champion's value. */
    minRelativeChange: z.number().min(0).max(1).optional(),
    greaterIsBetter: z.boolean(),
  })
  .strict()
  // A rule with no criterion would pass every version while looking like a check.
  .refine(
    (rule) =>
      rule.threshold !== undefined ||
      rule.minAbsoluteChange !== undefined ||
      rule.minRelativeChange !== undefined,
    {
      message:
        'A gate rule needs a threshold, a minAbsoluteChange or a minRelativeChange; this one checks nothing',
    },
  )
export type GateRule = z.infer<typeof GateRule>

export const GatePolicy = z
  .object({
    rules: z.array(GateRule).max(100),
    /** Single-row p95 latency must not exceed this. */
    latencyP95MaxMs: z.number().positive().nullable().optional(),
  })
  .strict()
export type GatePolicy = z.infer<typeof GatePolicy>

export const GateRuleResult = z.object({
  rule: z.string(),
  metric: z.string(),
  value: z.number().nullable(),
  baseline: z.number().nullable(),
  threshold: z.number().nullable(),
  passed: z.boolean(),
  why: z.string(),
})

export const GateReport = z.object({
  id: z.number(),
  model: z.string(),
  version: z.number(),
  versionId: z.number(),
  passed: z.boolean(),
  policy: GatePolicy,
  /** The champion the changes were measured against; `null` when no version holds it. */
  baseline: z.object({ version: z.number(), evaluationId: z.number() }).nullable(),
  evaluationId: z.number(),
  dataset: EvaluatedDataset,
  rules: z.array(GateRuleResult),
  createdAt: Timestamp,
  createdBy: z.string(),
})
export type GateReport = z.infer<typeof GateReport>

const RunSettings = {
  label: z.string().min(1).max(1024).optional(),
  slice: z.string().min(1).max(1024).optional(),
  mapping: ColumnMapping.optional(),
  costMatrix: CostMatrix.optional(),
  batchSize: z.number().int().min(1).max(65_536).optional(),
  task: Task.optional(),
}

export const EvalStartInput = z
  .object({ model: ModelName, ref: VersionRef, dataset: DatasetInput, ...RunSettings })
  .strict()
export type EvalStartInput = z.input<typeof EvalStartInput>

export const ShadowStartInput = z
  .object({
    champion: z.object({ model: ModelName, ref: VersionRef }).strict(),
    challenger: z.object({ model: ModelName, ref: VersionRef }).strict(),
    dataset: DatasetInput,
    ...RunSettings,
  })
  .strict()
export type ShadowStartInput = z.input<typeof ShadowStartInput>

export const GateCheckInput = z
  .object({
    model: ModelName,
    ref: VersionRef,
    dataset: DatasetInput,
    policy: GatePolicy.optional(),
    ...RunSettings,
  })
  .strict()
export type GateCheckInput = z.input<typeof GateCheckInput>

export const VersionEvaluationStatus = z.object({
  version: z.number(),
  latestEvaluation: EvaluationSummary.nullable(),
  latestGate: z
    .object({
      id: z.number(),
      passed: z.boolean(),
      createdAt: Timestamp,
      failedRules: z.array(z.string()),
    })
    .nullable(),
})

export const evaluationCalls = {
  /** Starts an evaluation job; its result is the stored Evaluation. */
  'eval:start': { input: EvalStartInput, output: Job },
  'eval:get': { input: z.object({ id: z.number().int().positive() }).strict(), output: Evaluation },
  'eval:list': {
    input: z
      .object({ model: ModelName.optional(), version: z.number().int().positive().optional() })
      .strict(),
    output: z.array(EvaluationSummary),
  },
  /** Per version: the latest evaluation summary and gate result (for the registry view). */
  /** Deletes a stored evaluation; refused while a gate report rests on it. */
  'eval:remove': {
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: Removed,
  },
  'eval:latest-for-model': {
    input: z.object({ model: ModelName }).strict(),
    output: z.array(VersionEvaluationStatus),
  },
  'eval:get-mapping': {
    input: z.object({ model: ModelName }).strict(),
    output: ColumnMapping.nullable(),
  },
  'eval:set-mapping': {
    input: z.object({ model: ModelName, mapping: ColumnMapping.nullable() }).strict(),
    output: ColumnMapping.nullable(),
  },
  /** Starts a shadow comparison job; its result is the stored ShadowComparison. */
  'shadow:start': { input: ShadowStartInput, output: Job },
  'shadow:get': {
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: ShadowComparison,
  },
  'shadow:list': {
    input: z.object({ model: ModelName.optional() }).strict(),
    output: z.array(ShadowComparison.omit({ result: true })),
  },
  'shadow:remove': {
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: Removed,
  },
  'gates:get-policy': {
    input: z.object({ model: ModelName }).strict(),
    output: GatePolicy.nullable(),
  },
  'gates:set-policy': {
    input: z.object({ model: ModelName, policy: GatePolicy }).strict(),
    output: GatePolicy,
  },
  /** Evaluates the version (a job), then checks it; the job's result is the stored GateReport. */
  'gates:check': { input: GateCheckInput, output: Job },
  'gates:get-report': {
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: GateReport,
  },
  'gates:list-reports': {
    input: z.object({ model: ModelName, version: z.number().int().positive().optional() }).strict(),
    output: z.array(GateReport),
  },
} as const
