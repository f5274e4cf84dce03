// Stored results as report documents: a drift run, an evaluation, a shadow comparison, a gate
// report. Each keeps the verdict and its reasons first, then the tables and charts behind them.
import type { ColumnDrift, DriftRun } from '../../api/drift'
import type { Evaluation, GateReport, ShadowComparison } from '../../api/evaluation'
import type { ReportDocument, ReportSection, ReportTable } from './document'

type Cell = string | number | boolean | null
const metricRows = (
  names: string[],
  ...sides: Record<string, number | null | undefined>[]
): Cell[][] => names.map((m) => [m, ...sides.map((s) => s[m] ?? null)])

type DriftReportBody = DriftRun['report']

/** Realised performance against the labels, with its bounds, per window and over windows. */
function performanceSection(p: NonNullable<DriftReportBody['performance']>): ReportSection {
  const metrics = Object.keys(p.thresholds)
  return {
    heading: `Performance (labels in "${p.labelColumn}")`,
    alarm: p.degraded,
    sentences: [p.why],
    tables: [
      {
        name: 'performance',
        columns: [
          'metric',
          'reference',
          'current',
          'change',
          'lower bound',
          'upper bound',
          'degraded',
        ],
        rows: Object.entries(p.thresholds).map(([m, threshold]) => [
          m,
          p.reference[m] ?? null,
          p.current[m] ?? null,
          p.change[m] ?? null,
          threshold.lower,
          threshold.upper,
          p.degradedMetrics.includes(m),
        ]),
      },
      ...(p.windows.length
        ? [
            {
              name: 'performance per window',
              columns: ['window', 'rows', ...metrics, 'degraded'],
              rows: p.windows.map((w) => [
                w.label,
                w.rows,
                ...metrics.map((m) => w.metrics[m] ?? null),
                w.degraded,
              ]),
            },
          ]
        : []),
    ],
    charts:
      p.windows.length > 1
        ? [
            {
              kind: 'lines',
              title: `${p.metric} per window`,
              xLabel: 'window',
              yLabel: p.metric,
              series: [
                {
                  name: p.metric,
                  x: p.windows.map((_, i) => i + 1),
                  y: p.windows.map((w) => w.metrics[p.metric] ?? null),
                },
              ],
              rules: [
                ...(p.threshold.lower !== null
                  ? [{ name: 'lower bound', y: p.threshold.lower }]
                  : []),
                ...(p.threshold.upper !== null && !p.threshold.higherIsBetter
                  ? [{ name: 'upper bound', y: p.threshold.upper }]
                  : []),
              ],
            },
          ]
        : [],
  }
}

function estimatedPerformanceSection(
  e: NonNullable<DriftReportBody['estimatedPerformance']>,
): ReportSection {
  return {
    heading: 'Estimated performance (CBPE, no labels in current data)',
    alarm: e.degraded,
    sentences: [e.why],
    tables: [
      {
        name: 'estimated performance',
        columns: ['metric', 'reference', 'estimated', 'lower bound', 'upper bound', 'degraded'],
        rows: (['accuracy', 'rocAuc', 'f1'] as const).map((m) => [
          m,
          e.reference[m] ?? null,
          e.metrics[m],
          e.thresholds[m]?.lower ?? null,
          e.thresholds[m]?.upper ?? null,
          e.degradedMetrics.includes(m),
        ]),
      },
    ],
  }
}

function dataDriftSection(r: DriftReportBody): ReportSection {
  return {
    heading: 'Data drift (feature columns)',
    alarm: r.datasetDrift,
    sentences: [
      `${r.driftedColumns} of ${r.testedColumns} feature columns drifted (share ${r.driftShare.toFixed(3)}, dataset drift at ${r.settings.driftShare}).`,
    ],
    facts: [
      ['Reference', `${r.reference.name} · ${r.referenceRows.toLocaleString('en-US')} rows`],
      ['Current', `${r.current.name} · ${r.currentRows.toLocaleString('en-US')} rows`],
    ],
    tables: [columnsTable('columns', r.columns)],
    charts: [...r.columns]
      .sort((a, b) => b.severity - a.severity)
      .slice(0, 6)
      .map(histogramChart),
  }
}

function multivariateDriftSection(m: NonNullable<DriftReportBody['multivariate']>): ReportSection {
  return {
    heading: 'Multivariate drift (PCA reconstruction error)',
    alarm: m.drifted,
    sentences: [m.why],
    tables: m.windows.length
      ? [
          {
            name: 'multivariate per window',
            columns: ['window', 'error', 'drifted'],
            rows: m.windows.map((w) => [w.label, w.error, w.drifted]),
          },
        ]
      : [],
  }
}

function productionLogSection(log: NonNullable<DriftReportBody['log']>): ReportSection {
  return {
    heading: 'Production log',
    sentences: log.notes,
    tables: [
      {
        name: 'production log',
        columns: [
          'window',
          'rows',
          'served = recomputed',
          'max score difference',
          'latency p50',
          'latency p95',
          'value total',
        ],
        rows: [log.overall, ...log.windows].map((w) => [
          w.label,
          w.rows,
          w.agreement,
          w.maxScoreDifference,
          w.latencyP50,
          w.latencyP95,
          w.valueTotal,
        ]),
      },
    ],
  }
}

function windowsDriftSection(
  windows: NonNullable<DriftReportBody['windows']>,
  driftShare: number,
): ReportSection {
  return {
    heading: 'Drift over time',
    tables: [
      {
        name: 'windows',
        columns: ['window', 'rows', 'drift share', 'drifted columns'],
        rows: windows.items.map((w) => [
          w.label,
          w.rows,
          w.driftShare,
          w.columns
            .filter((c) => c.drifted)
            .map((c) => c.name)
            .join('; '),
        ]),
      },
    ],
    charts: [
      {
        kind: 'lines',
        title: 'Share of drifted feature columns per window',
        xLabel: 'window',
        yLabel: 'drift share',
        series: [
          {
            name: 'drift share',
            x: windows.items.map((_, i) => i + 1),
            y: windows.items.map((w) => w.driftShare),
          },
        ],
        rules: [{ name: 'dataset drift', y: driftShare }],
      },
    ],
  }
}

export function driftDocument(run: DriftRun): ReportDocument {
  const r = run.report
  const sections: ReportSection[] = []
  const p = r.performance
  if (p) sections.push(performanceSection(p))
  const e = r.estimatedPerformance
  if (e) sections.push(estimatedPerformanceSection(e))
  if (r.performanceNote) sections.push({ heading: 'Performance', sentences: [r.performanceNote] })
  if (r.target)
    sections.push({
      heading: `Target drift: ${r.target.column}`,
      alarm: r.target.drifted,
      sentences: [r.target.why, 'The target is not counted among the features.'],
      charts: [histogramChart(r.target.detail)],
    })
  sections.push(dataDriftSection(r))
  if (r.multivariate) sections.push(multivariateDriftSection(r.multivariate))
  if (r.prediction?.columns.length)
    sections.push({
      heading: 'Prediction drift (model outputs)',
      alarm: r.prediction.columns.some((c) => c.drifted),
      tables: [columnsTable('prediction columns', r.prediction.columns)],
    })
  if (r.log) sections.push(productionLogSection(r.log))
  if (r.windows) sections.push(windowsDriftSection(r.windows, r.settings.driftShare))
  return {
    title: `Drift run #${run.id}`,
    headline:
      r.headline ??
      `${r.datasetDrift ? 'Dataset drift' : 'No dataset drift'}: ${r.driftedColumns} of ${r.testedColumns} columns drifted`,
    alarm: Boolean(p?.degraded || e?.degraded || r.datasetDrift),
    createdAt: r.createdAt,
    model: r.model,
    sections,
  }
}

function columnsTable(name: string, columns: ColumnDrift[]): ReportTable {
  return {
    name,
    columns: ['column', 'kind', 'test', 'statistic', 'p-value', 'threshold', 'drifted', 'why'],
    rows: [...columns]
      .sort((a, b) => b.severity - a.severity)
      .map((c) => [c.name, c.kind, c.test, c.statistic, c.pValue, c.threshold, c.drifted, c.why]),
  }
}

function histogramChart(
  c: ColumnDrift,
): ReportDocument['sections'][number]['charts'] extends (infer T)[] | undefined ? T : never {
  const h = c.histogram
  const share = (xs: number[]): number[] => {
    const total = xs.reduce((s, x) => s + x, 0)
    return xs.map((x) => (total ? x / total : 0))
  }
  const labels =
    h.kind === 'numeric'
      ? h.edges.slice(0, h.reference.length).map((edge) => Number(edge.toPrecision(3)).toString())
      : h.categories
  return {
    kind: 'bars',
    title: `${c.name}: share of rows`,
    labels,
    series: [
      { name: 'reference', values: share(h.reference) },
      { name: 'current', values: share(h.current) },
    ],
  }
}

export function evaluationDocument(e: Evaluation): ReportDocument {
  const r = e.result
  const metrics = Object.entries(r.metrics).filter(
    (entry): entry is [string, number | null] => entry[1] === null || typeof entry[1] === 'number',
  )
  const sections: ReportSection[] = [
    {
      heading: 'Metrics',
      facts: [
        ['Dataset', `${e.dataset.name} · ${r.rows.toLocaleString('en-US')} labelled rows`],
        ['Task', r.task],
        ...(r.positiveLabel ? ([['Positive label', r.positiveLabel]] as [string, string][]) : []),
      ],
      sentences: Object.entries(r.reasons).map(([k, why]) => `${k}: ${why}`),
      tables: [{ name: 'metrics', columns: ['metric', 'value'], rows: metrics }],
      charts: r.charts.roc.map((curve) => ({
        kind: 'lines' as const,
        title: `ROC curve${curve.label ? ` · ${curve.label}` : ''}`,
        xLabel: 'false positive rate',
        yLabel: 'true positive rate',
        series: [{ name: 'ROC', x: curve.x, y: curve.y }],
      })),
    },
  ]
  const labels = 'labels' in r.metrics ? r.metrics.labels : []
  if ('confusionMatrix' in r.metrics && r.metrics.confusionMatrix.length)
    sections.push({
      heading: 'Confusion matrix (rows: true label, columns: predicted)',
      tables: [
        {
          name: 'confusion matrix',
          columns: ['true \\ predicted', ...labels],
          rows: r.metrics.confusionMatrix.map((row, i) => [labels[i] ?? null, ...row]),
        },
      ],
    })
  const [firstClass] = r.perClass
  if (firstClass)
    sections.push({
      heading: 'Per class',
      tables: [
        {
          name: 'per class',
          columns: Object.keys(firstClass),
          rows: r.perClass.map((row) => Object.values(row) as Cell[]),
        },
      ],
    })
  if (r.slices)
    sections.push({
      heading: `Slices by ${r.slices.column}`,
      tables: [
        {
          name: 'slices',
          columns: ['value', 'rows', ...Object.keys(r.slices.rows[0]?.metrics ?? {})],
          rows: r.slices.rows.map((s) => [s.value, s.rows, ...Object.values(s.metrics)]),
        },
      ],
    })
  if (r.warnings.length) sections.push({ heading: 'Warnings', sentences: r.warnings })
  const head = metrics
    .slice(0, 3)
    .map(([k, v]) => `${k} ${v === null ? 'n/a' : Number(v.toPrecision(4))}`)
  return {
    title: `Evaluation #${e.id}`,
    headline: `${e.model} v${e.version} on ${e.dataset.name}: ${head.join(', ')}`,
    alarm: false,
    createdAt: e.createdAt,
    model: { name: e.model, version: e.version },
    sections,
  }
}

export function shadowDocument(s: ShadowComparison): ReportDocument {
  const r = s.result
  const sections: ReportSection[] = [
    {
      heading: 'Agreement',
      facts: [
        ['Champion', `${s.champion.model} v${s.champion.version}`],
        ['Challenger', `${s.challenger.model} v${s.challenger.version}`],
        ['Dataset', `${s.dataset.name} · ${r.rows.toLocaleString('en-US')} rows`],
      ],
      tables: [
        {
          name: 'agreement',
          columns: ['measure', 'value'],
          rows: (
            [
              'agreementRate',
              'disagreements',
              'meanAbsDiffPositive',
              'maxAbsDiffPositive',
              'meanTotalVariation',
              'meanAbsDiff',
              'rmseDiff',
              'pearsonR',
            ] as const
          ).map((k) => [k, r[k]]),
        },
      ],
    },
  ]
  const sideMetrics = r.metrics
  if (sideMetrics) {
    const names = Object.keys(sideMetrics.champion)
    sections.push({
      heading: 'Metrics on the same rows',
      tables: [
        {
          name: 'metrics',
          columns: ['metric', 'champion', 'challenger', 'delta'],
          rows: metricRows(names, sideMetrics.champion, sideMetrics.challenger, sideMetrics.delta),
        },
      ],
      charts: [
        {
          kind: 'bars',
          title: 'Champion and challenger',
          labels: names,
          series: [
            { name: 'champion', values: names.map((m) => sideMetrics.champion[m] ?? 0) },
            { name: 'challenger', values: names.map((m) => sideMetrics.challenger[m] ?? 0) },
          ],
        },
      ],
    })
  }
  if (r.mcnemar)
    sections.push({
      heading: "McNemar's test",
      sentences: [
        `b = ${r.mcnemar.b} (champion right, challenger wrong), c = ${r.mcnemar.c}; p = ${r.mcnemar.pValue.toPrecision(3)}.`,
      ],
    })
  if (r.warnings.length) sections.push({ heading: 'Warnings', sentences: r.warnings })
  return {
    title: `Shadow comparison #${s.id}`,
    headline: `${s.challenger.model} v${s.challenger.version} against ${s.champion.model} v${s.champion.version}: ${r.agreementRate === null ? `${r.disagreements} rows differ` : `agree on ${(r.agreementRate * 100).toFixed(1)}% of rows`}`,
    alarm: false,
    createdAt: s.createdAt,
    model: { name: s.challenger.model, version: s.challenger.version },
    sections,
  }
}

export function gateDocument(g: GateReport): ReportDocument {
  return {
    title: `Gate report #${g.id}`,
    headline: `${g.model} v${g.version}: gates ${g.passed ? 'passed' : 'FAILED'}`,
    alarm: !g.passed,
    createdAt: g.createdAt,
    model: { name: g.model, version: g.version },
    sections: [
      {
        heading: 'Rules',
        alarm: !g.passed,
        facts: [
          ['Dataset', g.dataset.name],
          [
            'Baseline',
            g.baseline ? `v${g.baseline.version} (evaluation #${g.baseline.evaluationId})` : 'none',
          ],
          ['Evaluation', `#${g.evaluationId}`],
        ],
        sentences: g.rules.map(
          (rule) => `${rule.passed ? 'PASS' : 'FAIL'} ${rule.rule}: ${rule.why}`,
        ),
        tables: [
          {
            name: 'rules',
            columns: ['rule', 'metric', 'value', 'baseline', 'threshold', 'passed', 'why'],
            rows: g.rules.map((rule) => [
              rule.rule,
              rule.metric,
              rule.value,
              rule.baseline,
              rule.threshold,
              rule.passed,
              rule.why,
            ]),
          },
        ],
      },
    ],
  }
}
