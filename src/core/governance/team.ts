// The team: making the policy chain (team init, add-member, policy updates signed by an admin of
// the predecessor), joining one (pinning its root), and reading who is who.
import fs from 'node:fs'
import type Database from 'better-sqlite3'
import { SlipwayError } from '../../api/errors'
import type { PolicyChange, TeamPolicy } from '../../api/governance'
import type { Actor, CoreContext } from '../context'
import type { Signable } from './canonical'
import { parsePublicKey, shortFingerprint } from './identity'
import {
  defaultPolicyBody,
  roleAtLeast,
  verifyPolicyChain,
  type PolicyBody,
  type PolicyDocument,
  type Role,
  type VerifiedPolicy,
} from './policy'
import { recordId, signRecord } from './records'
import {
  appendSigned,
  loadPolicies,
  pinnedRootFile,
  signingIdentity,
  storePolicy,
  teamRoot,
} from './store'

/** The verified chain this home holds; throws when it does not verify. */
export function currentChain(db: Database.Database): VerifiedPolicy[] {
  const root = teamRoot(db)
  if (!root) return []
  const { chain, problems } = verifyPolicyChain(loadPolicies(db), root)
  const [first] = problems
  if (first)
    throw new SlipwayError(
      'CONFLICT',
      `This home's team policy does not verify: ${first.problem}. Run \`slipway audit verify\``,
    )
  return chain
}

export const currentPolicy = (db: Database.Database): VerifiedPolicy | null =>
  currentChain(db).at(-1) ?? null

/** The current policy of a home that has a team (a team root is pinned). */
function linkedPolicy(db: Database.Database): VerifiedPolicy {
  const policy = currentPolicy(db)
  if (!policy)
    throw new SlipwayError(
      'INTERNAL',
      'This home is linked to a team but holds none of its policies. Run `slipway audit verify`',
    )
  return policy
}

/** The team view of a home that has just been given a team. */
function linkedTeam(core: CoreContext): TeamPolicy {
  const team = showTeam(core)
  if (!team) throw new SlipwayError('INTERNAL', 'This home has no team after linking one')
  return team
}

/** The local identity's roles in the current policy; null when the home has no team. */
export function myRoles(core: CoreContext): Role[] | null {
  if (!teamRoot(core.db)) return null
  const policy = currentPolicy(core.db)
  const fp = core.identity?.info.fingerprint
  return (fp && policy?.members.get(fp)?.roles) || []
}

/** fingerprint → display name, from the policy and identity.init records. */
export function memberNames(db: Database.Database): Map<string, string> {
  const names = new Map<string, string>()
  const rows = db
    .prepare("SELECT author, record_json FROM signed_records WHERE type = 'identity.init'")
    .all() as { author: string; record_json: string }[]
  for (const r of rows) {
    const body = (JSON.parse(r.record_json) as { body: { name?: unknown } }).body
    if (typeof body.name === 'string') names.set(r.author, body.name)
  }
  for (const doc of loadPolicies(db))
    for (const m of doc.body.members ?? []) {
      try {
        names.set(parsePublicKey(m.publicKey).fingerprint, m.name)
      } catch {
        // a malformed policy is audit verify's to report
      }
    }
  return names
}

export const nameOf = (names: Map<string, string>, fp: string): string =>
  names.get(fp) ?? shortFingerprint(fp)

export function policyView(core: CoreContext, p: VerifiedPolicy, root: string): TeamPolicy {
  const body = p.doc.body
  const me = core.identity?.info.fingerprint
  return {
    team: body.team,
    version: body.version,
    policyId: p.id,
    rootFingerprint: root,
    members: [...p.members.values()].map((m) => ({
      name: m.name,
      email: m.email,
      publicKey: m.publicKey,
      fingerprint: m.fingerprint,
      roles: m.roles,
    })),
    protectedAliases: body.protectedAliases,
    approvalsRequired: body.approvalsRequired,
    requirements: body.requirements,
    signedBy: p.members.get(p.doc.author)?.name ?? shortFingerprint(p.doc.author),
    at: p.doc.at,
    myRoles: (me && p.members.get(me)?.roles) || [],
  }
}

export function showTeam(core: CoreContext): TeamPolicy | null {
  const root = teamRoot(core.db)
  if (!root) return null
  return policyView(core, linkedPolicy(core.db), root)
}

function pinRoot(core: CoreContext, root: string): void {
  core.db
    .prepare('INSERT INTO team_link (one, root, linked_at) VALUES (1, ?, ?)')
    .run(root, new Date().toISOString())
  fs.writeFileSync(pinnedRootFile(core.home), `${root}\n`, { mode: 0o644 })
}

const asBody = (body: PolicyBody): PolicyDocument['body'] =>
  body as unknown as PolicyDocument['body'] & { [k: string]: Signable }

export function initTeam(
  core: CoreContext,
  actor: Actor,
  input: { name: string; approvals?: number; protect?: string[] },
): TeamPolicy {
  const identity = signingIdentity(core)
  return core.db
    .transaction(() => {
      if (teamRoot(core.db))
        throw new SlipwayError(
          'CONFLICT',
          'This home already belongs to a team (`slipway team show`)',
        )
      const body = defaultPolicyBody(
        input.name,
        {
          name: identity.info.name,
          email: identity.info.email,
          publicKey: identity.info.publicKey,
          roles: ['admin'],
        },
        { approvalsRequired: input.approvals, protectedAliases: input.protect },
      )
      const doc = signRecord(
        {
          v: 1,
          type: 'policy',
          author: identity.info.fingerprint,
          seq: 1,
          prev: null,
          at: new Date().toISOString(),
          team: null,
          body: asBody(body),
        },
        identity.privateKey,
      ) as PolicyDocument
      const id = storePolicy(core.db, doc)
      pinRoot(core, id)
      appendSigned(core, actor, 'policy.set', { policyId: id, version: 1 })
      return linkedTeam(core)
    })
    .immediate()
}

function describeDiff(before: PolicyBody, after: PolicyBody): string[] {
  const diff: string[] = []
  const key = (m: { publicKey: string }): string => parsePublicKey(m.publicKey).fingerprint
  const old = new Map(before.members.map((m) => [key(m), m]))
  const now = new Map(after.members.map((m) => [key(m), m]))
  for (const [fp, m] of now) {
    const was = old.get(fp)
    if (!was)
      diff.push(
        `+ member ${m.name} <${m.email}> (${shortFingerprint(fp)}) as ${m.roles.join(', ')}`,
      )
    else if (was.roles.join(',') !== m.roles.join(','))
      diff.push(`~ ${m.name}: roles ${was.roles.join(', ')} → ${m.roles.join(', ')}`)
  }
  for (const [fp, m] of old)
    if (!now.has(fp)) diff.push(`- member ${m.name} (${shortFingerprint(fp)})`)
  if (before.protectedAliases.join(',') !== after.protectedAliases.join(','))
    diff.push(
      `~ protected aliases: ${before.protectedAliases.join(', ') || 'none'} → ${after.protectedAliases.join(', ') || 'none'}`,
    )
  if (before.approvalsRequired !== after.approvalsRequired)
    diff.push(`~ approvals required: ${before.approvalsRequired} → ${after.approvalsRequired}`)
  if (JSON.stringify(before.requirements) !== JSON.stringify(after.requirements))
    diff.push(
      `~ requirements: gate within ${before.requirements.gatePassedWithinDays ?? 'none'} days, card fields [${before.requirements.cardFields.join(', ')}] → gate within ${after.requirements.gatePassedWithinDays ?? 'none'} days, card fields [${after.requirements.cardFields.join(', ')}]`,
    )
  return diff
}

/** Signs the next policy version (an admin of the current one only); dryRun shows the diff. */
export function updatePolicy(
  core: CoreContext,
  actor: Actor,
  change: (body: PolicyBody) => PolicyBody,
  dryRun = false,
): { policy: TeamPolicy; diff: string[]; signed: boolean } {
  const identity = signingIdentity(core)
  return core.db
    .transaction(() => {
      const root = teamRoot(core.db)
      if (!root)
        throw new SlipwayError(
          'NOT_FOUND',
          'This home has no team: run `slipway team init --name TEAM` first',
        )
      const current = linkedPolicy(core.db)
      const me = current.members.get(identity.info.fingerprint)
      if (!me || !roleAtLeast(me.roles, 'admin'))
        throw new SlipwayError(
          'PERMISSION_DENIED',
          `Changing the team policy needs role admin; ${identity.info.name} is ${me ? me.roles.join(', ') : 'not a member'}`,
        )
      const before = current.doc.body as PolicyBody
      const next = change(structuredClone(before))
      next.version = before.version + 1
      next.prev = current.id
      if (!next.members.some((m) => m.roles.includes('admin')))
        throw new SlipwayError('INVALID_INPUT', 'The policy must keep at least one admin')
      const diff = describeDiff(before, next)
      if (diff.length === 0)
        throw new SlipwayError(
          'INVALID_INPUT',
          'Nothing changes: the new policy would equal the current one',
        )
      const at = new Date(Math.max(Date.now(), Date.parse(current.doc.at))).toISOString()
      const doc = signRecord(
        {
          v: 1,
          type: 'policy',
          author: identity.info.fingerprint,
          seq: next.version,
          prev: current.id,
          at,
          team: root,
          body: asBody(next),
        },
        identity.privateKey,
      ) as PolicyDocument
      const preview = { id: recordId(doc), doc, members: new Map() } as VerifiedPolicy
      if (dryRun) {
        const { chain } = verifyPolicyChain([...loadPolicies(core.db), doc], root)
        return { policy: policyView(core, chain.at(-1) ?? preview, root), diff, signed: false }
      }
      const [problem] = verifyPolicyChain([...loadPolicies(core.db), doc], root).problems
      if (problem)
        throw new SlipwayError('CONFLICT', `The new policy would not verify: ${problem.problem}`)
      const id = storePolicy(core.db, doc)
      appendSigned(core, actor, 'policy.set', { policyId: id, version: next.version })
      return { policy: linkedTeam(core), diff, signed: true }
    })
    .immediate()
}

export function addMember(
  core: CoreContext,
  actor: Actor,
  input: { publicKey: string; name: string; email: string; role: Role },
): TeamPolicy {
  const key = parsePublicKey(input.publicKey)
  return updatePolicy(core, actor, (body) => {
    const existing = body.members.find(
      (m) => parsePublicKey(m.publicKey).fingerprint === key.fingerprint,
    )
    if (existing)
      throw new SlipwayError(
        'CONFLICT',
        `${existing.name} (${shortFingerprint(key.fingerprint)}) is already a member; change roles with team update`,
      )
    body.members.push({
      name: input.name,
      email: input.email,
      publicKey: input.publicKey.trim(),
      roles: [input.role],
    })
    return body
  }).policy
}

export function applyPolicyChange(body: PolicyBody, change: PolicyChange): PolicyBody {
  if (change.protectedAliases) body.protectedAliases = [...new Set(change.protectedAliases)]
  if (change.approvalsRequired !== undefined) body.approvalsRequired = change.approvalsRequired
  if (change.requirements) body.requirements = change.requirements
  for (const [fp, memberRoles] of Object.entries(change.memberRoles ?? {})) {
    const member = body.members.find((m) => parsePublicKey(m.publicKey).fingerprint === fp)
    if (!member)
      throw new SlipwayError(
        'NOT_FOUND',
        `No member with fingerprint ${shortFingerprint(fp)} in the policy`,
      )
    if (memberRoles.length === 0) body.members.splice(body.members.indexOf(member), 1)
    else member.roles = [...new Set(memberRoles)]
  }
  return body
}

export function exportTeam(core: CoreContext): { root: string; policies: unknown[] } {
  const root = teamRoot(core.db)
  if (!root) throw new SlipwayError('NOT_FOUND', 'This home has no team to export')
  return { root, policies: loadPolicies(core.db) }
}

/** Joins a team: its chain must verify from the root the user was given (out of band). */
export function joinTeam(
  core: CoreContext,
  policies: readonly unknown[],
  root: string,
): TeamPolicy {
  return core.db
    .transaction(() => {
      const linked = teamRoot(core.db)
      if (linked)
        throw new SlipwayError(
          'CONFLICT',
          linked === root
            ? 'This home already belongs to that team'
            : 'This home already belongs to another team',
        )
      const { chain, problems } = verifyPolicyChain(policies, root)
      const [problem] = problems
      if (problem)
        throw new SlipwayError(
          'CONFLICT',
          `The team policy does not verify, nothing was changed: ${problem.problem}`,
        )
      for (const p of chain) storePolicy(core.db, p.doc)
      pinRoot(core, root)
      return linkedTeam(core)
    })
    .immediate()
}
