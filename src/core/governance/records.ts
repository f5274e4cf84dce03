// Signed records as docs/TRUST.md defines them: canonical JSON, an Ed25519 signature over the
// record without `sig`, and the record id (SHA-256 of the canonical record, `sig` included).
import crypto from 'node:crypto'
import { canonicalBytes, type Signable } from './canonical'
import { signBytes, verifyBytes } from './identity'

export interface SignedRecord {
  v: 1
  type: string
  author: string
  seq: number
  prev: string | null
  at: string
  team: string | null
  body: { [key: string]: Signable }
  sig: string
}

export type UnsignedRecord = Omit<SignedRecord, 'sig'>

export const recordId = (record: SignedRecord): string =>
  crypto.createHash('sha256').update(canonicalBytes(record)).digest('hex')

export function signRecord(record: UnsignedRecord, privateKey: crypto.KeyObject): SignedRecord {
  const { sig: _ignored, ...unsigned } = record as SignedRecord
  return { ...unsigned, sig: signBytes(canonicalBytes(unsigned), privateKey) }
}

/** True when `sig` is the author's signature over the rest of the record. */
export function verifyRecordSignature(record: SignedRecord, publicKey: crypto.KeyObject): boolean {
  const { sig, ...unsigned } = record
  if (typeof sig !== 'string') return false
  try {
    return verifyBytes(canonicalBytes(unsigned), sig, publicKey)
  } catch {
    return false
  }
}

const HEX64 = /^[0-9a-f]{64}$/
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/

/** The record's shape problem, or null; checks what a signature cannot (field types). */
export function recordShapeProblem(value: unknown): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object'
  const r = value as Record<string, unknown>
  const allowed = new Set(['v', 'type', 'author', 'seq', 'prev', 'at', 'team', 'body', 'sig'])
  const extra = Object.keys(r).find((k) => !allowed.has(k))
  if (extra) return `unexpected field "${extra}"`
  if (r.v !== 1) return `unsupported record version ${JSON.stringify(r.v)}`
  if (typeof r.type !== 'string' || !r.type) return 'type is missing'
  if (typeof r.author !== 'string' || !HEX64.test(r.author)) return 'author is not a fingerprint'
  if (typeof r.seq !== 'number' || !Number.isSafeInteger(r.seq) || r.seq < 1)
    return 'seq is not a positive integer'
  if (r.prev !== null && (typeof r.prev !== 'string' || !HEX64.test(r.prev)))
    return 'prev is neither null nor a record id'
  if (typeof r.at !== 'string' || !ISO.test(r.at) || Number.isNaN(Date.parse(r.at)))
    return 'at is not an ISO time'
  if (r.team !== null && (typeof r.team !== 'string' || !HEX64.test(r.team)))
    return 'team is neither null nor a root fingerprint'
  if (!r.body || typeof r.body !== 'object' || Array.isArray(r.body)) return 'body is not an object'
  if (typeof r.sig !== 'string') return 'sig is missing'
  return null
}
