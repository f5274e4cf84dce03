// Where each thing lives in the shared store (docs/STORE.md), and the create-only claims that
// give every published version one team number: the same bytes get the same number everywhere,
// and two different files never share one.
import { createHash } from 'node:crypto'
import { StoreError, type RemoteStore } from './store'

export const STORE_MARKER_KEY = 'slipway-store.json'
export const STORE_FORMAT = 'slipway-store'

export interface StoreMarker {
  format: typeof STORE_FORMAT
  version: 1
  /** The root fingerprint of the team policy chain this store belongs to. */
  root: string
  createdAt: string
}

const pad = (n: number): string => String(n).padStart(10, '0')

/** Model names can hold any character and differ only in case; keys must be safe on any file system. */
export const modelKey = (model: string): string =>
  createHash('sha256').update(model, 'utf8').digest('hex').slice(0, 32)

export const policyKey = (version: number): string => `policy/${pad(version)}.json`
export const authorPrefix = (author: string): string => `records/${author}/`
export const recordKey = (author: string, seq: number): string =>
  `records/${author}/${pad(seq)}.json`
export const numberPrefix = (model: string): string => `numbers/${modelKey(model)}/`
export const numberKey = (model: string, n: number): string =>
  `numbers/${modelKey(model)}/${pad(n)}.json`
export const shaKey = (model: string, sha256: string): string =>
  `shas/${modelKey(model)}/${sha256}.json`

/** Reads `records/<author>/<seq>.json` back into its parts, or null for any other key. */
export function parseRecordKey(key: string): { author: string; seq: number } | null {
  const m = /^records\/([0-9a-f]{64})\/(\d{10})\.json$/.exec(key)
  const [, author, seq] = m ?? []
  return author !== undefined && seq !== undefined ? { author, seq: Number(seq) } : null
}

export function parsePolicyKey(key: string): number | null {
  const m = /^policy\/(\d{10})\.json$/.exec(key)
  return m ? Number(m[1]) : null
}

function parseNumberKey(key: string): number | null {
  const m = /\/(\d{10})\.json$/.exec(key)
  return m ? Number(m[1]) : null
}

export interface NumberClaim {
  model: string
  number: number
  versionSha256: string
}

function claimBody(claim: NumberClaim): Buffer {
  return Buffer.from(
    JSON.stringify({
      model: claim.model,
      number: claim.number,
      versionSha256: claim.versionSha256,
    }),
  )
}

function parseClaim(bytes: Buffer | null): NumberClaim | null {
  if (!bytes) return null
  try {
    const value = JSON.parse(bytes.toString('utf8')) as Partial<NumberClaim>
    if (
      typeof value.model === 'string' &&
      Number.isSafeInteger(value.number) &&
      (value.number as number) > 0 &&
      typeof value.versionSha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(value.versionSha256)
    )
      return value as NumberClaim
  } catch {
    // reported by the caller as an unreadable claim
  }
  return null
}

/**
 * The team number of these bytes, if the store has given them one: `shas/<model>/<sha>` names
 * the number and `numbers/<model>/<n>` names the bytes back. Anything else is reported, not used.
 */
export async function readNumber(
  store: RemoteStore,
  model: string,
  sha256: string,
): Promise<{ number: number } | { number: null; problem: string | null }> {
  const bound = await store.get(shaKey(model, sha256))
  if (!bound) return { number: null, problem: null }
  const claim = parseClaim(bound)
  if (!claim || claim.versionSha256 !== sha256 || claim.model !== model)
    return {
      number: null,
      problem: `${shaKey(model, sha256)} is not a number claim for these bytes`,
    }
  const back = parseClaim(await store.get(numberKey(model, claim.number)))
  if (!back || back.versionSha256 !== sha256 || back.model !== model)
    return {
      number: null,
      problem: `team number ${claim.number} of ${model} is claimed for other bytes in ${numberKey(model, claim.number)}`,
    }
  return { number: claim.number }
}

/** The highest number claimed for a model after `startAfter` (a key), and the new cursor. */
async function lastClaimed(
  store: RemoteStore,
  model: string,
  startAfter?: string,
): Promise<{ last: number; cursor?: string }> {
  let cursor = startAfter
  let last = startAfter ? (parseNumberKey(startAfter) ?? 0) : 0
  for (;;) {
    const page = await store.list(numberPrefix(model), { startAfter: cursor })
    for (const key of page.keys) last = Math.max(last, parseNumberKey(key) ?? 0)
    if (page.keys.length) cursor = page.keys[page.keys.length - 1]
    if (!page.next) return { last, cursor }
  }
}

/**
 * Gives these bytes a team number, or returns the one they already have. Safe with any number
 * of writers at once: each number is a create-only object naming one SHA-256, and each SHA-256
 * a create-only object naming one number. A writer that loses the second race uses the
 * winner's number; the number it claimed first stays unused (a gap, never a duplicate).
 * `hint` is a cursor (the last number key this home saw) so the claim costs what is new.
 */
export async function claimNumber(
  store: RemoteStore,
  model: string,
  sha256: string,
  hint?: string,
): Promise<{ number: number; cursor?: string; created: boolean }> {
  const known = await readNumber(store, model, sha256)
  if (known.number !== null) return { number: known.number, cursor: hint, created: false }
  if (known.problem) throw new StoreError(known.problem)
  let { last, cursor } = await lastClaimed(store, model, hint)
  for (let attempts = 0; attempts < 10_000; attempts++) {
    const n = last + 1
    const result = await store.putCreateOnly(
      numberKey(model, n),
      claimBody({ model, number: n, versionSha256: sha256 }),
    )
    if (result === 'exists') {
      const holder = parseClaim(await store.get(numberKey(model, n)))
      if (!holder || holder.versionSha256 !== sha256) {
        // Someone else took n: catch up with every number claimed meanwhile.
        ;({ last, cursor } = await lastClaimed(store, model, numberKey(model, n)))
        last = Math.max(last, n)
        continue
      }
    }
    const bound = await store.putCreateOnly(
      shaKey(model, sha256),
      claimBody({ model, number: n, versionSha256: sha256 }),
    )
    cursor = numberKey(model, n) > (cursor ?? '') ? numberKey(model, n) : cursor
    if (bound === 'created') return { number: n, cursor, created: result === 'created' }
    const winner = await readNumber(store, model, sha256)
    if (winner.number !== null) return { number: winner.number, cursor, created: false }
    throw new StoreError(
      winner.problem ?? `the number claim for ${model} ${sha256.slice(0, 12)} is unreadable`,
    )
  }
  throw new StoreError(`Could not claim a team number for ${model}: too many concurrent claims`)
}

export function encodeMarker(root: string): Buffer {
  const marker: StoreMarker = {
    format: STORE_FORMAT,
    version: 1,
    root,
    createdAt: new Date().toISOString(),
  }
  return Buffer.from(JSON.stringify(marker, null, 2) + '\n')
}

export async function readMarker(store: RemoteStore): Promise<StoreMarker | null> {
  const bytes = await store.get(STORE_MARKER_KEY)
  if (!bytes) return null
  try {
    const marker = JSON.parse(bytes.toString('utf8')) as StoreMarker
    if (
      marker.format === STORE_FORMAT &&
      marker.version === 1 &&
      /^[0-9a-f]{64}$/.test(marker.root)
    )
      return marker
  } catch {
    // fall through
  }
  throw new StoreError(
    `${store.location} has a ${STORE_MARKER_KEY} that is not a Slipway store marker`,
  )
}
