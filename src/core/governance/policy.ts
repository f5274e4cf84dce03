// The team policy chain: version 1 signed by an admin it lists; each later version names its
// predecessor's id and is signed by an admin of the predecessor. The id of version 1 is the
// team's root fingerprint, which each member pins.
import type { Signable } from './canonical'
import { publicKeyObject, parsePublicKey } from './identity'
import { recordId, recordShapeProblem, verifyRecordSignature, type SignedRecord } from './records'

export const roles = ['viewer', 'contributor', 'approver', 'admin'] as const
export type Role = (typeof roles)[number]

export interface PolicyMember {
  name: string
  email: string
  publicKey: string
  roles: Role[]
}

export interface PolicyBody {
  team: string
  version: number
  prev: string | null
  members: PolicyMember[]
  protectedAliases: string[]
  approvalsRequired: number
  requirements: { gatePassedWithinDays: number | null; cardFields: string[] }
}

/** A policy document: a signed record of type `policy` (seq = version, prev = predecessor id). */
export type PolicyDocument = SignedRecord & {
  type: 'policy'
  body: PolicyBody & { [k: string]: Signable }
}

export interface VerifiedPolicy {
  id: string
  doc: PolicyDocument
  /** fingerprint → member */
  members: Map<string, PolicyMember & { fingerprint: string }>
}

export interface ChainProblem {
  record: string | null
  problem: string
}

const rank: Record<Role, number> = { viewer: 0, contributor: 1, approver: 2, admin: 3 }

/** The highest role among a member's roles. */
export const topRole = (memberRoles: readonly Role[]): Role =>
  memberRoles.reduce<Role>((best, r) => (rank[r] > rank[best] ? r : best), 'viewer')

export const roleAtLeast = (memberRoles: readonly Role[], needed: Role): boolean =>
  rank[topRole(memberRoles)] >= rank[needed]

/** The least role a record type needs (docs/TRUST.md). */
export function roleForType(type: string): Role {
  if (type === 'identity.init') return 'viewer'
  if (type === 'request.approve' || type === 'request.reject') return 'approver'
  if (type === 'policy.set' || type === 'policy') return 'admin'
  return 'contributor'
}

function bodyProblem(body: unknown): string | null {
  const b = body as Partial<PolicyBody> | null
  if (!b || typeof b !== 'object') return 'policy body is not an object'
  if (typeof b.team !== 'string' || !b.team.trim()) return 'policy has no team name'
  if (!Number.isSafeInteger(b.version) || (b.version ?? 0) < 1)
    return 'policy version is not a positive integer'
  if (!Array.isArray(b.members) || b.members.length === 0) return 'policy lists no members'
  for (const m of b.members) {
    if (!m || typeof m.name !== 'string' || typeof m.email !== 'string')
      return 'a member lacks name or email'
    if (typeof m.publicKey !== 'string' || !publicKeyObject(m.publicKey))
      return `member "${String(m.name)}" has no valid public key`
    if (!Array.isArray(m.roles) || m.roles.length === 0 || m.roles.some((r) => !roles.includes(r)))
      return `member "${m.name}" has unknown roles`
  }
  if (!Array.isArray(b.protectedAliases) || b.protectedAliases.some((a) => typeof a !== 'string'))
    return 'protectedAliases is not a list of names'
  if (!Number.isSafeInteger(b.approvalsRequired) || (b.approvalsRequired ?? 0) < 1)
    return 'approvalsRequired is not a positive integer'
  const req = b.requirements
  if (
    !req ||
    (req.gatePassedWithinDays !== null &&
      (!Number.isSafeInteger(req.gatePassedWithinDays) || req.gatePassedWithinDays < 0)) ||
    !Array.isArray(req.cardFields)
  )
    return 'requirements are malformed'
  return null
}

function membersOf(body: PolicyBody): VerifiedPolicy['members'] {
  const map: VerifiedPolicy['members'] = new Map()
  for (const m of body.members) {
    const { fingerprint } = parsePublicKey(m.publicKey)
    map.set(fingerprint, { ...m, fingerprint })
  }
  return map
}

/**
 * Verifies a policy chain (any order in, version order out). `pinnedRoot`, when the home has
 * pinned one, must be the id of version 1: a chain that starts elsewhere is a replaced policy.
 */
export function verifyPolicyChain(
  documents: readonly unknown[],
  pinnedRoot?: string | null,
): { chain: VerifiedPolicy[]; root: string | null; problems: ChainProblem[] } {
  const problems: ChainProblem[] = []
  const chain: VerifiedPolicy[] = []
  const docs = documents
    .map((d) => ({ d: d as PolicyDocument, shape: recordShapeProblem(d) }))
    .filter(({ d, shape }) => {
      if (shape || d.type !== 'policy') {
        problems.push({
          record: null,
          problem: `policy document: ${shape ?? `type is ${String(d.type)}, not policy`}`,
        })
        return false
      }
      return true
    })
    .sort((a, b) => a.d.seq - b.d.seq)
  for (const { d } of docs) {
    const id = recordId(d)
    const version = chain.length + 1
    const fail = (problem: string): void => {
      problems.push({ record: id, problem: `policy version ${d.seq}: ${problem}` })
    }
    if (d.seq !== version) {
      fail(
        chain.some((p) => p.doc.seq === d.seq)
          ? 'two policies claim this version (a fork)'
          : `expected version ${version} (a policy is missing)`,
      )
      break
    }
    const shape = bodyProblem(d.body)
    if (shape) {
      fail(shape)
      break
    }
    if (d.body.version !== d.seq) {
      fail(`body says version ${d.body.version}`)
      break
    }
    const prev = chain.at(-1)
    const expectedPrev = prev?.id ?? null
    if (d.prev !== expectedPrev || d.body.prev !== expectedPrev) {
      fail(
        prev
          ? `does not name version ${prev.doc.seq} (${prev.id.slice(0, 12)}…) as its predecessor`
          : 'version 1 names a predecessor',
      )
      break
    }
    const members = membersOf(d.body)
    // Version 1 is signed by an admin it lists; later versions by an admin of the predecessor.
    const signers = prev ? prev.members : members
    const signer = signers.get(d.author)
    if (!signer) {
      fail(
        prev
          ? `signed by ${d.author.slice(0, 16)}, not a member of version ${prev.doc.seq}`
          : 'signed by someone it does not list',
      )
      break
    }
    if (!signer.roles.includes('admin')) {
      fail(
        `signed by ${signer.name}, who is not an admin of ${prev ? `version ${prev.doc.seq}` : 'it'}`,
      )
      break
    }
    const key = publicKeyObject(signer.publicKey)
    if (!key || !verifyRecordSignature(d, key)) {
      fail('the signature does not verify (edited or forged)')
      break
    }
    const root = chain[0]?.id ?? null
    if (d.team !== root) {
      fail(prev ? 'names another team root' : 'version 1 must have team null')
      break
    }
    if (prev && Date.parse(d.at) < Date.parse(prev.doc.at)) {
      fail('is dated before its predecessor')
      break
    }
    chain.push({ id, doc: d, members })
  }
  const root = chain[0]?.id ?? null
  if (pinnedRoot && root !== pinnedRoot)
    problems.unshift({
      record: root,
      problem: root
        ? `the policy chain starts at ${root.slice(0, 16)}…, not at the pinned root ${pinnedRoot.slice(0, 16)}… (a replaced policy)`
        : `the pinned team root ${pinnedRoot.slice(0, 16)}… has no policy document (a removed policy)`,
    })
  return { chain, root, problems }
}

/** The newest policy version whose own time is not later than `at`. */
export function policyInForce(chain: readonly VerifiedPolicy[], at: string): VerifiedPolicy | null {
  const t = Date.parse(at)
  let found: VerifiedPolicy | null = null
  for (const p of chain) if (Date.parse(p.doc.at) <= t) found = p
  return found
}

export const defaultPolicyBody = (
  team: string,
  creator: PolicyMember,
  options: { approvalsRequired?: number; protectedAliases?: string[] } = {},
): PolicyBody => ({
  team,
  version: 1,
  prev: null,
  members: [creator],
  protectedAliases: options.protectedAliases ?? ['production', 'champion'],
  approvalsRequired: options.approvalsRequired ?? 1,
  requirements: { gatePassedWithinDays: null, cardFields: [] },
})
