// Drift calls: start a drift comparison (a job), stored runs, per-model monitors and status.
import { z } from 'zod'
import { FileRef, ModelName, Timestamp, VersionRef } from './common'
import { DatasetRef } from './datasets'
import { Job } from './jobs'
import { Removed } from './trash'

/** ks: two-sample Kolmogorov–Smirnov; wasserstein: normed Wasserstein-1; z: two-proportion Z. */
export const DriftTest = z.enum(['ks', 'wasserstein', 'psi', 'jensenshannon', 'chisquare', 'z'])
export type DriftTest = z.infer<typeof DriftTest>

export const WindowUnit = z.enum(['hour', 'day', 'week', 'month'])
export type WindowUnit = z.infer<typeof WindowUnit>

// The limits of the drift settings, named so every face words its own message from them
// (`numberRange`) instead of restating the numbers.
export const DriftBins = z.number().int().min(2).max(100)
export const DriftShare = z.number().gt(0).max(1)
export const DriftThreshold = z.number().positive().max(1e6)
export const DriftChunks = z.number().int().min(2).max(500)
export const DriftPerformanceDrop = z.number().positive().max(1e12)
export const DriftReferenceChunks = z.number().int().min(2).max(100)

export const ColumnOverride = z
  .object({ method: DriftTest.optional(), threshold: DriftThreshold.optional() })
  .strict()

export const DriftSettings = z
  .object({
    /**
     * Bins for PSI and Jensen–Shannon on numeric columns (edges at the reference's quantiles). A
     * numeric column with at most 5 distinct values across both datasets gets one bin per value
     * instead, as Evidently does: its quantile edges would collapse into one bin and hide a shift.
     */
    bins: DriftBins.default(10),
    /** Dataset drift when the share of drifted columns is at least this. */
    driftShare: DriftShare.default(0.5),
    /** Global overrides of the default test choice and of every test's threshold. */
    method: DriftTest.nullable().default(null),
    threshold: DriftThreshold.nullable().default(null),
    /** Per-column overrides, by column name. */
    columns: z.record(z.string().min(1).max(1024), ColumnOverride).default({}),
    /** Over time: split current data by this timestamp column into windows of `window`… */
    timestampColumn: z.string().min(1).max(1024).nullable().default(null),
    window: WindowUnit.nullable().default(null),
    /** …or into this many equal chunks in row order. */
    chunks: DriftChunks.nullable().default(null),
    /**
     * The label (target) column: never counted as a feature; compared in its own target-drift
     * section, and the model's metrics against it (reference and current) when a model runs.
     */
    label: z.string().min(1).max(1024).nullable().default(null),
    /**
     * Performance is degraded when a metric worsens by more than this absolute amount from the
     * reference (e.g. 0.05 of accuracy); null: outside the reference chunks' mean ± 3 std (NannyML).
     */
    performanceDrop: DriftPerformanceDrop.nullable().default(null),
    /** Chunks of the reference whose spread sets the performance and multivariate thresholds. */
    referenceChunks: DriftReferenceChunks.default(10),
    /** Share of variance the PCA of the multivariate drift check keeps (NannyML: 0.65). */
    pcaVariance: z.number().gt(0).lt(1).default(0.65),
    /** Columns of a production log, each optional: what was served, its latency, its value. */
    log: z
      .object({
        /** The model's output (predicted label or value) as production served it. */
        prediction: z.string().min(1).max(1024).nullable().default(null),
        /** The served score (probability of the positive class). */
        score: z.string().min(1).max(1024).nullable().default(null),
        latency: z.string().min(1).max(1024).nullable().default(null),
        value: z.string().min(1).max(1024).nullable().default(null),
      })
      .strict()
      .default({ prediction: null, score: null, latency: null, value: null }),
  })
  .strict()
export type DriftSettings = z.output<typeof DriftSettings>
export type DriftSettingsInput = z.input<typeof DriftSettings>

/** Where reference or current data comes from. `version` (reference only): its training dataset. */
export const DataSource = z.union([
  z.object({ file: FileRef }).strict(),
  z.object({ dataset: DatasetRef }).strict(),
  z.object({ version: z.object({ model: ModelName, ref: VersionRef }).strict() }).strict(),
])
export type DataSource = z.infer<typeof DataSource>

export const SideStats = z.object({
  /** Rows with a value (missing excluded). */
  count: z.number(),
  missing: z.number(),
  missingShare: z.number().nullable(),
  distinct: z.number().nullable(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  /** p5, p25, p50, p75, p95 (numeric). */
  quantiles: z.array(z.number()).nullable(),
})

export const ColumnStats = z.object({
  ks: z
    .object({ statistic: z.number(), pValue: z.number(), method: z.enum(['exact', 'asymp']) })
    .nullable(),
  wasserstein: z.number().nullable(),
  wassersteinNormed: z.number().nullable(),
  psi: z.number().nullable(),
  jensenShannon: z.number().nullable(),
  chi2: z.object({ statistic: z.number(), pValue: z.number(), dof: z.number() }).nullable(),
  z: z.object({ statistic: z.number(), pValue: z.number() }).nullable(),
  /** Categories present in current data but never in the reference (at most 1,000 listed). */
  unseenCategories: z.array(z.string()),
  /** Reference categories absent from current data. */
  vanishedCategories: z.array(z.string()),
})
export type ColumnStats = z.infer<typeof ColumnStats>

/** Counts for drawing: equal-width bins (numeric) or categories, for both datasets. */
export const ColumnHistogram = z.union([
  z.object({
    kind: z.literal('numeric'),
    edges: z.array(z.number()),
    reference: z.array(z.number()),
    current: z.array(z.number()),
  }),
  z.object({
    kind: z.literal('categorical'),
    categories: z.array(z.string()),
    reference: z.array(z.number()),
    current: z.array(z.number()),
    /** Counts of the categories left out of the chart (beyond the 30 most frequent). */
    otherReference: z.number(),
    otherCurrent: z.number(),
  }),
])

export const ColumnDrift = z.object({
  name: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  /** The test that decided; null when the column could not be tested (see `why`). */
  test: DriftTest.nullable(),
  statistic: z.number().nullable(),
  pValue: z.number().nullable(),
  threshold: z.number().nullable(),
  drifted: z.boolean(),
  /** One sentence: which test decided, why it was chosen, and the verdict. */
  why: z.string(),
  /** ≥ 1 means drift: statistic/threshold, or log(p)/log(threshold) for p-value tests. */
  severity: z.number(),
  reference: SideStats,
  current: SideStats,
  stats: ColumnStats,
  /**
   * PSI/JS bins: inner edges at the reference's quantiles (one bin per value for a numeric column
   * with at most 5 values), counts per bin.
   */
  bins: z
    .object({
      edges: z.array(z.number()),
      reference: z.array(z.number()),
      current: z.array(z.number()),
    })
    .nullable(),
  histogram: ColumnHistogram,
  notes: z.array(z.string()),
})
export type ColumnDrift = z.infer<typeof ColumnDrift>

export const WindowColumn = z.object({
  name: z.string(),
  test: DriftTest.nullable(),
  statistic: z.number().nullable(),
  pValue: z.number().nullable(),
  drifted: z.boolean(),
  severity: z.number(),
  missingShare: z.number().nullable(),
  /** Rows of the window with a value in this column. */
  rows: z.number(),
  /** Every statistic, as for the whole dataset. */
  stats: ColumnStats,
})

export const DriftWindow = z.object({
  index: z.number(),
  label: z.string(),
  start: Timestamp.nullable(),
  end: Timestamp.nullable(),
  rows: z.number(),
  datasetDrift: z.boolean(),
  driftShare: z.number(),
  columns: z.array(WindowColumn),
  /** Prediction columns (predicted label, probability or prediction) in this window. */
  prediction: z.array(WindowColumn),
  /** Evaluation metrics in this window when current data has labels and a model ran. */
  metrics: z.record(z.string(), z.number().nullable()).nullable(),
})
export type DriftWindow = z.infer<typeof DriftWindow>

/** The reference-derived bounds a metric is judged against, and how they were set. */
export const MetricThreshold = z.object({
  rule: z.enum(['reference-chunks', 'absolute-drop']),
  /** Higher is better (accuracy, F1, ROC AUC) or lower is better (MAE, RMSE). */
  higherIsBetter: z.boolean(),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
  /** The reference chunks' mean and standard deviation (population, as NannyML), when used. */
  mean: z.number().nullable(),
  std: z.number().nullable(),
  /** The absolute drop allowed, when that rule applies. */
  drop: z.number().nullable(),
})
export type MetricThreshold = z.infer<typeof MetricThreshold>

export const PerformanceWindow = z.object({
  label: z.string(),
  rows: z.number(),
  metrics: z.record(z.string(), z.number().nullable()),
  degraded: z.boolean(),
})

/** The model's realised metrics on reference and current data, when both have labels. */
export const Performance = z.object({
  task: z.enum(['classification', 'regression']),
  /** The headline metric: accuracy for a classifier, MAE for a regression. */
  metric: z.string(),
  labelColumn: z.string(),
  reference: z.record(z.string(), z.number().nullable()),
  current: z.record(z.string(), z.number().nullable()),
  /** current − reference, per metric. */
  change: z.record(z.string(), z.number().nullable()),
  degraded: z.boolean(),
  /** Metrics outside their bounds, headline first. */
  degradedMetrics: z.array(z.string()),
  /** The headline metric's bounds; per metric in `thresholds`. */
  threshold: MetricThreshold,
  thresholds: z.record(z.string(), MetricThreshold),
  /** Reference chunks' metrics (the band's source). */
  referenceChunks: z.array(z.record(z.string(), z.number().nullable())),
  windows: z.array(PerformanceWindow),
  why: z.string(),
})
export type Performance = z.infer<typeof Performance>

/** CBPE: the expected metrics of a classifier on unlabelled current data. */
export const EstimatedPerformance = z.object({
  method: z.literal('CBPE'),
  metric: z.string(),
  metrics: z.object({
    accuracy: z.number().nullable(),
    rocAuc: z.number().nullable(),
    f1: z.number().nullable(),
  }),
  /** The reference's realised metrics, for comparison. */
  reference: z.record(z.string(), z.number().nullable()),
  /** The headline metric's band from the reference chunks. */
  lower: z.number().nullable(),
  upper: z.number().nullable(),
  thresholds: z.record(z.string(), MetricThreshold),
  degraded: z.boolean(),
  degradedMetrics: z.array(z.string()),
  windows: z.array(PerformanceWindow),
  why: z.string(),
})
export type EstimatedPerformance = z.infer<typeof EstimatedPerformance>

export const TargetDrift = z.object({
  column: z.string(),
  test: DriftTest.nullable(),
  statistic: z.number().nullable(),
  pValue: z.number().nullable(),
  drifted: z.boolean(),
  why: z.string(),
  /** The full column comparison, as for a feature. */
  detail: ColumnDrift,
})
export type TargetDrift = z.infer<typeof TargetDrift>

export const MultivariateDrift = z.object({
  method: z.literal('pca-reconstruction'),
  columns: z.array(z.string()),
  components: z.number(),
  /** Share of the reference's variance the kept components explain. */
  explainedVariance: z.number(),
  referenceError: z.number(),
  currentError: z.number(),
  threshold: z.object({ lower: z.number(), upper: z.number(), mean: z.number(), std: z.number() }),
  referenceChunks: z.array(z.number()),
  drifted: z.boolean(),
  windows: z.array(
    z.object({ label: z.string(), error: z.number().nullable(), drifted: z.boolean() }),
  ),
  why: z.string(),
})
export type MultivariateDrift = z.infer<typeof MultivariateDrift>

/** A production log's served outputs, latency and value, overall and per window. */
export const LogWindow = z.object({
  label: z.string(),
  rows: z.number(),
  /** Share of rows where the served output equals the local model's (null: nothing to compare). */
  agreement: z.number().nullable(),
  /** Largest |served score − recomputed score|. */
  maxScoreDifference: z.number().nullable(),
  latencyP50: z.number().nullable(),
  latencyP95: z.number().nullable(),
  valueTotal: z.number().nullable(),
  valueMean: z.number().nullable(),
})
export type LogWindow = z.infer<typeof LogWindow>

export const ProductionLog = z.object({
  columns: z.object({
    prediction: z.string().nullable(),
    score: z.string().nullable(),
    latency: z.string().nullable(),
    value: z.string().nullable(),
  }),
  overall: LogWindow,
  windows: z.array(LogWindow),
  notes: z.array(z.string()),
})
export type ProductionLog = z.infer<typeof ProductionLog>

export const DataSide = z.object({
  name: z.string(),
  sha256: z.string().nullable(),
  datasetId: z.number().nullable(),
  rows: z.number(),
  columns: z.number(),
})

export const DriftReport = z.object({
  /** Stored run id (set once the run is stored). */
  id: z.number().nullable(),
  createdAt: Timestamp,
  reference: DataSide,
  current: DataSide,
  model: z.object({ name: z.string(), version: z.number() }).nullable(),
  settings: DriftSettings,
  datasetDrift: z.boolean(),
  /** Share of drifted feature columns among the tested ones (the target is not a feature). */
  driftShare: z.number(),
  driftedColumns: z.number(),
  testedColumns: z.number(),
  referenceRows: z.number(),
  currentRows: z.number(),
  columns: z.array(ColumnDrift),
  onlyInReference: z.array(z.string()),
  onlyInCurrent: z.array(z.string()),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
  prediction: z
    .object({
      columns: z.array(ColumnDrift),
      metricsNote: z.string().nullable(),
      /**
       * Evaluation metrics over all of the current data when it carries labels (accuracy for a
       * classifier; MAE and RMSE for a regression), with the number of labelled rows. Reports
       * stored before this field existed have none.
       */
      metrics: z.record(z.string(), z.number().nullable()).nullable().optional(),
    })
    .nullable(),
  windows: z
    .object({
      by: z.enum(['time', 'chunks']),
      timestampColumn: z.string().nullable(),
      unit: WindowUnit.nullable(),
      rowsWithoutTimestamp: z.number(),
      items: z.array(DriftWindow),
    })
    .nullable(),
  /** The one-line answer, performance first: "Performance degraded: accuracy 0.99 → 0.71". */
  headline: z.string().optional(),
  /** Target (label) drift; reports stored before it existed have none. */
  target: TargetDrift.nullable().optional(),
  performance: Performance.nullable().optional(),
  estimatedPerformance: EstimatedPerformance.nullable().optional(),
  /** Why there is no performance section, when a model ran but none could be given. */
  performanceNote: z.string().nullable().optional(),
  multivariate: MultivariateDrift.nullable().optional(),
  /** Why there is no multivariate check, when there is none. */
  multivariateNote: z.string().nullable().optional(),
  log: ProductionLog.nullable().optional(),
  /** Of `durationMs`, the time the performance, CBPE, target, multivariate and log sections took. */
  monitoringMs: z.number().optional(),
  durationMs: z.number(),
})
export type DriftReport = z.infer<typeof DriftReport>

export const DriftStatus = z.enum(['no-drift', 'drifting-columns', 'dataset-drift'])
export type DriftStatus = z.infer<typeof DriftStatus>

export const DriftRunSummary = z.object({
  id: z.number(),
  createdAt: Timestamp,
  createdBy: z.string(),
  model: z.string().nullable(),
  version: z.number().nullable(),
  monitorId: z.number().nullable(),
  referenceName: z.string(),
  referenceSha256: z.string(),
  currentName: z.string(),
  currentSha256: z.string(),
  datasetDrift: z.boolean(),
  driftShare: z.number(),
  driftedColumns: z.number(),
  testedColumns: z.number(),
  status: DriftStatus,
})
export type DriftRunSummary = z.infer<typeof DriftRunSummary>

export const DriftRun = DriftRunSummary.extend({ report: DriftReport })
export type DriftRun = z.infer<typeof DriftRun>

export const MonitorSource = z
  .object({ kind: z.enum(['file', 'folder']), path: z.string().min(1).max(4096) })
  .strict()

export const Monitor = z.object({
  id: z.number(),
  name: z.string(),
  model: z.string(),
  /** Version whose predictions are compared too; null: features only. */
  versionRef: z.string().nullable(),
  reference: DataSource,
  source: MonitorSource,
  settings: DriftSettings,
  createdAt: Timestamp,
  createdBy: z.string(),
  lastRun: DriftRunSummary.nullable(),
  /** Files of a folder monitor already processed. */
  filesSeen: z.number(),
  /** A paused monitor watches nothing until resumed; "run now" still works. */
  paused: z.boolean(),
  /** Start the model's retraining recipe when this monitor crosses into drift. */
  retrainOnDrift: z.boolean(),
})
export type Monitor = z.infer<typeof Monitor>

export const ModelDriftStatus = z.object({
  model: z.string(),
  /** `unknown` until a drift run with this model is stored. */
  status: z.union([DriftStatus, z.literal('unknown')]),
  driftShare: z.number().nullable(),
  driftedColumns: z.array(z.string()),
  lastRunId: z.number().nullable(),
  lastRunAt: Timestamp.nullable(),
})
export type ModelDriftStatus = z.infer<typeof ModelDriftStatus>

/** Pushed when a model's drift status crosses from OK to drift. */
export const DriftAlert = z.object({
  model: z.string(),
  status: DriftStatus,
  previous: z.union([DriftStatus, z.literal('unknown')]),
  runId: z.number(),
  monitorId: z.number().nullable(),
  driftShare: z.number(),
  driftedColumns: z.array(z.string()),
  message: z.string(),
})
export type DriftAlert = z.infer<typeof DriftAlert>

export const DriftStartInput = z
  .object({
    reference: DataSource,
    current: z.union([
      z.object({ file: FileRef }).strict(),
      z.object({ dataset: DatasetRef }).strict(),
    ]),
    /** Run this version on both datasets and compare its outputs too (prediction drift). */
    model: z.object({ model: ModelName, ref: VersionRef }).strict().optional(),
    settings: DriftSettings.default(DriftSettings.parse({})),
  })
  .strict()
export type DriftStartInput = z.input<typeof DriftStartInput>

export const driftCalls = {
  'drift:start': { input: DriftStartInput, output: Job },
  'drift:get': {
    input: z.object({ runId: z.number().int().positive() }).strict(),
    output: DriftRun,
  },
  'drift:list': {
    input: z
      .object({
        model: ModelName.optional(),
        monitorId: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(1000).default(100),
      })
      .strict(),
    output: z.array(DriftRunSummary),
  },
  /** Deletes a stored drift run; refused for a run that records a monitored file. */
  'drift:remove-run': {
    input: z.object({ runId: z.number().int().positive() }).strict(),
    output: Removed,
  },
  'drift:model-status': {
    input: z.object({ model: ModelName.optional() }).strict(),
    output: z.array(ModelDriftStatus),
  },
  'monitors:create': {
    input: z
      .object({
        model: ModelName,
        /** Compare this version's predictions too; omit for features only. */
        versionRef: VersionRef.optional(),
        name: z.string().trim().min(1).max(200).optional(),
        /** Defaults to the version's training dataset (needs versionRef). */
        reference: DataSource.optional(),
        source: MonitorSource,
        settings: DriftSettings.default(DriftSettings.parse({})),
        retrainOnDrift: z.boolean().default(false),
      })
      .strict(),
    output: Monitor,
  },
  'monitors:set-paused': {
    input: z.object({ monitorId: z.number().int().positive(), paused: z.boolean() }).strict(),
    output: Monitor,
  },
  'monitors:list': {
    input: z.object({ model: ModelName.optional() }).strict(),
    output: z.array(Monitor),
  },
  'monitors:delete': {
    input: z.object({ monitorId: z.number().int().positive() }).strict(),
    output: z.object({ deleted: z.boolean() }),
  },
  'monitors:run-now': {
    input: z.object({ monitorId: z.number().int().positive() }).strict(),
    /** One job per file run (a file monitor: its file; a folder: the files not yet processed). */
    output: z.array(Job),
  },
} as const
