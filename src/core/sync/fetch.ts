// What a deployment pipeline runs: the version a protected alias points to, straight from a
// store, with no local registry, after verifying the whole chain of trust for it. And the
// store-wide audit behind `slipway audit verify --remote`.
import fs from 'node:fs'
import path from 'node:path'
import { SlipwayError } from '../../api/errors'
import { policyInForce, verifyPolicyChain, type PolicyDocument } from '../governance/policy'
import { parsePublicKey } from '../governance/identity'
import type { SignedRecord } from '../governance/records'
import { readNumber } from './layout'
import { BlobMismatchError, StoreError, type RemoteStore, type TransferProgress } from './store'
import {
  checkBlobs,
  publishedVersions,
  snapshotStore,
  type StoreProblem,
  type StoreSnapshot,
} from './verify-store'

export interface FetchResult {
  model: string
  /** The team number of the fetched bytes. */
  version: number | null
  alias: string
  sha256: string
  size: number
  approvedBy: string[]
  verified: true
  out: string
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

const unverified = (message: string): SlipwayError =>
  new SlipwayError('VERIFICATION_FAILED', message)

function memberNames(policies: readonly PolicyDocument[]): Map<string, string> {
  const names = new Map<string, string>()
  for (const doc of policies)
    for (const m of doc.body.members) {
      try {
        names.set(parsePublicKey(m.publicKey).fingerprint, m.name)
      } catch {
        // unreadable key: never matches an author
      }
    }
  return names
}

/** Which records a protected alias's current target rests on, from the valid ones. */
function chainOfTrust(
  snapshot: StoreSnapshot,
  model: string,
  alias: string,
): { move: SignedRecord; request: SignedRecord | null; approvals: SignedRecord[] } | null {
  let move: SignedRecord | null = null
  for (const r of snapshot.valid.values()) {
    if (
      (r.type !== 'alias.set' && r.type !== 'alias.remove') ||
      str(r.body.model) !== model ||
      str(r.body.alias) !== alias
    )
      continue
    if (!move || Date.parse(r.at) >= Date.parse(move.at)) move = r
  }
  if (!move || move.type !== 'alias.set') return null
  const requestId = str(move.body.requestId)
  let request: SignedRecord | null = null
  const approvals: SignedRecord[] = []
  for (const [id, r] of snapshot.valid) {
    if (requestId && id === requestId && r.type === 'request.create') request = r
    if (
      requestId &&
      r.type === 'request.approve' &&
      str(r.body.requestId) === requestId &&
      Date.parse(r.at) <= Date.parse(move.at)
    )
      approvals.push(r)
  }
  return { move, request, approvals }
}

export async function fetchAliased(
  store: RemoteStore,
  input: { model: string; alias: string; out: string; trust: string },
  options: { onProgress?: (p: TransferProgress) => void; signal?: AbortSignal } = {},
): Promise<FetchResult> {
  const out = path.resolve(input.out)
  if (fs.existsSync(out) && fs.statSync(out).isDirectory())
    throw new SlipwayError('INVALID_INPUT', `--out ${input.out} is a directory: give a file name`)
  if (!fs.existsSync(path.dirname(out)))
    throw new SlipwayError(
      'INVALID_INPUT',
      `--out ${input.out}: the folder ${path.dirname(out)} does not exist`,
    )
  let snapshot: StoreSnapshot
  try {
    snapshot = await snapshotStore(store, input.trust)
  } catch (error) {
    if (error instanceof StoreError) throw unverified(error.message)
    throw error
  }
  const policies = verifyPolicyChain(
    snapshot.policies.map((p) => p.value),
    input.trust,
  )
  const policyProblem = snapshot.problems.find(
    (p) =>
      p.object === 'policy chain' ||
      p.object === 'slipway-store.json' ||
      p.object.startsWith('policy/'),
  )
  if (policyProblem || policies.problems.length || policies.root !== input.trust)
    throw unverified(
      `The team policy in ${store.location} does not verify: ${policyProblem?.reason ?? policies.problems[0]?.problem ?? 'no policy'}`,
    )
  const trust = chainOfTrust(snapshot, input.model, input.alias)
  if (!trust) {
    const tampered = snapshot.problems[0]
    throw unverified(
      `No valid record in ${store.location} points alias "${input.alias}" of ${input.model} at a version` +
        (tampered ? ` (the store has problems: ${tampered.object}: ${tampered.reason})` : ''),
    )
  }
  const policy = policyInForce(policies.chain, trust.move.at)
  if (!policy || !policy.doc.body.protectedAliases.includes(input.alias))
    throw unverified(
      `Alias "${input.alias}" is not protected by the team policy: fetch only trusts protected aliases`,
    )
  // The whole chain of trust: every author it rests on must have a clean chain in the store.
  const involved = new Set([
    trust.move.author,
    ...(trust.request ? [trust.request.author] : []),
    ...trust.approvals.map((a) => a.author),
  ])
  const sha = str(trust.move.body.versionSha256)
  if (sha === null)
    throw unverified(`The move of ${input.model}@${input.alias} names no version sha256`)
  for (const r of snapshot.valid.values())
    if (
      r.type === 'version.register' &&
      str(r.body.versionSha256) === sha &&
      str(r.body.model) === input.model
    )
      involved.add(r.author)
  // Anything wrong that touches this model, its request, or an author it rests on fails the fetch.
  const requestId = str(trust.move.body.requestId)
  const broken = snapshot.problems.filter((p) => {
    const author = /^records\/([0-9a-f]{64})\//.exec(p.object)?.[1]
    if ((author !== undefined && involved.has(author)) || p.object === 'records') return true
    const object = snapshot.records.find((r) => r.key === p.object)
    const body = (object?.value as { body?: Record<string, unknown> } | null)?.body
    return (
      !!body && (body.model === input.model || (requestId !== null && body.requestId === requestId))
    )
  })
  for (const author of snapshot.badAuthors)
    if (involved.has(author) && broken.length === 0)
      broken.push({
        object: `records/${author}/`,
        reason: 'this author has a record that does not verify',
      })
  const [first] = broken
  if (first)
    throw unverified(
      `The chain of trust for ${input.model}@${input.alias} does not verify: ${first.object}: ${first.reason}`,
    )
  if (!trust.request)
    throw unverified(`The move of ${input.model}@${input.alias} names no approved request`)
  const number = await readNumber(store, input.model, sha)
  if (number.number === null && number.problem) throw unverified(number.problem)
  try {
    const got = await store.getBlob(sha, out, {
      onProgress: options.onProgress,
      signal: options.signal,
    })
    const names = memberNames(policies.chain.map((p) => p.doc))
    return {
      model: input.model,
      version: number.number,
      alias: input.alias,
      sha256: sha,
      size: got.size,
      approvedBy: trust.approvals.map((a) => names.get(a.author) ?? a.author.slice(0, 16)),
      verified: true,
      out,
    }
  } catch (error) {
    if (error instanceof BlobMismatchError)
      throw unverified(`${input.model}@${input.alias}: ${error.message}; nothing was written`)
    if (error instanceof StoreError)
      throw unverified(`${input.model}@${input.alias}: ${error.message}; nothing was written`)
    throw error
  }
}

export interface StoreAudit {
  ok: boolean
  location: string
  records: number
  policies: number
  versions: number
  problems: StoreProblem[]
}

/** Verifies everything in a store: records, policy chain, number claims and every blob's hash. */
export async function auditStore(store: RemoteStore, trust: string): Promise<StoreAudit> {
  const snapshot = await snapshotStore(store, trust)
  const { versions, problems } = await publishedVersions(store, snapshot)
  const blobProblems = await checkBlobs(store, versions)
  const all = [...snapshot.problems, ...problems, ...blobProblems]
  return {
    ok: all.length === 0,
    location: store.location,
    records: snapshot.records.length,
    policies: snapshot.policies.length,
    versions: versions.length,
    problems: all,
  }
}
