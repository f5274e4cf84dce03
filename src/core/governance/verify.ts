// The storage-independent verifier: given signed records and the team's policy chain, it says
// what is wrong, record by record. `audit verify` runs it over a home; the shared store runs it
// over what it pulls. It trusts nothing it is given.
import type crypto from 'node:crypto'
import { parsePublicKey, publicKeyObject } from './identity'
import {
  policyInForce,
  roleAtLeast,
  roleForType,
  topRole,
  verifyPolicyChain,
  type VerifiedPolicy,
} from './policy'
import { recordId, recordShapeProblem, verifyRecordSignature, type SignedRecord } from './records'

/** Record types this version of Slipway understands; others verify but are "not applied". */
export const knownRecordTypes = new Set([
  'identity.init',
  'model.create',
  'model.update',
  'version.register',
  'alias.set',
  'alias.remove',
  'tag.set',
  'tag.remove',
  'dataset.import',
  'dataset.remove',
  'mapping.set',
  'evaluation.store',
  'shadow.store',
  'gate-policy.set',
  'gate.check',
  'drift.alert',
  'drift.run',
  'drift.monitor.create',
  'drift.monitor.delete',
  'request.create',
  'request.approve',
  'request.reject',
  'request.withdraw',
  'card.set',
  'policy.set',
])

export interface VerifyInput {
  /** Policy documents of the team, any order. */
  policies: readonly unknown[]
  /** Signed records, any order. */
  records: readonly unknown[]
  /** The root fingerprint the verifier pinned, when it has one. */
  pinnedRoot?: string | null
  /** When given, each `version.register` must name a blob that is present. */
  blobsPresent?: (sha256: string) => boolean
}

export interface VerifyProblem {
  /** The record id, or null when the problem is not one record's (a missing record). */
  record: string | null
  author?: string
  seq?: number
  type?: string
  at?: string
  problem: string
}

export interface VerifyReport {
  ok: boolean
  records: number
  policies: number
  root: string | null
  problems: VerifyProblem[]
  /** Types this version does not know: verified (signature, chain) but not applied. */
  unknownTypes: string[]
}

interface Entry {
  id: string
  r: SignedRecord
  bad: boolean
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

/** Adds a problem, about one record (which is then bad) or about none. */
type Report = (e: Entry | null, text: string) => void

const reporter =
  (problems: VerifyProblem[]): Report =>
  (e, text) => {
    if (e) e.bad = true
    problems.push(
      e
        ? {
            record: e.id,
            author: e.r.author,
            seq: e.r.seq,
            type: e.r.type,
            at: e.r.at,
            problem: text,
          }
        : { record: null, problem: text },
    )
  }

type AuthorKeys = Map<string, { key: crypto.KeyObject; name: string }>

/** Records of a sound shape, with their ids; the others are problems. */
function readEntries(records: readonly unknown[], problems: VerifyProblem[]): Entry[] {
  const entries: Entry[] = []
  for (const raw of records) {
    const shape = recordShapeProblem(raw)
    if (shape) {
      problems.push({ record: null, problem: `a record is malformed: ${shape}` })
      continue
    }
    const r = raw as SignedRecord
    let id: string
    try {
      id = recordId(r)
    } catch (error) {
      problems.push({
        record: null,
        problem: `a record cannot be canonicalized: ${(error as Error).message}`,
      })
      continue
    }
    entries.push({ id, r, bad: false })
  }
  return entries
}

/** Public keys: from the team policy (any version) and from identity.init records. */
function authorKeys(chain: readonly VerifiedPolicy[], entries: readonly Entry[]): AuthorKeys {
  const keys: AuthorKeys = new Map()
  for (const p of chain)
    for (const m of p.members.values()) {
      const key = publicKeyObject(m.publicKey)
      if (key) keys.set(m.fingerprint, { key, name: m.name })
    }
  for (const e of entries) {
    if (e.r.type !== 'identity.init' || keys.has(e.r.author)) continue
    const text = str(e.r.body.publicKey)
    if (!text) continue
    try {
      const parsed = parsePublicKey(text)
      if (parsed.fingerprint === e.r.author)
        keys.set(e.r.author, {
          key: parsed.key,
          name: str(e.r.body.name) ?? e.r.author.slice(0, 16),
        })
    } catch {
      // reported below as a bad signature / unknown author
    }
  }
  return keys
}

/** Signatures and per-author chains: no duplicates, forks, gaps, reordering or backdating. */
function checkAuthorChains(
  entries: readonly Entry[],
  keys: AuthorKeys,
  chain: readonly VerifiedPolicy[],
  problem: Report,
): void {
  const byAuthor = new Map<string, Entry[]>()
  for (const e of entries) {
    const list = byAuthor.get(e.r.author) ?? []
    list.push(e)
    byAuthor.set(e.r.author, list)
  }
  const seen = new Set<string>()
  for (const [author, list] of byAuthor) {
    const key = keys.get(author)
    list.sort((a, b) => a.r.seq - b.r.seq)
    let expected = 1
    let prev: Entry | null = null
    for (const e of list) {
      if (seen.has(e.id)) {
        problem(e, 'the same record appears twice')
        continue
      }
      seen.add(e.id)
      if (!key) {
        problem(
          e,
          `signed by ${author.slice(0, 16)}…, whose public key is in neither the team policy nor an identity.init record`,
        )
        continue
      }
      if (!verifyRecordSignature(e.r, key.key)) {
        problem(e, 'the signature does not verify: the record was edited or forged')
        continue
      }
      if (prev && e.r.seq === prev.r.seq) {
        problem(e, `a second record with seq ${e.r.seq} from the same author (a fork)`)
        continue
      }
      if (e.r.seq !== expected) {
        problem(
          e,
          `seq ${e.r.seq} follows seq ${expected - 1}: ${e.r.seq - expected} record(s) of this author are missing (deleted)`,
        )
      } else if (e.r.prev !== (prev?.id ?? null)) {
        problem(
          e,
          prev
            ? `prev does not name seq ${prev.r.seq} (${prev.id.slice(0, 12)}…): reordered or replaced`
            : 'seq 1 names a predecessor',
        )
      } else if (prev && Date.parse(e.r.at) < Date.parse(prev.r.at)) {
        problem(e, `dated ${e.r.at}, before its predecessor seq ${prev.r.seq} (${prev.r.at})`)
      }
      if (
        e.r.seq === 1 &&
        e.r.type !== 'identity.init' &&
        !chain.some((p) => p.members.has(author))
      )
        problem(e, 'seq 1 is not an identity.init record')
      expected = e.r.seq + 1
      prev = e
    }
  }
}

/** Team membership and roles at each record's time; collects the types this version does not know. */
function checkMembership(
  entries: readonly Entry[],
  chain: readonly VerifiedPolicy[],
  root: string | null,
  unknownTypes: Set<string>,
  problem: Report,
): void {
  for (const e of entries) {
    if (e.bad) continue
    if (!knownRecordTypes.has(e.r.type)) unknownTypes.add(e.r.type)
    if (e.r.team === null) continue
    if (e.r.team !== root) {
      problem(
        e,
        root
          ? `names team ${e.r.team.slice(0, 16)}…, not this team (${root.slice(0, 16)}…)`
          : `names team ${e.r.team.slice(0, 16)}… but no policy chain verifies`,
      )
      continue
    }
    const p = policyInForce(chain, e.r.at)
    if (!p) {
      problem(e, "dated before the team's first policy")
      continue
    }
    const m = p.members.get(e.r.author)
    if (!m) {
      problem(e, `its author is not a member of policy version ${p.doc.seq}`)
      continue
    }
    const needed = roleForType(e.r.type)
    if (!roleAtLeast(m.roles, needed))
      problem(
        e,
        `${m.name} is ${topRole(m.roles)} in policy version ${p.doc.seq}; ${e.r.type} needs ${needed}`,
      )
  }
}

interface Tally {
  approvals: { by: string; at: string }[]
  rejectedAt: string | null
  withdrawnAt: string | null
}

/** The valid records' requests and the decisions on them, after the four-eyes checks. */
interface RequestBook {
  requests: Map<string, Entry>
  tally: (id: string) => Tally
}

function tallyRequests(
  ok: readonly Entry[],
  chain: readonly VerifiedPolicy[],
  blobsPresent: VerifyInput['blobsPresent'],
  problem: Report,
): RequestBook {
  const requests = new Map<string, Entry>()
  const registrants = new Map<string, Set<string>>()
  for (const e of ok) {
    if (e.r.type === 'request.create') requests.set(e.id, e)
    if (e.r.type === 'version.register') {
      const k = `${str(e.r.body.model)}\u0000${str(e.r.body.versionSha256)}`
      registrants.set(k, (registrants.get(k) ?? new Set()).add(e.r.author))
      const sha = str(e.r.body.versionSha256)
      if (blobsPresent && sha && !blobsPresent(sha))
        problem(e, `the model file ${sha.slice(0, 12)}… it registers is missing from the store`)
    }
  }
  const tallies = new Map<string, Tally>()
  const tally = (id: string): Tally => {
    let t = tallies.get(id)
    if (!t) tallies.set(id, (t = { approvals: [], rejectedAt: null, withdrawnAt: null }))
    return t
  }
  const memberAt = (fp: string, at: string): { p: VerifiedPolicy; roles: string[] } | null => {
    const p = policyInForce(chain, at)
    const m = p?.members.get(fp)
    return p && m ? { p, roles: m.roles } : null
  }
  const decisions = ok
    .filter((e) => e.r.type.startsWith('request.') && e.r.type !== 'request.create')
    .sort((a, b) => Date.parse(a.r.at) - Date.parse(b.r.at))
  for (const e of decisions) {
    const requestId = str(e.r.body.requestId)
    const req = requestId ? requests.get(requestId) : undefined
    if (!req) {
      if (knownRecordTypes.has(e.r.type))
        problem(
          e,
          `names request ${String(requestId).slice(0, 12)}…, which is not among the records`,
        )
      continue
    }
    if (Date.parse(e.r.at) < Date.parse(req.r.at)) {
      problem(e, 'dated before the request it decides')
      continue
    }
    const t = tally(req.id)
    if (e.r.type === 'request.withdraw') {
      if (e.r.author !== req.r.author) problem(e, 'withdrawn by someone other than the requester')
      else t.withdrawnAt ??= e.r.at
      continue
    }
    if (e.r.type !== 'request.approve' && e.r.type !== 'request.reject') continue
    if (e.r.author === req.r.author) {
      problem(
        e,
        `${e.r.type === 'request.approve' ? 'approved' : 'rejected'} by the requester (four eyes)`,
      )
      continue
    }
    const regKey = `${str(req.r.body.model)}\u0000${str(req.r.body.versionSha256)}`
    if (registrants.get(regKey)?.has(e.r.author)) {
      problem(
        e,
        `${e.r.type === 'request.approve' ? 'approved' : 'rejected'} by the version's registrant (four eyes)`,
      )
      continue
    }
    if (req.r.team !== null || e.r.team !== null) {
      const m = memberAt(e.r.author, e.r.at)
      if (!m || !roleAtLeast(m.roles as never, 'approver')) {
        if (!e.bad) problem(e, 'decided by someone who is not an approver or admin at that time')
        continue
      }
    }
    if (e.r.type === 'request.reject') {
      if (!str(e.r.body.comment)?.trim()) problem(e, 'a rejection without a comment')
      t.rejectedAt ??= e.r.at
    } else if (!t.approvals.some((a) => a.by === e.r.author))
      t.approvals.push({ by: e.r.author, at: e.r.at })
  }
  return { requests, tally }
}

/** Each move of a protected alias needs a matching request, approved enough and still open. */
function checkProtectedAliases(
  ok: readonly Entry[],
  chain: readonly VerifiedPolicy[],
  book: RequestBook,
  problem: Report,
): void {
  for (const e of ok) {
    if (e.r.type !== 'alias.set') continue
    // Dated before the team's first policy (or no team): no alias was protected then.
    const p = policyInForce(chain, e.r.at)
    if (!p) continue
    const alias = str(e.r.body.alias)
    if (!alias || !p.doc.body.protectedAliases.includes(alias)) continue
    const requestId = str(e.r.body.requestId)
    const req = requestId ? book.requests.get(requestId) : undefined
    const what = `moves protected alias "${alias}" of ${str(e.r.body.model)}`
    if (!req) {
      problem(
        e,
        `${what} without an approved request${requestId ? ` (request ${requestId.slice(0, 12)}… is not among the valid records)` : ''}`,
      )
      continue
    }
    if (
      str(req.r.body.model) !== str(e.r.body.model) ||
      str(req.r.body.alias) !== alias ||
      str(req.r.body.versionSha256) !== str(e.r.body.versionSha256)
    ) {
      problem(e, `${what}, but its request is for another model, alias or version`)
      continue
    }
    const t = book.tally(req.id)
    const at = Date.parse(e.r.at)
    if (t.rejectedAt && Date.parse(t.rejectedAt) <= at) {
      problem(e, `${what} under a rejected request`)
      continue
    }
    if (t.withdrawnAt && Date.parse(t.withdrawnAt) <= at) {
      problem(e, `${what} under a withdrawn request`)
      continue
    }
    const counted = t.approvals.filter((a) => Date.parse(a.at) <= at).length
    if (counted < p.doc.body.approvalsRequired)
      problem(
        e,
        `${what} with ${counted} valid approval(s); policy version ${p.doc.seq} requires ${p.doc.body.approvalsRequired}`,
      )
  }
}

export function verifyRecords(input: VerifyInput): VerifyReport {
  const policy = verifyPolicyChain(input.policies, input.pinnedRoot)
  const chain = policy.chain
  const root = policy.root
  const problems: VerifyProblem[] = policy.problems.map((p) => ({ ...p, type: 'policy' }))
  const problem = reporter(problems)
  const unknownTypes = new Set<string>()

  const entries = readEntries(input.records, problems)
  checkAuthorChains(entries, authorKeys(chain, entries), chain, problem)
  checkMembership(entries, chain, root, unknownTypes, problem)
  const ok = entries.filter((e) => !e.bad)
  const book = tallyRequests(ok, chain, input.blobsPresent, problem)
  checkProtectedAliases(ok, chain, book, problem)

  problems.sort((a, b) =>
    a.at && b.at ? Date.parse(a.at) - Date.parse(b.at) : a.at ? 1 : b.at ? -1 : 0,
  )
  return {
    ok: problems.length === 0,
    records: entries.length,
    policies: chain.length,
    root,
    problems,
    unknownTypes: [...unknownTypes].sort(),
  }
}
