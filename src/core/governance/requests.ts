// Promotion requests: asking to point a protected alias at a version (with evidence), four-eyes
// approvals and rejections, withdrawal, and the guard that refuses any other move of a protected
// alias with APPROVAL_REQUIRED, naming what is missing.
import type Database from 'better-sqlite3'
import { SlipwayError } from '../../api/errors'
import type { PromotionRequest, RequestStatus } from '../../api/governance'
import type { Actor, CoreContext } from '../context'
import type { ModelRow, VersionRow } from '../registry/registry'
import { resolveVersion } from '../registry/registry'
import { toSignable, type Signable } from './canonical'
import { policyInForce, roleAtLeast, type VerifiedPolicy } from './policy'
import { appendSigned, signingIdentity, teamRoot } from './store'
import { currentChain, memberNames, nameOf } from './team'

interface RequestRow {
  id: string
  model: string
  version_sha256: string
  alias: string
  comment: string
  evidence_json: string
  requested_by: string
  created_at: string
  withdrawn_at: string | null
  applied_at: string | null
  applied_by: string | null
  superseded_at: string | null
}

interface DecisionRow {
  record_id: string
  request_id: string
  decision: 'approve' | 'reject'
  by: string
  comment: string
  at: string
}

/** Who registered these bytes as this model (by fingerprint), from the signed records. */
function registrants(db: Database.Database, model: string, sha256: string): Set<string> {
  const rows = db
    .prepare(
      "SELECT author, record_json FROM signed_records WHERE type = 'version.register' AND model = ?",
    )
    .all(model) as { author: string; record_json: string }[]
  return new Set(
    rows
      .filter(
        (r) =>
          (JSON.parse(r.record_json) as { body: { versionSha256?: unknown } }).body
            .versionSha256 === sha256,
      )
      .map((r) => r.author),
  )
}

/** Why a decision does not count (four eyes, role), or null when it counts. */
function decisionProblem(
  chain: readonly VerifiedPolicy[],
  request: RequestRow,
  registeredBy: Set<string>,
  by: string,
  at: string,
): string | null {
  if (by === request.requested_by) return 'the requester cannot approve their own request'
  if (registeredBy.has(by)) return "the version's registrant cannot approve it"
  if (chain.length) {
    const m = policyInForce(chain, at)?.members.get(by)
    if (!m || !roleAtLeast(m.roles, 'approver')) return 'not an approver or admin at that time'
  }
  return null
}

function findRequest(db: Database.Database, ref: string): RequestRow {
  const rows = db
    .prepare("SELECT * FROM promotion_requests WHERE id LIKE ? ESCAPE '\\' LIMIT 2")
    .all(`${ref}%`) as RequestRow[]
  const [row] = rows
  if (row === undefined) throw new SlipwayError('NOT_FOUND', `No promotion request ${ref}`)
  if (rows.length > 1)
    throw new SlipwayError('INVALID_INPUT', `Request id ${ref} is ambiguous: give more characters`)
  return row
}

export function requestView(
  db: Database.Database,
  row: RequestRow,
  names = memberNames(db),
): PromotionRequest {
  const chain = teamRoot(db) ? currentChain(db) : []
  const policy = chain.at(-1)
  const needed = policy?.doc.body.approvalsRequired ?? 1
  const registeredBy = registrants(db, row.model, row.version_sha256)
  const decisions = db
    .prepare('SELECT * FROM request_decisions WHERE request_id = ? ORDER BY at, record_id')
    .all(row.id) as DecisionRow[]
  const toDecision = (d: DecisionRow) => {
    const reason = decisionProblem(chain, row, registeredBy, d.by, d.at)
    return {
      by: nameOf(names, d.by),
      fingerprint: d.by,
      at: d.at,
      comment: d.comment,
      counts: reason === null,
      reason,
    }
  }
  const approvals = decisions.filter((d) => d.decision === 'approve').map(toDecision)
  const rejections = decisions.filter((d) => d.decision === 'reject').map(toDecision)
  const counted = new Set(approvals.filter((a) => a.counts).map((a) => a.fingerprint)).size
  const rejected = rejections.some((r) => r.counts)
  const status: RequestStatus = row.withdrawn_at
    ? 'withdrawn'
    : rejected
      ? 'rejected'
      : row.applied_at
        ? 'applied'
        : row.superseded_at
          ? 'superseded'
          : counted >= needed
            ? 'approved'
            : 'pending'
  const local = db
    .prepare(
      'SELECT v.version FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = ? AND v.sha256 = ?',
    )
    .get(row.model, row.version_sha256) as { version: number } | undefined
  const missing: string[] = []
  if (status === 'pending') {
    missing.push(
      `${needed - counted} more approval(s) from an approver or admin who is neither the requester nor the registrant (${counted} of ${needed})`,
    )
  }
  if (status === 'approved' || status === 'pending')
    missing.push(...requirementGaps(db, policy ?? null, row))
  return {
    id: row.id,
    model: row.model,
    version: local?.version ?? null,
    versionSha256: row.version_sha256,
    alias: row.alias,
    status,
    comment: row.comment,
    requestedBy: nameOf(names, row.requested_by),
    requestedByFingerprint: row.requested_by,
    createdAt: row.created_at,
    approvals,
    rejections,
    approvalsNeeded: needed,
    missing,
    evidence: JSON.parse(row.evidence_json) as Record<string, unknown>,
    appliedAt: row.applied_at,
  }
}

/** The policy's requirements that do not hold for a request (gate age from its evidence, card fields). */
function requirementGaps(
  db: Database.Database,
  policy: VerifiedPolicy | null,
  row: RequestRow,
): string[] {
  if (!policy) return []
  const gaps: string[] = []
  const req = policy.doc.body.requirements
  if (req.gatePassedWithinDays !== null) {
    const gate = (
      JSON.parse(row.evidence_json) as { gate?: { passed?: unknown; at?: unknown } | null }
    ).gate
    const age =
      gate && typeof gate.at === 'string'
        ? (Date.now() - Date.parse(gate.at)) / 86_400_000
        : Infinity
    if (!gate || gate.passed !== true)
      gaps.push("a passed gate check (none in the request's evidence)")
    else if (age > req.gatePassedWithinDays)
      gaps.push(
        `a gate check passed within ${req.gatePassedWithinDays} day(s) (the evidence's is ${Math.floor(age)} days old)`,
      )
  }
  const missingFields = cardGaps(db, row.model, row.version_sha256, req.cardFields)
  if (missingFields.length) gaps.push(`model card field(s) ${missingFields.join(', ')}`)
  return gaps
}

export function cardGaps(
  db: Database.Database,
  model: string,
  sha256: string,
  required: readonly string[],
): string[] {
  const card = db
    .prepare('SELECT fields_json FROM model_cards WHERE model = ? AND version_sha256 = ?')
    .get(model, sha256) as { fields_json: string } | undefined
  const fields = card ? (JSON.parse(card.fields_json) as Record<string, string>) : {}
  return required.filter((f) => !fields[f]?.trim())
}

/** What the requester attaches: latest evaluation, gate report, shadow comparison, drift status. */
function evidenceFor(
  db: Database.Database,
  version: VersionRow & { model: ModelRow },
): { [k: string]: Signable } {
  const evaluation = latestEvaluation(db, version.id)
  const gate = db
    .prepare(
      'SELECT id, passed, rules_json, created_at FROM gate_reports WHERE version_id = ? ORDER BY id DESC LIMIT 1',
    )
    .get(version.id) as
    { id: number; passed: number; rules_json: string; created_at: string } | undefined
  const shadow = db
    .prepare(
      `SELECT s.id, s.dataset_sha256, s.created_at, c.version AS champion FROM shadow_comparisons s
       JOIN model_versions c ON c.id = s.champion_version_id WHERE s.challenger_version_id = ? ORDER BY s.id DESC LIMIT 1`,
    )
    .get(version.id) as
    { id: number; dataset_sha256: string; created_at: string; champion: number } | undefined
  const drift = latestDrift(db, version.model.id)
  return {
    evaluation: evaluation
      ? toSignable({
          at: evaluation.created_at,
          datasetSha256: evaluation.dataset_sha256,
          task: evaluation.task,
          rows: evaluation.row_count,
          headline: JSON.parse(evaluation.headline_json) as unknown,
        })
      : null,
    gate: gate
      ? toSignable({
          at: gate.created_at,
          passed: gate.passed === 1,
          rules: (JSON.parse(gate.rules_json) as { passed?: boolean }[]).length,
          failedRules: (JSON.parse(gate.rules_json) as { passed?: boolean }[]).filter(
            (r) => !r.passed,
          ).length,
        })
      : null,
    shadow: shadow
      ? toSignable({
          at: shadow.created_at,
          againstVersion: shadow.champion,
          datasetSha256: shadow.dataset_sha256,
        })
      : null,
    drift: drift ? toSignable(drift) : null,
  }
}

/** A version's latest evaluation, as evidence (requests) and on its card. */
export function latestEvaluation(
  db: Database.Database,
  versionId: number,
):
  | {
      id: number
      dataset_sha256: string
      task: string
      row_count: number
      headline_json: string
      result_json: string
      created_at: string
    }
  | undefined {
  return db
    .prepare(
      'SELECT id, dataset_sha256, task, row_count, headline_json, result_json, created_at FROM evaluations WHERE version_id = ? ORDER BY id DESC LIMIT 1',
    )
    .get(versionId) as ReturnType<typeof latestEvaluation>
}

/** A model's latest drift run as evidence (requests) and on its card. */
export function latestDrift(
  db: Database.Database,
  modelId: number,
): {
  at: string
  status: string
  driftShare: number
  driftedColumns: number
  testedColumns: number
} | null {
  const row = db
    .prepare(
      'SELECT status, drift_share, drifted_columns, tested_columns, created_at FROM drift_runs WHERE model_id = ? ORDER BY id DESC LIMIT 1',
    )
    .get(modelId) as
    | {
        status: string
        drift_share: number
        drifted_columns: number
        tested_columns: number
        created_at: string
      }
    | undefined
  return row
    ? {
        at: row.created_at,
        status: row.status,
        driftShare: row.drift_share,
        driftedColumns: row.drifted_columns,
        testedColumns: row.tested_columns,
      }
    : null
}

export function createRequest(
  core: CoreContext,
  actor: Actor,
  input: { model: string; ref: string | number; alias: string; comment?: string },
): PromotionRequest {
  signingIdentity(core)
  const { db } = core
  return db
    .transaction(() => {
      const version = resolveVersion(db, input.model, input.ref)
      const chain = teamRoot(db) ? currentChain(db) : []
      const policy = chain.at(-1)
      if (policy && !policy.doc.body.protectedAliases.includes(input.alias))
        throw new SlipwayError(
          'INVALID_INPUT',
          `"${input.alias}" is not a protected alias (${policy.doc.body.protectedAliases.join(', ') || 'none'}): move it with \`slipway alias set\``,
        )
      const holder = db
        .prepare('SELECT version_id FROM aliases WHERE model_id = ? AND alias = ?')
        .get(version.model.id, input.alias) as { version_id: number } | undefined
      if (holder?.version_id === version.id)
        throw new SlipwayError(
          'CONFLICT',
          `${version.model.name} v${version.version} already holds "${input.alias}"`,
        )
      const open = db
        .prepare(
          'SELECT id FROM promotion_requests WHERE model = ? AND version_sha256 = ? AND alias = ? AND withdrawn_at IS NULL AND applied_at IS NULL AND superseded_at IS NULL',
        )
        .all(version.model.name, version.sha256, input.alias) as { id: string }[]
      const stillOpen = open
        .map((o) => requestView(db, findRequest(db, o.id)))
        .find((r) => r.status === 'pending' || r.status === 'approved')
      if (stillOpen)
        throw new SlipwayError(
          'CONFLICT',
          `Request ${stillOpen.id.slice(0, 12)} for ${version.model.name} v${version.version} → ${input.alias} is already ${stillOpen.status}`,
        )
      const fields = policy?.doc.body.requirements.cardFields ?? []
      const gaps = cardGaps(db, version.model.name, version.sha256, fields)
      if (gaps.length)
        throw new SlipwayError(
          'APPROVAL_REQUIRED',
          `The team policy needs model card field(s) ${gaps.join(', ')} of ${version.model.name} v${version.version} before a request: \`slipway card set ${version.model.name}@${version.version} --field ${gaps[0]}=...\``,
        )
      const { id } = appendSigned(core, actor, 'request.create', {
        model: version.model.name,
        versionSha256: version.sha256,
        localVersion: version.version,
        alias: input.alias,
        comment: input.comment ?? '',
        evidence: evidenceFor(db, version),
      })
      return requestView(db, findRequest(db, id))
    })
    .immediate()
}

export function decideRequest(
  core: CoreContext,
  actor: Actor,
  ref: string,
  decision: 'approve' | 'reject' | 'withdraw',
  comment = '',
): PromotionRequest {
  const identity = signingIdentity(core)
  const me = identity.info.fingerprint
  const { db } = core
  return db
    .transaction(() => {
      const row = findRequest(db, ref)
      const view = requestView(db, row)
      const label = `Request ${row.id.slice(0, 12)} (${row.model} → ${row.alias})`
      if (['withdrawn', 'rejected', 'applied', 'superseded'].includes(view.status))
        throw new SlipwayError(
          'CONFLICT',
          `${label} is ${view.status}; it can no longer be ${decision === 'withdraw' ? 'withdrawn' : `${decision}d`}`,
        )
      if (decision === 'withdraw') {
        if (row.requested_by !== me)
          throw new SlipwayError(
            'PERMISSION_DENIED',
            `${label} can be withdrawn only by its requester, ${view.requestedBy}`,
          )
        appendSigned(core, actor, 'request.withdraw', { requestId: row.id }, row.created_at)
        return requestView(db, findRequest(db, row.id))
      }
      const chain = teamRoot(db) ? currentChain(db) : []
      const why = decisionProblem(
        chain,
        row,
        registrants(db, row.model, row.version_sha256),
        me,
        new Date().toISOString(),
      )
      if (why)
        throw new SlipwayError(
          'PERMISSION_DENIED',
          `Four eyes: ${identity.info.name} cannot ${decision} ${label}: ${why}${why.startsWith('not an') ? ' (needs role approver)' : ''}`,
        )
      if (view.approvals.some((a) => a.fingerprint === me && decision === 'approve'))
        throw new SlipwayError('CONFLICT', `${identity.info.name} already approved ${label}`)
      if (decision === 'approve') {
        const gaps = requirementGaps(db, chain.at(-1) ?? null, row)
        if (gaps.length)
          throw new SlipwayError(
            'APPROVAL_REQUIRED',
            `${label} cannot be approved yet: the team policy needs ${gaps.join('; ')}`,
          )
      }
      appendSigned(
        core,
        actor,
        decision === 'approve' ? 'request.approve' : 'request.reject',
        { requestId: row.id, comment },
        row.created_at,
      )
      return requestView(db, findRequest(db, row.id))
    })
    .immediate()
}

export function listRequests(
  db: Database.Database,
  filter: { status?: RequestStatus; model?: string },
): PromotionRequest[] {
  const rows = (
    filter.model
      ? db
          .prepare('SELECT * FROM promotion_requests WHERE model = ? ORDER BY created_at DESC')
          .all(filter.model)
      : db.prepare('SELECT * FROM promotion_requests ORDER BY created_at DESC').all()
  ) as RequestRow[]
  const names = memberNames(db)
  return rows
    .map((r) => requestView(db, r, names))
    .filter((r) => !filter.status || r.status === filter.status)
}

export const getRequest = (db: Database.Database, ref: string): PromotionRequest =>
  requestView(db, findRequest(db, ref))

/** The protected aliases of a team home; empty for a solo home. */
export function protectedAliases(db: Database.Database): string[] {
  if (!teamRoot(db)) return []
  return currentChain(db).at(-1)?.doc.body.protectedAliases ?? []
}

/**
 * Before a protected alias moves in a team home: the id of the approved request that allows it,
 * or APPROVAL_REQUIRED naming what is missing. Null when the alias is not protected.
 */
export function requireApprovalToMove(
  db: Database.Database,
  model: ModelRow,
  alias: string,
  target: { id: number; version: number; sha256: string } | null,
): string | null {
  if (!protectedAliases(db).includes(alias)) return null
  const what = `"${alias}" of ${model.name} is a protected alias`
  if (!target)
    throw new SlipwayError(
      'APPROVAL_REQUIRED',
      `${what}: it cannot be removed; move it to another version through an approved request`,
    )
  const rows = db
    .prepare(
      'SELECT * FROM promotion_requests WHERE model = ? AND version_sha256 = ? AND alias = ? ORDER BY created_at DESC',
    )
    .all(model.name, target.sha256, alias) as RequestRow[]
  const views = rows.map((r) => requestView(db, r))
  const approved = views.find((v) => v.status === 'approved')
  if (approved) {
    if (approved.missing.length)
      throw new SlipwayError(
        'APPROVAL_REQUIRED',
        `${what}: request ${approved.id.slice(0, 12)} is approved but the team policy still needs ${approved.missing.join('; ')}`,
      )
    return approved.id
  }
  const pending = views.find((v) => v.status === 'pending')
  if (pending)
    throw new SlipwayError(
      'APPROVAL_REQUIRED',
      `${what}: request ${pending.id.slice(0, 12)} for v${target.version} still needs ${pending.missing.join('; ')}`,
    )
  const closed = views[0]
  throw new SlipwayError(
    'APPROVAL_REQUIRED',
    `${what}: moving it to v${target.version} needs an approved promotion request${closed ? ` (the last one, ${closed.id.slice(0, 12)}, is ${closed.status})` : ''}; run \`slipway request ${model.name}@${target.version} --alias ${alias}\` and have an approver approve it`,
  )
}
