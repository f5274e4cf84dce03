// Model cards: the reviewer's page for a version. People write intended use, limits and the
// rest (each change a signed card.set record); Slipway fills in lineage, training data,
// evaluation with slices, latency, drift and approvals. Status follows the requests.
import type Database from 'better-sqlite3'
import { SlipwayError } from '../../api/errors'
import { cardFieldNames, type ModelCard } from '../../api/governance'
import type { Actor, CoreContext } from '../context'
import { resolveVersion, versionDetail } from '../registry/registry'
import { latestDrift, latestEvaluation, listRequests } from './requests'
import { appendSigned } from './store'
import { memberNames } from './team'
import { escapeHtml } from '../../api/display'

const fieldTitles: Record<string, string> = {
  intendedUse: 'Intended use',
  outOfScope: 'Out-of-scope uses',
  limitations: 'Limitations',
  ethicalConsiderations: 'Ethical considerations',
  owner: 'Owner',
}

export function getCard(db: Database.Database, model: string, ref: string | number): ModelCard {
  const version = resolveVersion(db, model, ref)
  const detail = versionDetail(db, version, version.model)
  const stored = db
    .prepare(
      'SELECT fields_json, updated_at, updated_by FROM model_cards WHERE model = ? AND version_sha256 = ?',
    )
    .get(version.model.name, version.sha256) as
    { fields_json: string; updated_at: string; updated_by: string } | undefined
  const fields: Record<string, string> = Object.fromEntries(cardFieldNames.map((f) => [f, '']))
  Object.assign(fields, stored ? (JSON.parse(stored.fields_json) as Record<string, string>) : {})
  const requests = listRequests(db, { model: version.model.name }).filter(
    (r) => r.versionSha256 === version.sha256,
  )
  const holds = new Set(detail.aliases)
  const applied = requests.filter((r) => r.status === 'applied')
  const status: ModelCard['status'] = applied.length
    ? applied.some((r) => holds.has(r.alias))
      ? 'Approved'
      : 'Archived'
    : requests.some((r) => r.status === 'pending' || r.status === 'approved')
      ? 'In review'
      : 'Draft'
  const evaluation = latestEvaluation(db, version.id)
  const result = evaluation
    ? (JSON.parse(evaluation.result_json) as {
        slices?: unknown
        latency?: Record<string, unknown>
      })
    : null
  const drift = latestDrift(db, version.model.id)
  const training = detail.lineage.trainingDataset
  const updater = stored?.updated_by
  return {
    model: version.model.name,
    version: version.version,
    versionSha256: version.sha256,
    status,
    fields,
    updatedAt: stored?.updated_at ?? null,
    updatedBy: updater
      ? (memberNames(db).get(updater) ??
        (/^[0-9a-f]{64}$/.test(updater) ? updater.slice(0, 16) : updater))
      : null,
    auto: {
      lineage: {
        codeVersion: detail.lineage.codeVersion,
        hyperparameters: detail.lineage.hyperparameters,
        parentVersion: detail.lineage.parentVersion,
        description: detail.lineage.description,
        registeredBy: detail.registeredBy,
        registeredAt: detail.registeredAt,
        sha256: version.sha256,
      },
      trainingData: training
        ? {
            name: training.name,
            sha256: training.sha256,
            rows: training.rows,
            columns: training.columns,
          }
        : null,
      evaluation: evaluation
        ? {
            at: evaluation.created_at,
            task: evaluation.task,
            rows: evaluation.row_count,
            datasetSha256: evaluation.dataset_sha256,
            headline: JSON.parse(evaluation.headline_json) as unknown,
            slices: result?.slices ?? null,
          }
        : null,
      latency: result?.latency
        ? {
            p50Ms: result.latency.p50Ms,
            p95Ms: result.latency.p95Ms,
            p99Ms: result.latency.p99Ms,
            rowsPerSecond: result.latency.rowsPerSecond,
          }
        : null,
      drift,
      approvals: requests.map((r) => ({
        request: r.id,
        alias: r.alias,
        status: r.status,
        requestedBy: r.requestedBy,
        approvedBy: r.approvals.filter((a) => a.counts).map((a) => a.by),
        at: r.createdAt,
      })),
    },
  }
}

export function setCard(
  core: CoreContext,
  actor: Actor,
  model: string,
  ref: string | number,
  fields: Record<string, string>,
): ModelCard {
  const { db } = core
  return db
    .transaction(() => {
      const version = resolveVersion(db, model, ref)
      const stored = db
        .prepare('SELECT fields_json FROM model_cards WHERE model = ? AND version_sha256 = ?')
        .get(version.model.name, version.sha256) as { fields_json: string } | undefined
      const merged: Record<string, string> = {
        ...(stored ? (JSON.parse(stored.fields_json) as Record<string, string>) : {}),
      }
      for (const [k, v] of Object.entries(fields)) {
        if (v.trim()) merged[k] = v
        else delete merged[k]
      }
      if (Object.keys(fields).length === 0)
        throw new SlipwayError('INVALID_INPUT', 'No card fields given: use --field KEY=VALUE')
      if (core.identity)
        appendSigned(core, actor, 'card.set', {
          model: version.model.name,
          versionSha256: version.sha256,
          localVersion: version.version,
          fields: merged,
        })
      else
        db.prepare(
          `INSERT INTO model_cards (model, version_sha256, fields_json, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (model, version_sha256) DO UPDATE SET fields_json = excluded.fields_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        ).run(
          version.model.name,
          version.sha256,
          JSON.stringify(merged),
          new Date().toISOString(),
          actor.name,
        )
      return getCard(db, model, ref)
    })
    .immediate()
}

const fmt = (v: unknown): string =>
  typeof v === 'number'
    ? Number.isInteger(v)
      ? String(v)
      : v.toPrecision(4)
    : typeof v === 'string'
      ? v
      : JSON.stringify(v)

function cardSections(card: ModelCard): { title: string; lines: string[] }[] {
  const written = Object.entries(card.fields).map(([k, v]) => ({
    title: fieldTitles[k] ?? k,
    lines: [v.trim() || '_Not written yet._'],
  }))
  const a = card.auto
  const kv = (o: Record<string, unknown> | null | undefined): string[] =>
    o
      ? Object.entries(o)
          .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
          .map(([k, v]) => `${k}: ${fmt(v)}`)
      : ['None recorded.']
  return [
    ...written,
    {
      title: 'Lineage',
      lines: [
        ...kv(a.lineage),
        ...Object.entries((a.lineage.hyperparameters as Record<string, string>) ?? {}).map(
          ([k, v]) => `param ${k}: ${v}`,
        ),
      ],
    },
    {
      title: 'Training data',
      lines: a.trainingData
        ? [...kv(a.trainingData), `columns: ${(a.trainingData.columns as string[]).join(', ')}`]
        : ['None recorded.'],
    },
    {
      title: 'Latest evaluation',
      lines: a.evaluation
        ? [
            ...kv(a.evaluation),
            ...Object.entries((a.evaluation.headline as Record<string, unknown>) ?? {}).map(
              ([k, v]) => `${k}: ${v === null ? '—' : fmt(v)}`,
            ),
            ...sliceLines(a.evaluation.slices),
          ]
        : ['None recorded.'],
    },
    { title: 'Latency', lines: kv(a.latency) },
    { title: 'Drift', lines: kv(a.drift) },
    {
      title: 'Approvals',
      lines: a.approvals.length
        ? a.approvals.map(
            (r) =>
              `${String(r.alias)}: ${String(r.status)}, requested by ${String(r.requestedBy)}${(r.approvedBy as string[]).length ? `, approved by ${(r.approvedBy as string[]).join(', ')}` : ''} (request ${String(r.request).slice(0, 12)})`,
          )
        : ['No promotion requests.'],
    },
  ]
}

function sliceLines(slices: unknown): string[] {
  const s = slices as {
    column?: string
    rows?: { value?: unknown; rows?: unknown; metrics?: Record<string, unknown> }[]
  } | null
  if (!s?.rows?.length) return []
  return [
    `slices by ${String(s.column)}:`,
    ...s.rows.slice(0, 50).map(
      (r) =>
        `  ${String(r.value)} (${String(r.rows)} rows)${
          r.metrics
            ? ': ' +
              Object.entries(r.metrics)
                .filter(([, v]) => typeof v === 'number')
                .map(([k, v]) => `${k} ${fmt(v)}`)
                .join(', ')
            : ''
        }`,
    ),
  ]
}

export function exportCard(
  db: Database.Database,
  model: string,
  ref: string | number,
  format: 'md' | 'html',
): { content: string; mediaType: string; fileName: string } {
  const card = getCard(db, model, ref)
  const title = `Model card: ${card.model} v${card.version}`
  const sections = cardSections(card)
  const base = `${card.model}-v${card.version}-card`
  if (format === 'md') {
    const md = [
      `# ${title}`,
      '',
      `Status: **${card.status}** · SHA-256 \`${card.versionSha256}\`${card.updatedAt ? ` · updated ${card.updatedAt} by ${card.updatedBy}` : ''}`,
      '',
      ...sections.flatMap((s) => [
        `## ${s.title}`,
        '',
        ...s.lines.map((l) => (s.lines.length > 1 ? `- ${l}` : l)),
        '',
      ]),
    ].join('\n')
    return { content: md, mediaType: 'text/markdown', fileName: `${base}.md` }
  }
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:52em;margin:2em auto;color:#222;padding:0 1em}h2{border-bottom:1px solid #ddd;margin-top:1.6em}.status{display:inline-block;padding:2px 8px;border-radius:4px;background:#eef}code{font-size:13px}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p><span class="status">${escapeHtml(card.status)}</span> SHA-256 <code>${escapeHtml(card.versionSha256)}</code></p>
${sections.map((s) => `<h2>${escapeHtml(s.title)}</h2>\n${s.lines.length > 1 ? `<ul>${s.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : `<p>${escapeHtml(s.lines[0] ?? '')}</p>`}`).join('\n')}
</body></html>
`
  return { content: html, mediaType: 'text/html', fileName: `${base}.html` }
}
