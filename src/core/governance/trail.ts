// Reading the audit trail of a home: the list (signed records and the unsigned rows before the
// identity), `audit verify` over everything the home holds, and exports for an auditor.
import type Database from 'better-sqlite3'
import type { AuditEntry, AuditVerifyResult } from '../../api/governance'
import type { CoreContext } from '../context'
import { legacyHead, verifyAuditChain, type AuditEventRow } from './audit'
import { canonicalJson } from './canonical'
import { shortFingerprint } from './identity'
import { recordId, type SignedRecord } from './records'
import { loadPolicies, loadRecords, readPinnedRootFile, teamRoot } from './store'
import { memberNames, nameOf } from './team'
import { verifyRecords } from './verify'
import { escapeHtml } from '../../api/display'

/** The rows written before the home had an identity (unsigned, hash-chained only). */
type LegacyRow = AuditEventRow

function summarize(type: string, body: Record<string, unknown>): string {
  const model = typeof body.model === 'string' ? body.model : ''
  const v = typeof body.localVersion === 'number' ? ` v${body.localVersion}` : ''
  const sha = typeof body.versionSha256 === 'string' ? ` (${body.versionSha256.slice(0, 8)})` : ''
  switch (type) {
    case 'identity.init':
      return `identity of ${String(body.name)} <${String(body.email)}>`
    case 'alias.set':
      return `${model}: "${String(body.alias)}" → ${v.trim() || sha.trim()}${body.requestId ? ` under request ${String(body.requestId).slice(0, 12)}` : ''}`
    case 'alias.remove':
      return `${model}: "${String(body.alias)}" removed`
    case 'request.create':
      return `${model}${v}${sha}: request "${String(body.alias)}"`
    case 'request.approve':
    case 'request.reject':
    case 'request.withdraw':
      return `${type.slice(8)} request ${String(body.requestId).slice(0, 12)}${body.comment ? `: ${String(body.comment).slice(0, 80)}` : ''}`
    case 'policy.set':
      return `team policy version ${String(body.version)}`
    default:
      return `${model}${v}${sha}`.trim()
  }
}

export function listAudit(
  core: CoreContext,
  filter: { model?: string; limit?: number } = {},
): AuditEntry[] {
  const { db } = core
  const names = memberNames(db)
  const signed: AuditEntry[] = loadRecords(db, filter).map(({ id, record, origin }) => ({
    id,
    signed: true,
    type: record.type,
    at: record.at,
    actor: nameOf(names, record.author),
    fingerprint: record.author,
    seq: record.seq,
    model: typeof record.body.model === 'string' ? record.body.model : null,
    summary: summarize(record.type, record.body),
    body: record.body,
    origin,
  }))
  const legacyRows = (
    filter.model
      ? db
          .prepare(
            'SELECT e.* FROM audit_events e JOIN models m ON m.id = e.model_id WHERE m.name = ? ORDER BY e.id',
          )
          .all(filter.model)
      : db.prepare('SELECT * FROM audit_events ORDER BY id').all()
  ) as LegacyRow[]
  const modelNames = new Map(
    (db.prepare('SELECT id, name FROM models').all() as { id: number; name: string }[]).map((m) => [
      m.id,
      m.name,
    ]),
  )
  const legacy: AuditEntry[] = legacyRows.map((r) => ({
    id: `legacy:${r.id}`,
    signed: false,
    type: r.action,
    at: r.at,
    actor: r.actor,
    fingerprint: null,
    seq: null,
    model: r.model_id ? (modelNames.get(r.model_id) ?? null) : null,
    summary: `${r.model_id ? (modelNames.get(r.model_id) ?? '') : ''} (unsigned)`.trim(),
    body: JSON.parse(r.details_json) as unknown,
    origin: 'legacy' as const,
  }))
  const all = [...legacy, ...signed].sort((a, b) => a.at.localeCompare(b.at))
  return filter.limit ? all.slice(-filter.limit) : all
}

/** `audit verify` over a home: the unsigned chain, each stored row, the records, the local state. */
export function verifyHome(core: CoreContext): AuditVerifyResult {
  const { db } = core
  const problems: { record: string | null; problem: string; at?: string }[] = []
  // Unsigned rows: their hash chain, and the head the identity anchored when it was made.
  const legacy = verifyAuditChain(db)
  if (!legacy.ok)
    problems.push({
      record: `legacy:${legacy.brokenAt}`,
      problem: `unsigned audit row ${legacy.brokenAt} was edited, or one before it deleted (its hash chain breaks there)`,
    })
  const stored = loadRecords(db)
  const me = core.identity?.info.fingerprint
  const anchor = stored.find((s) => s.record.author === me && s.record.type === 'identity.init')
  const anchored = anchor?.record.body.legacy as { count?: unknown; head?: unknown } | undefined
  if (anchor && anchored && legacy.ok) {
    const head = legacyHead(db)
    if (head.count !== anchored.count || head.head !== anchored.head)
      problems.push({
        record: anchor.id,
        problem: `the ${String(anchored.count)} unsigned audit row(s) this identity anchored when it was made are now ${head.count} with another head: unsigned rows were added, deleted or rewritten`,
      })
  }
  if (me && stored.length && !anchor && stored.some((s) => s.record.author === me))
    problems.push({
      record: null,
      problem: "this home's identity.init record (its seq 1) is missing",
    })

  // Each row: the columns are copies of the signed record, and an author's rows follow its seq order.
  const lastSeq = new Map<string, number>()
  for (const s of stored) {
    let id: string
    try {
      id = recordId(s.record)
    } catch {
      problems.push({ record: s.row.id, problem: 'the stored record is not canonical JSON' })
      continue
    }
    const r = s.record
    if (id !== s.row.id)
      problems.push({
        record: s.row.id,
        problem: `the stored record's id is ${id.slice(0, 12)}…, not the row's ${s.row.id.slice(0, 12)}…: the record was edited`,
        at: r.at,
      })
    else if (
      s.row.author !== r.author ||
      s.row.seq !== r.seq ||
      s.row.type !== r.type ||
      s.row.at !== r.at
    )
      problems.push({
        record: s.row.id,
        problem:
          "the row's author, seq, type or time differ from its signed record: the row was edited",
        at: r.at,
      })
    const before = lastSeq.get(r.author)
    if (before !== undefined && r.seq < before)
      problems.push({
        record: s.row.id,
        problem: `seq ${r.seq} of ${shortFingerprint(r.author)} is stored after seq ${before}: records were reordered`,
        at: r.at,
      })
    lastSeq.set(r.author, Math.max(before ?? 0, r.seq))
  }

  // The pinned root, in the database and beside the key.
  const root = teamRoot(db)
  const fileRoot = readPinnedRootFile(core.home)
  if (root !== fileRoot && (root || fileRoot))
    problems.push({
      record: null,
      problem: `the team root pinned in the database (${root ? root.slice(0, 16) + '…' : 'none'}) differs from identity/team-root (${fileRoot ? fileRoot.slice(0, 16) + '…' : 'none'}): the team link was replaced`,
    })

  const report = verifyRecords({
    policies: loadPolicies(db),
    records: stored.map((s) => s.record),
    // The copy beside the key is the one outside the registry file: it wins when they differ.
    pinnedRoot: fileRoot ?? root,
  })
  for (const p of report.problems)
    problems.push({
      record: p.record,
      problem: `${p.type ? `${p.type}${p.seq ? ` seq ${p.seq}` : ''}${p.author ? ` by ${shortFingerprint(p.author)}` : ''}: ` : ''}${p.problem}`,
      at: p.at,
    })

  // Local state: where each alias points must be where this home's signed records last moved it
  // (imported moves from other laptops do not move local aliases).
  problems.push(
    ...aliasStateProblems(
      db,
      stored.filter((s) => s.origin === 'local').map((s) => ({ id: s.id, record: s.record })),
    ),
  )

  const ordered = problems.sort((a, b) =>
    a.at && b.at ? a.at.localeCompare(b.at) : a.at ? 1 : b.at ? -1 : 0,
  )
  const unsigned = (db.prepare('SELECT COUNT(*) AS n FROM audit_events').get() as { n: number }).n
  const first = ordered[0]
  return {
    ok: ordered.length === 0,
    records: stored.length + unsigned,
    signedRecords: stored.length,
    unsignedRecords: unsigned,
    policies: report.policies,
    problems: ordered.map(({ record, problem }) => ({ record, problem })),
    summary: first
      ? `Verification failed: ${ordered.length} problem(s). First: ${first.record ? `record ${first.record.slice(0, 12)}` : 'the trail'}: ${first.problem}`
      : `Verified: ${stored.length} signed record(s) from ${new Set(stored.map((s) => s.record.author)).size} identit${new Set(stored.map((s) => s.record.author)).size === 1 ? 'y' : 'ies'}, ${report.policies} policy version(s)${unsigned ? `, and ${unsigned} unsigned row(s) from before the identity (hash chain only)` : ''}. Deleting only the newest records cannot be seen from this file alone.`,
  }
}

function aliasStateProblems(
  db: Database.Database,
  records: { id: string; record: SignedRecord }[],
): { record: string | null; problem: string; at?: string }[] {
  const last = new Map<string, { id: string; record: SignedRecord }>()
  for (const r of records)
    if (r.record.type === 'alias.set' || r.record.type === 'alias.remove') {
      const k = `${String(r.record.body.model)}\u0000${String(r.record.body.alias)}`
      const prev = last.get(k)
      if (!prev || prev.record.at <= r.record.at) last.set(k, r)
    }
  const rows = db
    .prepare(
      'SELECT m.name AS model, a.alias, v.sha256, v.version FROM aliases a JOIN models m ON m.id = a.model_id JOIN model_versions v ON v.id = a.version_id',
    )
    .all() as { model: string; alias: string; sha256: string; version: number }[]
  const problems: { record: string | null; problem: string }[] = []
  const seen = new Set<string>()
  for (const row of rows) {
    const k = `${row.model}\u0000${row.alias}`
    seen.add(k)
    const rec = last.get(k)
    if (!rec) continue // set before this home signed anything
    if (rec.record.type === 'alias.remove' || rec.record.body.versionSha256 !== row.sha256)
      problems.push({
        record: rec.id,
        problem: `alias "${row.alias}" of ${row.model} points at v${row.version} (${row.sha256.slice(0, 8)}), but the signed records last ${rec.record.type === 'alias.remove' ? 'removed it' : `moved it to ${String(rec.record.body.versionSha256).slice(0, 8)}`}: a forged alias move`,
      })
  }
  for (const [k, rec] of last)
    if (!seen.has(k) && rec.record.type === 'alias.set') {
      const [model] = k.split('\u0000')
      const local = db
        .prepare(
          'SELECT 1 FROM models m JOIN model_versions v ON v.model_id = m.id WHERE m.name = ? AND v.sha256 = ?',
        )
        .get(model, rec.record.body.versionSha256)
      if (local && rec.record.body.model && rec.record.body.alias)
        problems.push({
          record: rec.id,
          problem: `alias "${String(rec.record.body.alias)}" of ${model} was removed from the registry without a signed record`,
        })
    }
  return problems
}

const csvCell = (v: unknown): string => {
  const text = typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v)
  // Spreadsheet formula injection: a leading = + - @ is quoted with an apostrophe.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

export function exportAudit(
  core: CoreContext,
  format: 'json' | 'csv' | 'html',
  model?: string,
): { content: string; mediaType: string; fileName: string } {
  const { db } = core
  if (format === 'json') {
    // The exchange form: what `audit import` and the shared store take back.
    const bundle = {
      format: 'slipway-signed-records',
      v: 1,
      exportedAt: new Date().toISOString(),
      root: teamRoot(db),
      policies: loadPolicies(db),
      records: loadRecords(db, { model }).map((s) => s.record),
      unsigned: listAudit(core, { model }).filter((e) => !e.signed),
    }
    return {
      content: `${JSON.stringify(bundle, null, 2)}\n`,
      mediaType: 'application/json',
      fileName: 'slipway-audit.json',
    }
  }
  const entries = listAudit(core, { model })
  if (format === 'csv') {
    const header = [
      'id',
      'signed',
      'type',
      'at',
      'actor',
      'fingerprint',
      'seq',
      'model',
      'summary',
      'body',
    ]
    const lines = [header.join(',')]
    for (const e of entries)
      lines.push(
        [
          e.id,
          e.signed,
          e.type,
          e.at,
          e.actor,
          e.fingerprint,
          e.seq,
          e.model,
          e.summary,
          e.body === undefined ? '' : canonicalJsonSafe(e.body),
        ]
          .map(csvCell)
          .join(','),
      )
    return {
      content: `${lines.join('\r\n')}\r\n`,
      mediaType: 'text/csv',
      fileName: 'slipway-audit.csv',
    }
  }
  const verdict = verifyHome(core)
  const rows = entries
    .map(
      (e) =>
        `<tr class="${e.signed ? 'signed' : 'unsigned'}"><td>${escapeHtml(e.at)}</td><td>${escapeHtml(e.type)}</td><td>${escapeHtml(e.actor)}${e.fingerprint ? `<br><code>${escapeHtml(shortFingerprint(e.fingerprint))}</code>` : ''}</td><td>${escapeHtml(e.summary)}</td><td>${e.signed ? `signed, seq ${e.seq}` : 'unsigned'}</td><td><code>${escapeHtml(e.id.slice(0, 16))}</code></td></tr>`,
    )
    .join('\n')
  const problems = verdict.problems
    .map(
      (p) =>
        `<li><code>${escapeHtml(p.record?.slice(0, 16) ?? '—')}</code> ${escapeHtml(p.problem)}</li>`,
    )
    .join('')
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Slipway audit report${model ? ` — ${escapeHtml(model)}` : ''}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}tr.unsigned{color:#777}.ok{color:#0a6b2d}.bad{color:#a40000}code{font-size:12px}</style></head>
<body><h1>Slipway audit report${model ? ` — ${escapeHtml(model)}` : ''}</h1>
<p>Exported ${escapeHtml(new Date().toISOString())}. Team root: <code>${escapeHtml(teamRoot(db) ?? 'none (solo home)')}</code></p>
<p class="${verdict.ok ? 'ok' : 'bad'}" id="verdict">${escapeHtml(verdict.summary)}</p>
${problems ? `<ol>${problems}</ol>` : ''}
<table><thead><tr><th>Time</th><th>Action</th><th>Actor</th><th>What</th><th>Signature</th><th>Record</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`
  return { content: html, mediaType: 'text/html', fileName: 'slipway-audit.html' }
}

function canonicalJsonSafe(value: unknown): string {
  try {
    return canonicalJson(value)
  } catch {
    return JSON.stringify(value)
  }
}
