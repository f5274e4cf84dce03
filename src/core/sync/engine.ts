// Push, pull and sync between a home and a shared store. Push uploads the model file, then this
// home's signed records, then claims the team number, so a reader never sees a version whose
// bytes are missing. Pull reads what is new since its cursors, verifies it against the pinned
// policy chain, imports what verifies and lists the rest as rejected with the reason.
import fs from 'node:fs'
import path from 'node:path'
import type Database from 'better-sqlite3'
import { SlipwayError } from '../../api/errors'
import type { CoreContext } from '../context'
import { canonicalJson } from '../governance/canonical'
import { parsePublicKey } from '../governance/identity'
import { verifyPolicyChain, type PolicyDocument } from '../governance/policy'
import { recordId, recordShapeProblem, type SignedRecord } from '../governance/records'
import {
  importSignedRecords,
  loadPolicies,
  loadRecords,
  pinnedRootFile,
  storePolicy,
  teamRoot,
} from '../governance/store'
import { verifyRecords } from '../governance/verify'
import { inspectOnnxFile } from '../onnx'
import { findModel, resolveVersion } from '../registry/registry'
import {
  STORE_MARKER_KEY,
  authorPrefix,
  claimNumber,
  encodeMarker,
  modelKey,
  numberPrefix,
  parsePolicyKey,
  policyKey,
  readMarker,
  readNumber,
  recordKey,
} from './layout'
import { isS3Location, listAll, openRemoteStore } from './open'
import { readNew, type NewObjects, type StoreCursors } from './reader'
import { misplacedRecord, type StoreProblem } from './verify-store'
import { StoreError, type RemoteStore, type TransferProgress } from './store'

export interface RemoteRow {
  name: string
  location: string
  endpoint: string | null
  region: string | null
  root: string
  added_at: string
  last_sync_at: string | null
  last_sync_json: string | null
}

export interface SyncProgress {
  remote: string
  phase: 'reading' | 'verifying' | 'downloading' | 'uploading' | 'records' | 'done'
  message: string
  transfer?: TransferProgress
}

export interface SyncOptions {
  signal?: AbortSignal
  onProgress?: (progress: SyncProgress) => void
}

export interface PushResult {
  model: string
  /** The team number the store gave these bytes. */
  version: number
  /** This home's own number for the version (a local draft number, never shown as the team's). */
  localVersion: number
  sha256: string
  bytesUploaded: number
  records: number
}

export interface PullResult {
  versions: number
  records: number
  policies: number
  rejected: StoreProblem[]
  /** Requests made to the store (file-system calls on a folder): the cost of this pull. */
  requests: number
}

const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

function cancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new SlipwayError('CANCELLED', 'Sync cancelled')
}

/** Store errors become contract errors that name the store. */
function asSlipwayError(error: unknown): unknown {
  if (error instanceof StoreError)
    return new SlipwayError(error.message === 'Cancelled' ? 'CANCELLED' : 'CONFLICT', error.message)
  return error
}

export function getRemote(db: Database.Database, name?: string): RemoteRow {
  if (name !== undefined) {
    const row = db.prepare('SELECT * FROM remotes WHERE name = ?').get(name) as
      RemoteRow | undefined
    if (!row)
      throw new SlipwayError('NOT_FOUND', `No remote named "${name}": see \`slipway remote list\``)
    return row
  }
  const rows = db.prepare('SELECT * FROM remotes ORDER BY name').all() as RemoteRow[]
  const [only] = rows
  if (!only)
    throw new SlipwayError(
      'NOT_FOUND',
      'This home has no remote yet: add one with `slipway remote add NAME LOCATION`',
    )
  if (rows.length > 1)
    throw new SlipwayError(
      'INVALID_INPUT',
      `This home has ${rows.length} remotes (${rows.map((r) => r.name).join(', ')}): name one with --remote`,
    )
  return only
}

export function openRemote(core: CoreContext, row: RemoteRow): RemoteStore {
  return openRemoteStore(row.location, {
    endpoint: row.endpoint,
    region: row.region,
    resumeDir: path.join(core.home, 'sync', 'uploads'),
  })
}

export function listRemotes(db: Database.Database): RemoteRow[] {
  return db.prepare('SELECT * FROM remotes ORDER BY name').all() as RemoteRow[]
}

function policyDocsOf(values: readonly unknown[]): PolicyDocument[] {
  return values.filter(
    (v): v is PolicyDocument =>
      recordShapeProblem(v) === null && (v as SignedRecord).type === 'policy',
  )
}

/** Stores a verified policy chain in a home without a team, pinning its root. */
function joinTeam(core: CoreContext, docs: readonly PolicyDocument[], root: string): void {
  core.db
    .transaction(() => {
      for (const doc of [...docs].sort((a, b) => a.seq - b.seq)) storePolicy(core.db, doc)
      core.db
        .prepare('INSERT INTO team_link (one, root, linked_at) VALUES (1, ?, ?)')
        .run(root, new Date().toISOString())
    })
    .immediate()
  fs.mkdirSync(path.dirname(pinnedRootFile(core.home)), { recursive: true })
  fs.writeFileSync(pinnedRootFile(core.home), root + '\n')
}

export interface AddRemoteInput {
  name: string
  location: string
  endpoint?: string
  region?: string
  trust?: string
}

/**
 * Adds a remote. An empty store is initialised with this home's team policy; joining an existing
 * store needs its root fingerprint (`--trust`) unless this home already has that team.
 */
export async function addRemote(
  core: CoreContext,
  input: AddRemoteInput,
): Promise<{ remote: RemoteRow; initialised: boolean; joined: boolean }> {
  const { db } = core
  if (!REMOTE_NAME.test(input.name))
    throw new SlipwayError(
      'INVALID_INPUT',
      `Remote name "${input.name}": use letters, digits, '.', '_' or '-' (up to 64)`,
    )
  if (db.prepare('SELECT 1 FROM remotes WHERE name = ?').get(input.name))
    throw new SlipwayError(
      'CONFLICT',
      `A remote named "${input.name}" exists already: remove it first or pick another name`,
    )
  if (input.trust !== undefined && !/^[0-9a-f]{64}$/.test(input.trust))
    throw new SlipwayError(
      'INVALID_INPUT',
      `--trust "${input.trust}" is not a root fingerprint (64 hex characters, from \`slipway team show\`)`,
    )
  const location = isS3Location(input.location) ? input.location : path.resolve(input.location)
  let store: RemoteStore
  try {
    store = openRemoteStore(location, { endpoint: input.endpoint, region: input.region })
  } catch (error) {
    throw new SlipwayError('INVALID_INPUT', (error as Error).message)
  }
  try {
    await store.checkCreateOnly()
    const localRoot = teamRoot(db)
    const marker = await readMarker(store)
    let initialised = false
    let joined = false
    let root: string
    if (!marker) {
      if (!localRoot)
        throw new SlipwayError(
          'INVALID_INPUT',
          `${store.location} is an empty store and this home has no team to start it with: run \`slipway team init\` first, or add a store that has one`,
        )
      if (input.trust && input.trust !== localRoot)
        throw new SlipwayError(
          'CONFLICT',
          `--trust ${input.trust.slice(0, 16)}… is not this home's team (${localRoot.slice(0, 16)}…)`,
        )
      const existing = await store.list('', { limit: 5 })
      const foreign = existing.keys.filter((k) => !k.startsWith('probes/'))
      if (foreign.length)
        throw new SlipwayError(
          'CONFLICT',
          `${store.location} is not empty and has no ${STORE_MARKER_KEY} (found ${foreign[0]}): use an empty folder or prefix`,
        )
      for (const doc of loadPolicies(db))
        await store.putCreateOnly(policyKey(doc.seq), Buffer.from(canonicalJson(doc)))
      if ((await store.putCreateOnly(STORE_MARKER_KEY, encodeMarker(localRoot))) === 'exists') {
        const raced = await readMarker(store)
        if (raced?.root !== localRoot)
          throw new SlipwayError(
            'CONFLICT',
            `Another team initialised ${store.location} at the same moment`,
          )
      }
      root = localRoot
      initialised = true
    } else {
      root = marker.root
      const pinned = input.trust ?? localRoot
      if (!pinned)
        throw new SlipwayError(
          'INVALID_INPUT',
          `${store.location} belongs to team ${root.slice(0, 16)}…: joining it needs --trust with the team's root fingerprint (ask an admin for \`slipway team show\`)`,
        )
      if (localRoot && localRoot !== root)
        throw new SlipwayError(
          'CONFLICT',
          `${store.location} belongs to team ${root.slice(0, 16)}…, but this home is in team ${localRoot.slice(0, 16)}…`,
        )
      if (pinned !== root)
        throw new SlipwayError(
          'CONFLICT',
          `${store.location} belongs to team ${root.slice(0, 16)}…, not to the trusted ${pinned.slice(0, 16)}…: refused`,
        )
      const fresh = await readNew(store, { records: {} })
      const docs = policyDocsOf(fresh.policies.map((p) => p.value))
      const chain = verifyPolicyChain(docs, pinned)
      if (chain.problems.length || chain.root !== pinned)
        throw new SlipwayError(
          'VERIFICATION_FAILED',
          `The policy chain in ${store.location} does not verify against ${pinned.slice(0, 16)}…: ${chain.problems[0]?.problem ?? 'no policy'}`,
        )
      if (!localRoot) {
        joinTeam(
          core,
          chain.chain.map((p) => p.doc),
          root,
        )
        joined = true
      }
    }
    const now = new Date().toISOString()
    db.prepare(
      'INSERT INTO remotes (name, location, endpoint, region, root, added_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(input.name, location, input.endpoint ?? null, input.region ?? null, root, now)
    return { remote: getRemote(db, input.name), initialised, joined }
  } catch (error) {
    throw asSlipwayError(error)
  } finally {
    store.close()
  }
}

export function removeRemote(db: Database.Database, name: string): void {
  getRemote(db, name)
  db.transaction(() => {
    db.prepare('DELETE FROM remote_cursors WHERE remote = ?').run(name)
    db.prepare('DELETE FROM remote_rejections WHERE remote = ?').run(name)
    db.prepare('DELETE FROM team_versions WHERE remote = ?').run(name)
    db.prepare('DELETE FROM remotes WHERE name = ?').run(name)
  }).immediate()
}

/** The records of some types, parsed, in the order the home received them. */
function recordsOfTypes(db: Database.Database, types: string[]): SignedRecord[] {
  return (
    db
      .prepare(
        `SELECT record_json FROM signed_records WHERE type IN (${types.map(() => '?').join(', ')}) ORDER BY rowid`,
      )
      .all(...types) as { record_json: string }[]
  ).map((row) => JSON.parse(row.record_json) as SignedRecord)
}

function cursor(db: Database.Database, remote: string, scope: string): string | undefined {
  return (
    db
      .prepare('SELECT cursor FROM remote_cursors WHERE remote = ? AND scope = ?')
      .get(remote, scope) as { cursor: string } | undefined
  )?.cursor
}

function setCursor(db: Database.Database, remote: string, scope: string, value: string): void {
  db.prepare(
    `INSERT INTO remote_cursors (remote, scope, cursor) VALUES (?, ?, ?)
     ON CONFLICT (remote, scope) DO UPDATE SET cursor = excluded.cursor`,
  ).run(remote, scope, value)
}

function checkTeam(core: CoreContext, remote: RemoteRow): void {
  const root = teamRoot(core.db)
  if (root !== remote.root)
    throw new SlipwayError(
      'CONFLICT',
      `Remote "${remote.name}" belongs to team ${remote.root.slice(0, 16)}…, but this home is ${root ? `in team ${root.slice(0, 16)}…` : 'in no team'}`,
    )
}

/** Uploads this home's own records the store does not have yet, and newer policy versions. */
async function pushRecords(
  core: CoreContext,
  remote: RemoteRow,
  store: RemoteStore,
  options: SyncOptions,
): Promise<number> {
  const { db } = core
  const me = core.identity?.info.fingerprint
  if (!me)
    throw new SlipwayError(
      'NOT_FOUND',
      'This home has no identity: run `slipway identity init` before pushing',
    )
  let pushed = 0
  // Policy versions this home holds that the store lacks (an admin changed the policy here).
  const storedPolicies = new Set(
    (await listAll(store, 'policy/'))
      .map((k) => parsePolicyKey(k))
      .filter((n): n is number => n !== null),
  )
  for (const doc of loadPolicies(db)) {
    if (storedPolicies.has(doc.seq)) continue
    await store.putCreateOnly(policyKey(doc.seq), Buffer.from(canonicalJson(doc)))
  }
  const scope = `pushed:${me}`
  const mine = loadRecords(db).filter((r) => r.record.author === me)
  const last = cursor(db, remote.name, scope)
  const inStore = new Set(await listAll(store, authorPrefix(me), last))
  for (const r of mine) {
    cancelled(options.signal)
    const key = recordKey(me, r.record.seq)
    if ((last && key <= last) || inStore.has(key)) continue
    const bytes = Buffer.from(canonicalJson(r.record))
    const result = await store.putCreateOnly(key, bytes)
    if (result === 'exists') {
      const there = await store.get(key)
      if (!there || !there.equals(bytes))
        throw new SlipwayError(
          'CONFLICT',
          `${key} in ${store.location} differs from this home's record seq ${r.record.seq}: the store or this home was altered; see \`slipway audit verify --remote ${remote.name}\``,
        )
    } else pushed++
    options.onProgress?.({
      remote: remote.name,
      phase: 'records',
      message: `record ${r.record.seq} of ${mine.length}`,
    })
  }
  const newest = mine[mine.length - 1]
  if (newest) setCursor(db, remote.name, scope, recordKey(me, newest.record.seq))
  return pushed
}

function recordTeamNumber(
  db: Database.Database,
  remote: string,
  v: {
    model: string
    sha256: string
    number: number
    origin: 'pushed' | 'pulled'
    by: string | null
  },
): void {
  db.prepare(
    `INSERT INTO team_versions (model, version_sha256, number, remote, origin, published_by, at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (model, version_sha256, remote) DO UPDATE SET number = excluded.number`,
  ).run(v.model, v.sha256, v.number, remote, v.origin, v.by, new Date().toISOString())
}

export async function push(
  core: CoreContext,
  input: { model: string; ref: string | number; remote?: string },
  options: SyncOptions = {},
): Promise<PushResult> {
  const { db } = core
  const remote = getRemote(db, input.remote)
  checkTeam(core, remote)
  const row = resolveVersion(db, input.model, input.ref)
  const store = openRemote(core, remote)
  try {
    const blob = core.blobs.pathFor(row.sha256)
    options.onProgress?.({
      remote: remote.name,
      phase: 'uploading',
      message: `${row.model.name} v${row.version}`,
    })
    const uploaded = await store.putBlob(row.sha256, blob, {
      signal: options.signal,
      onProgress: (transfer) =>
        options.onProgress?.({
          remote: remote.name,
          phase: 'uploading',
          message: `${row.model.name} v${row.version}`,
          transfer,
        }),
    })
    const records = await pushRecords(core, remote, store, options)
    cancelled(options.signal)
    // Its own cursor: pull's `numbers:` cursor must not skip claims this home has not pulled.
    const scope = `claims:${modelKey(row.model.name)}`
    const claim = await claimNumber(
      store,
      row.model.name,
      row.sha256,
      cursor(db, remote.name, scope),
    )
    db.transaction(() => {
      if (claim.cursor) setCursor(db, remote.name, scope, claim.cursor)
      recordTeamNumber(db, remote.name, {
        model: row.model.name,
        sha256: row.sha256,
        number: claim.number,
        origin: 'pushed',
        by: core.identity?.info.fingerprint ?? null,
      })
    }).immediate()
    return {
      model: row.model.name,
      version: claim.number,
      localVersion: row.version,
      sha256: row.sha256,
      bytesUploaded: uploaded.bytesUploaded,
      records,
    }
  } catch (error) {
    throw asSlipwayError(error)
  } finally {
    store.close()
  }
}

/**
 * Of the records that arrived, the ones that verify together with what the home holds: drop
 * every record with a problem (and its author's later records), verify again, until clean.
 */
function selectVerified(
  core: CoreContext,
  policies: readonly unknown[],
  root: string,
  arrived: { key: string; record: SignedRecord }[],
): { accepted: { key: string; record: SignedRecord }[]; rejected: StoreProblem[] } {
  const held = loadRecords(core.db).map((h) => h.record)
  const heldIds = new Set(held.map((r) => recordId(r)))
  const heldBySeq = new Map(held.map((r) => [`${r.author}/${r.seq}`, recordId(r)]))
  const rejected: StoreProblem[] = []
  let candidates = arrived.filter((a) => {
    const id = recordId(a.record)
    if (heldIds.has(id)) return false
    const mineAtSeq = heldBySeq.get(`${a.record.author}/${a.record.seq}`)
    if (mineAtSeq) {
      rejected.push({
        object: a.key,
        reason: `differs from the record ${mineAtSeq.slice(0, 12)}… this home already holds for that author and seq (replaced in the store)`,
      })
      return false
    }
    return true
  })
  for (let round = 0; round < 1000 && candidates.length; round++) {
    const report = verifyRecords({
      policies,
      records: [...held, ...candidates.map((c) => c.record)],
      pinnedRoot: root,
    })
    const ids = new Map(candidates.map((c) => [recordId(c.record), c]))
    const bad = report.problems.flatMap((p) => {
      const c = p.record ? ids.get(p.record) : undefined
      return p.record && c ? [{ id: p.record, problem: p.problem, c }] : []
    })
    if (bad.length === 0) break
    const firstBadSeq = new Map<string, number>()
    for (const { problem, c } of bad) {
      rejected.push({ object: c.key, reason: problem })
      const seq = firstBadSeq.get(c.record.author)
      if (seq === undefined || c.record.seq < seq) firstBadSeq.set(c.record.author, c.record.seq)
    }
    const badIds = new Set(bad.map((b) => b.id))
    candidates = candidates.filter((c) => {
      if (badIds.has(recordId(c.record))) return false
      const seq = firstBadSeq.get(c.record.author)
      if (seq !== undefined && c.record.seq > seq) {
        rejected.push({
          object: c.key,
          reason: `follows ${recordKey(c.record.author, seq)}, which was rejected`,
        })
        return false
      }
      return true
    })
  }
  return { accepted: candidates, rejected }
}

function memberName(policies: readonly PolicyDocument[], fingerprint: string): string {
  for (const doc of [...policies].reverse())
    for (const m of doc.body.members) {
      try {
        if (parsePublicKey(m.publicKey).fingerprint === fingerprint) return m.name
      } catch {
        // a member with an unreadable key cannot be this author
      }
    }
  return fingerprint.slice(0, 16)
}

/** Creates the local version for published bytes that arrived, without a record of this home. */
async function materialiseVersion(
  core: CoreContext,
  v: { model: string; sha256: string; register: SignedRecord; byName: string },
  store: RemoteStore,
  options: SyncOptions,
  remote: string,
): Promise<boolean> {
  const { db } = core
  const model = findModel(db, v.model)
  if (
    model &&
    db
      .prepare('SELECT 1 FROM model_versions WHERE model_id = ? AND sha256 = ?')
      .get(model.id, v.sha256)
  )
    return false
  const target = core.blobs.pathFor(v.sha256)
  if (!fs.existsSync(target)) {
    options.onProgress?.({ remote, phase: 'downloading', message: v.model })
    await store.getBlob(v.sha256, target, {
      signal: options.signal,
      onProgress: (transfer) =>
        options.onProgress?.({ remote, phase: 'downloading', message: v.model, transfer }),
    })
  }
  const lineage = (v.register.body.lineage ?? {}) as Record<string, unknown>
  const fileName = str(v.register.body.fileName) ?? `${v.model}.onnx`
  const onnx = await inspectOnnxFile(target, fileName)
  const size = fs.statSync(target).size
  db.transaction(() => {
    const now = new Date().toISOString()
    let m = findModel(db, v.model)
    if (!m) {
      const task = onnx.metadata.task ?? null
      db.prepare(
        'INSERT INTO models (name, description, task, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(v.model, '', task && task.length <= 64 ? task : null, now, v.byName, now)
      const created = findModel(db, v.model)
      if (!created)
        throw new SlipwayError('INTERNAL', `Model ${v.model} is missing right after it was created`)
      m = created
    }
    if (
      db
        .prepare('SELECT 1 FROM model_versions WHERE model_id = ? AND sha256 = ?')
        .get(m.id, v.sha256)
    )
      return
    const next = (
      db
        .prepare(
          'SELECT COALESCE(MAX(version), 0) + 1 AS next FROM model_versions WHERE model_id = ?',
        )
        .get(m.id) as {
        next: number
      }
    ).next
    db.prepare(
      `INSERT INTO model_versions (model_id, version, sha256, size, file_name, description, code_version,
         training_dataset_id, parent_version_id, onnx_json, registered_by, registered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?)`,
    ).run(
      m.id,
      next,
      v.sha256,
      size,
      fileName,
      str(lineage.description) ?? '',
      str(lineage.codeVersion) ?? null,
      JSON.stringify(onnx),
      v.byName,
      v.register.at,
    )
    db.prepare('UPDATE models SET updated_at = ? WHERE id = ?').run(now, m.id)
  }).immediate()
  return true
}

/** Moves local aliases to where the team's verified alias records put them last. */
function applyAliases(core: CoreContext, policies: readonly PolicyDocument[]): void {
  const { db } = core
  const latest = new Map<string, SignedRecord>()
  for (const r of recordsOfTypes(db, ['alias.set', 'alias.remove'])) {
    if ((r.type !== 'alias.set' && r.type !== 'alias.remove') || r.team === null) continue
    const key = `${str(r.body.model)}\u0000${str(r.body.alias)}`
    const prev = latest.get(key)
    if (!prev || Date.parse(r.at) >= Date.parse(prev.at)) latest.set(key, r)
  }
  for (const r of latest.values()) {
    const modelName = str(r.body.model)
    const alias = str(r.body.alias)
    if (!modelName || !alias) continue
    const m = findModel(db, modelName)
    if (!m) continue
    const current = db
      .prepare('SELECT version_id FROM aliases WHERE model_id = ? AND alias = ?')
      .get(m.id, alias) as { version_id: number } | undefined
    const target =
      r.type === 'alias.set'
        ? (db
            .prepare('SELECT id FROM model_versions WHERE model_id = ? AND sha256 = ?')
            .get(m.id, str(r.body.versionSha256)) as { id: number } | undefined)
        : undefined
    if (r.type === 'alias.set' && !target) continue
    const to = target?.id ?? null
    if ((current?.version_id ?? null) === to) continue
    const by = memberName(policies, r.author)
    db.transaction(() => {
      if (to === null)
        db.prepare('DELETE FROM aliases WHERE model_id = ? AND alias = ?').run(m.id, alias)
      else
        db.prepare(
          `INSERT INTO aliases (model_id, alias, version_id, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (model_id, alias) DO UPDATE SET version_id = excluded.version_id, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        ).run(m.id, alias, to, r.at, by)
      db.prepare(
        'INSERT INTO alias_events (model_id, alias, from_version_id, to_version_id, at, by, by_fingerprint, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(m.id, alias, current?.version_id ?? null, to, r.at, by, r.author, str(r.body.requestId))
    }).immediate()
  }
}

/** Where this home stopped reading the store last time: the policy key and each author's record. */
function storeCursors(db: Database.Database, remoteName: string): StoreCursors {
  const records: Record<string, string> = {}
  for (const row of db
    .prepare("SELECT scope, cursor FROM remote_cursors WHERE remote = ? AND scope LIKE 'records:%'")
    .all(remoteName) as {
    scope: string
    cursor: string
  }[])
    records[row.scope.slice('records:'.length)] = row.cursor
  return { policy: cursor(db, remoteName, 'policy'), records }
}

/** The policies to verify records against, and the new ones to import (none if the chain fails). */
interface PulledPolicies {
  policies: PolicyDocument[]
  newPolicies: PolicyDocument[]
  chainVerifies: boolean
  /** The newest policy key read, for the cursor. */
  lastPolicy: string | undefined
}

/** Policy: the held chain plus what arrived must verify against the pinned root. */
function pullPolicies(
  db: Database.Database,
  fresh: NewObjects,
  root: string,
  rejected: StoreProblem[],
): PulledPolicies {
  const held = loadPolicies(db)
  const heldIds = new Set(held.map((p) => recordId(p)))
  const newPolicies: PolicyDocument[] = []
  for (const p of fresh.policies) {
    if (p.problem || recordShapeProblem(p.value)) {
      rejected.push({
        object: p.key,
        reason: p.problem ?? `malformed: ${recordShapeProblem(p.value)}`,
      })
      continue
    }
    if (!heldIds.has(recordId(p.value as SignedRecord))) newPolicies.push(p.value as PolicyDocument)
  }
  let policies: PolicyDocument[] = [...held, ...newPolicies]
  const chain = verifyPolicyChain(policies, root)
  if (chain.problems.length) {
    for (const problem of chain.problems)
      rejected.push({
        object: problem.record ? `policy ${problem.record.slice(0, 12)}…` : 'policy chain',
        reason: problem.problem,
      })
    policies = held
    newPolicies.length = 0
  }
  const lastPolicy = fresh.policies
    .filter((p) => !p.problem)
    .map((p) => p.key)
    .pop()
  return { policies, newPolicies, chainVerifies: chain.problems.length === 0, lastPolicy }
}

/** The new records that are well placed and well formed, verified against the policies. */
function acceptRecords(
  core: CoreContext,
  fresh: NewObjects,
  policies: PolicyDocument[],
  root: string,
  rejected: StoreProblem[],
): SignedRecord[] {
  const arrived: { key: string; record: SignedRecord }[] = []
  for (const object of fresh.records) {
    const misplaced = misplacedRecord(object)
    const shape = misplaced ?? recordShapeProblem(object.value)
    if (shape) rejected.push({ object: object.key, reason: shape })
    else arrived.push({ key: object.key, record: object.value as SignedRecord })
  }
  // Nothing new costs no verification of what the home already holds.
  const { accepted, rejected: refused } = arrived.length
    ? selectVerified(core, policies, root, arrived)
    : { accepted: [], rejected: [] }
  rejected.push(...refused)
  return accepted.map((a) => a.record)
}

/**
 * Cursors move to each author's newest record this home now holds: rejected ones are read again.
 * This home's own records are held before they reach the store: for them the cursor is
 * the newest one seen in the store.
 */
function moveRecordCursors(
  core: CoreContext,
  remoteName: string,
  fresh: NewObjects,
  lastPolicy: string | undefined,
): void {
  const { db } = core
  const me = core.identity?.info.fingerprint
  db.transaction(() => {
    if (lastPolicy) setCursor(db, remoteName, 'policy', lastPolicy)
    for (const row of db
      .prepare('SELECT author, MAX(seq) AS seq FROM signed_records GROUP BY author')
      .all() as {
      author: string
      seq: number
    }[])
      if (row.author !== me)
        setCursor(db, remoteName, `records:${row.author}`, recordKey(row.author, row.seq))
    const mineSeen = fresh.records.filter((r) => r.author === me).pop()
    if (me && mineSeen) setCursor(db, remoteName, `records:${me}`, mineSeen.key)
  }).immediate()
}

/** The model and version sha256 a number claim in the store names (null: not a claim). */
async function readClaim(
  store: RemoteStore,
  key: string,
): Promise<{ versionSha256?: unknown; model?: unknown } | null> {
  const claimBytes = await store.get(key)
  try {
    return claimBytes
      ? (JSON.parse(claimBytes.toString('utf8')) as {
          versionSha256?: unknown
          model?: unknown
        })
      : null
  } catch {
    return null
  }
}

/** What pulling versions works with: the store, the home's registrations and its members. */
interface VersionPull {
  core: CoreContext
  store: RemoteStore
  remoteName: string
  options: SyncOptions
  registrations: Map<string, SignedRecord>
  allPolicies: PolicyDocument[]
  rejected: StoreProblem[]
}

/**
 * One model's versions the store has numbered since the cursor, in number order, until one
 * whose records are not here yet; returns how many were added to this home.
 */
async function pullModelVersions(pull: VersionPull, model: string): Promise<number> {
  const { core, store, remoteName, options, rejected } = pull
  const { db } = core
  const scope = `numbers:${modelKey(model)}`
  const keys = await listAll(store, numberPrefix(model), cursor(db, remoteName, scope))
  let versions = 0
  let last: string | undefined
  for (const key of keys) {
    cancelled(options.signal)
    const claim = await readClaim(store, key)
    const sha = str(claim?.versionSha256)
    if (!sha || claim?.model !== model) {
      rejected.push({ object: key, reason: 'not a number claim' })
      last = key
      continue
    }
    const number = await readNumber(store, model, sha)
    if (number.number === null) {
      // A claim whose bytes were numbered otherwise (lost a race) is void, not an error.
      if (number.problem) rejected.push({ object: key, reason: number.problem })
      last = key
      continue
    }
    if (`${numberPrefix(model)}${String(number.number).padStart(10, '0')}.json` !== key) {
      last = key
      continue
    }
    const register = pull.registrations.get(`${model}\u0000${sha}`)
    if (!register) break // its records are not here yet (a push in progress): read it next time
    try {
      if (
        await materialiseVersion(
          core,
          { model, sha256: sha, register, byName: memberName(pull.allPolicies, register.author) },
          store,
          options,
          remoteName,
        )
      )
        versions++
      recordTeamNumber(db, remoteName, {
        model,
        sha256: sha,
        number: number.number,
        origin: 'pulled',
        by: register.author,
      })
    } catch (error) {
      if (error instanceof SlipwayError && error.code === 'CANCELLED') throw error
      if ((error as Error).message === 'Cancelled')
        throw new SlipwayError('CANCELLED', 'Sync cancelled')
      rejected.push({
        object: `blobs/${sha.slice(0, 2)}/${sha}`,
        reason: `${model} #${number.number}: ${(error as Error).message}`,
      })
      break
    }
    last = key
  }
  if (last) setCursor(db, remoteName, scope, last)
  return versions
}

/**
 * Versions: every valid registration whose bytes the store has numbered since last time; then
 * the aliases the records set.
 */
async function pullVersions(
  core: CoreContext,
  store: RemoteStore,
  remoteName: string,
  options: SyncOptions,
  rejected: StoreProblem[],
): Promise<number> {
  const { db } = core
  const registrations = new Map<string, SignedRecord>()
  for (const r of recordsOfTypes(db, ['version.register']))
    if (r.type === 'version.register' && str(r.body.model) && str(r.body.versionSha256))
      registrations.set(`${r.body.model as string}\u0000${r.body.versionSha256 as string}`, r)
  const models = new Set([...registrations.values()].map((r) => r.body.model as string))
  const pull: VersionPull = {
    core,
    store,
    remoteName,
    options,
    registrations,
    allPolicies: loadPolicies(db),
    rejected,
  }
  let versions = 0
  for (const model of models) versions += await pullModelVersions(pull, model)
  applyAliases(core, pull.allPolicies)
  return versions
}

/** The pull's rejections replace the remote's last ones; the remote remembers this sync. */
function storePullOutcome(db: Database.Database, remoteName: string, result: PullResult): void {
  const { rejected } = result
  db.transaction(() => {
    const now = new Date().toISOString()
    db.prepare('DELETE FROM remote_rejections WHERE remote = ?').run(remoteName)
    const insert = db.prepare(
      'INSERT OR REPLACE INTO remote_rejections (remote, object, reason, at) VALUES (?, ?, ?, ?)',
    )
    for (const r of rejected) insert.run(remoteName, r.object, r.reason, now)
    db.prepare('UPDATE remotes SET last_sync_at = ?, last_sync_json = ? WHERE name = ?').run(
      now,
      JSON.stringify({
        pulled: { versions: result.versions, records: result.records, rejected: rejected.length },
      }),
      remoteName,
    )
  }).immediate()
}

export async function pull(
  core: CoreContext,
  input: { remote?: string },
  options: SyncOptions = {},
): Promise<PullResult> {
  const { db } = core
  const remote = getRemote(db, input.remote)
  checkTeam(core, remote)
  const store = openRemote(core, remote)
  const rejected: StoreProblem[] = []
  try {
    options.onProgress?.({ remote: remote.name, phase: 'reading', message: 'reading what is new' })
    const marker = await readMarker(store)
    if (!marker || marker.root !== remote.root)
      throw new SlipwayError(
        'VERIFICATION_FAILED',
        `${store.location} no longer names team ${remote.root.slice(0, 16)}… in ${STORE_MARKER_KEY}: the store was replaced; nothing was pulled`,
      )
    const fresh = await readNew(store, storeCursors(db, remote.name))
    cancelled(options.signal)
    options.onProgress?.({
      remote: remote.name,
      phase: 'verifying',
      message: `${fresh.records.length} new record(s)`,
    })
    for (const key of fresh.strays)
      rejected.push({ object: key, reason: 'not where a record or policy can be' })

    const { policies, newPolicies, chainVerifies, lastPolicy } = pullPolicies(
      db,
      fresh,
      remote.root,
      rejected,
    )
    const accepted = acceptRecords(core, fresh, policies, remote.root, rejected)
    cancelled(options.signal)
    const imported =
      accepted.length || newPolicies.length
        ? importSignedRecords(core, { policies: newPolicies, records: accepted })
        : { imported: 0, alreadyPresent: 0, policiesAdded: 0 }
    moveRecordCursors(core, remote.name, fresh, chainVerifies ? lastPolicy : undefined)

    const versions = await pullVersions(core, store, remote.name, options, rejected)
    const result: PullResult = {
      versions,
      records: imported.imported,
      policies: imported.policiesAdded,
      rejected,
      requests: store.requestCount,
    }
    storePullOutcome(db, remote.name, result)
    options.onProgress?.({ remote: remote.name, phase: 'done', message: 'pulled' })
    return result
  } catch (error) {
    throw asSlipwayError(error)
  } finally {
    store.close()
  }
}

/** What the policy says travels: versions under an open request by this home, or on a protected alias. */
export function versionsToPush(core: CoreContext): { model: string; version: number }[] {
  const { db } = core
  const me = core.identity?.info.fingerprint
  const out = new Map<string, { model: string; version: number }>()
  const policy = loadPolicies(db).pop()
  const protectedAliases = new Set(policy?.body.protectedAliases ?? [])
  const requested = db
    .prepare(
      `SELECT r.model, v.version FROM promotion_requests r
       JOIN models m ON m.name = r.model JOIN model_versions v ON v.model_id = m.id AND v.sha256 = r.version_sha256
       WHERE r.requested_by = ? AND r.withdrawn_at IS NULL`,
    )
    .all(me ?? '') as { model: string; version: number }[]
  for (const r of requested) out.set(`${r.model}@${r.version}`, r)
  const aliased = db
    .prepare(
      'SELECT m.name AS model, v.version, a.alias FROM aliases a JOIN models m ON m.id = a.model_id JOIN model_versions v ON v.id = a.version_id',
    )
    .all() as { model: string; version: number; alias: string }[]
  for (const a of aliased) if (protectedAliases.has(a.alias)) out.set(`${a.model}@${a.version}`, a)
  return [...out.values()]
}

export async function sync(
  core: CoreContext,
  input: { remote?: string },
  options: SyncOptions = {},
): Promise<{ pulled: PullResult; pushed: PushResult[]; records: number }> {
  const pulled = await pull(core, input, options)
  const pushed: PushResult[] = []
  for (const v of versionsToPush(core)) {
    cancelled(options.signal)
    pushed.push(await push(core, { model: v.model, ref: v.version, remote: input.remote }, options))
  }
  const remote = getRemote(core.db, input.remote)
  const store = openRemote(core, remote)
  let records = 0
  try {
    if (core.identity) records = await pushRecords(core, remote, store, options)
  } catch (error) {
    throw asSlipwayError(error)
  } finally {
    store.close()
  }
  return { pulled, pushed, records: records + pushed.reduce((n, p) => n + p.records, 0) }
}
