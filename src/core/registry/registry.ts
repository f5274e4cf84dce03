// Registry reads: models, versions, aliases, tags, lineage; and resolving MODEL@REF.
import type Database from 'better-sqlite3'
import { SlipwayError } from '../../api/errors'
import type { BlobStore } from '../artifacts/blobs'
import type {
  AliasEvent,
  ModelDetail,
  ModelSort,
  ModelSummary,
  OnnxInfo,
  VersionDetail,
  VersionSort,
  VersionSummary,
} from '../../api/registry'
import { toDatasetSummary, type DatasetRow } from '../data/import'

export interface ModelRow {
  id: number
  name: string
  description: string
  task: string | null
  created_at: string
  created_by: string
  updated_at: string
  archived_at: string | null
}

export interface VersionRow {
  id: number
  model_id: number
  version: number
  sha256: string
  size: number
  file_name: string
  description: string
  code_version: string | null
  training_dataset_id: number | null
  parent_version_id: number | null
  onnx_json: string
  registered_by: string
  registered_at: string
  archived_at: string | null
}

export function findModel(db: Database.Database, name: string): ModelRow | undefined {
  return db.prepare('SELECT * FROM models WHERE name = ?').get(name) as ModelRow | undefined
}

export function requireModel(db: Database.Database, name: string): ModelRow {
  const model = findModel(db, name)
  if (!model) throw new SlipwayError('NOT_FOUND', `No model named "${name}" in this registry`)
  return model
}

/** Resolves `3`, `"v3"`, `"3"`, `"latest"` or an alias name to a version of the model. */
export function resolveVersion(
  db: Database.Database,
  modelName: string,
  ref: string | number,
): VersionRow & { model: ModelRow } {
  const model = requireModel(db, modelName)
  let row: VersionRow | undefined
  const text = String(ref).trim()
  const numeric = /^v?(\d+)$/i.exec(text)
  if (numeric) {
    row = db
      .prepare('SELECT * FROM model_versions WHERE model_id = ? AND version = ?')
      .get(model.id, Number(numeric[1])) as VersionRow | undefined
    if (!row)
      throw new SlipwayError('NOT_FOUND', `Model "${model.name}" has no version ${numeric[1]}`)
  } else if (text === 'latest') {
    row = db
      .prepare('SELECT * FROM model_versions WHERE model_id = ? ORDER BY version DESC LIMIT 1')
      .get(model.id) as VersionRow | undefined
    if (!row) throw new SlipwayError('NOT_FOUND', `Model "${model.name}" has no versions yet`)
  } else {
    row = db
      .prepare(
        'SELECT v.* FROM aliases a JOIN model_versions v ON v.id = a.version_id WHERE a.model_id = ? AND a.alias = ?',
      )
      .get(model.id, text) as VersionRow | undefined
    if (!row) throw new SlipwayError('NOT_FOUND', `Model "${model.name}" has no alias "${text}"`)
  }
  return { ...row, model }
}

/** A version resolved for running: its model, the ONNX summary, and its file in the blob store. */
export interface ModelVersionFile {
  modelId: number
  model: string
  versionId: number
  version: number
  onnx: OnnxInfo
  /** The model file in the blob store. */
  path: string
  /** "churn v3", for titles and messages. */
  label: string
}

/** Resolves MODEL@REF to a version and checks its model file is in the blob store. */
export function resolveModelFile(
  core: { db: Database.Database; blobs: BlobStore },
  modelName: string,
  ref: string | number,
): ModelVersionFile {
  const row = resolveVersion(core.db, modelName, ref)
  const label = `${row.model.name} v${row.version}`
  if (!core.blobs.has(row.sha256))
    throw new SlipwayError(
      'NOT_FOUND',
      `${label}: the model file is missing from the blob store (\`slipway doctor\` checks the store)`,
    )
  return {
    modelId: row.model.id,
    model: row.model.name,
    versionId: row.id,
    version: row.version,
    onnx: JSON.parse(row.onnx_json) as OnnxInfo,
    path: core.blobs.pathFor(row.sha256),
    label,
  }
}

function tagsOf(db: Database.Database, versionId: number): Record<string, string> {
  const rows = db
    .prepare('SELECT key, value FROM tags WHERE version_id = ? ORDER BY key')
    .all(versionId) as { key: string; value: string }[]
  return Object.fromEntries(rows.map((r) => [r.key, r.value]))
}

function aliasesOfVersion(db: Database.Database, versionId: number): string[] {
  return (
    db.prepare('SELECT alias FROM aliases WHERE version_id = ? ORDER BY alias').all(versionId) as {
      alias: string
    }[]
  ).map((r) => r.alias)
}

export function toVersionSummary(
  db: Database.Database,
  row: VersionRow,
  modelName: string,
): VersionSummary {
  return {
    id: row.id,
    model: modelName,
    version: row.version,
    sha256: row.sha256,
    size: row.size,
    fileName: row.file_name,
    description: row.description,
    codeVersion: row.code_version,
    registeredBy: row.registered_by,
    registeredAt: row.registered_at,
    archivedAt: row.archived_at,
    aliases: aliasesOfVersion(db, row.id),
    tags: tagsOf(db, row.id),
  }
}

export function aliasHistory(db: Database.Database, modelId: number): AliasEvent[] {
  const rows = db
    .prepare(
      `SELECT e.alias, f.version AS from_version, t.version AS to_version, e.at, e.by
       FROM alias_events e
       LEFT JOIN model_versions f ON f.id = e.from_version_id
       LEFT JOIN model_versions t ON t.id = e.to_version_id
       WHERE e.model_id = ? ORDER BY e.id DESC`,
    )
    .all(modelId) as {
    alias: string
    from_version: number | null
    to_version: number | null
    at: string
    by: string
  }[]
  return rows.map((r) => ({
    alias: r.alias,
    fromVersion: r.from_version,
    toVersion: r.to_version,
    at: r.at,
    by: r.by,
  }))
}

export function versionDetail(
  db: Database.Database,
  row: VersionRow,
  model: ModelRow,
): VersionDetail {
  const dataset = row.training_dataset_id
    ? (db.prepare('SELECT * FROM datasets WHERE id = ?').get(row.training_dataset_id) as
        DatasetRow | undefined)
    : undefined
  const parent = row.parent_version_id
    ? (db.prepare('SELECT version FROM model_versions WHERE id = ?').get(row.parent_version_id) as
        { version: number } | undefined)
    : undefined
  const params = db
    .prepare('SELECT key, value FROM hyperparameters WHERE version_id = ? ORDER BY key')
    .all(row.id) as { key: string; value: string }[]
  return {
    ...toVersionSummary(db, row, model.name),
    onnx: JSON.parse(row.onnx_json) as OnnxInfo,
    lineage: {
      codeVersion: row.code_version,
      trainingDataset: dataset ? toDatasetSummary(dataset) : null,
      hyperparameters: Object.fromEntries(params.map((p) => [p.key, p.value])),
      parentVersion: parent?.version ?? null,
      description: row.description,
    },
    aliasHistory: aliasHistory(db, model.id).filter(
      (e) => e.fromVersion === row.version || e.toVersion === row.version,
    ),
  }
}

export function modelSummary(db: Database.Database, model: ModelRow): ModelSummary {
  const stats = db
    .prepare('SELECT COUNT(*) AS n, MAX(version) AS latest FROM model_versions WHERE model_id = ?')
    .get(model.id) as { n: number; latest: number | null }
  const aliases = db
    .prepare(
      'SELECT a.alias, v.version FROM aliases a JOIN model_versions v ON v.id = a.version_id WHERE a.model_id = ? ORDER BY a.alias',
    )
    .all(model.id) as { alias: string; version: number }[]
  return {
    id: model.id,
    name: model.name,
    description: model.description,
    task: model.task,
    versionCount: stats.n,
    latestVersion: stats.latest,
    aliases: Object.fromEntries(aliases.map((a) => [a.alias, a.version])),
    createdAt: model.created_at,
    updatedAt: model.updated_at,
    archivedAt: model.archived_at,
  }
}

/** `%term%` for LIKE with `\\` as the escape, so `%` and `_` match themselves. */
function likeTerm(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

/**
 * A page cursor: the sort keys of the last row given out, with the sort and search they belong
 * to. Base64url JSON, opaque to callers; one made for another sort or search is refused.
 */
interface CursorBody {
  /** Which listing: `models` or `versions:<model id>`. */
  l: string
  s: string
  q: string
  k: (string | number)[]
}

function encodeCursor(body: CursorBody): string {
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url')
}

function decodeCursor(
  cursor: string,
  expect: Omit<CursorBody, 'k'>,
  arity: number,
): CursorBody['k'] {
  const bad = (why: string): never => {
    throw new SlipwayError(
      'INVALID_INPUT',
      `cursor: ${why}; pass back exactly the nextCursor of the previous page, or no cursor to start from the first page`,
    )
  }
  let body: unknown
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url')
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    return bad('not a cursor this listing gave out')
  }
  const b = body as Partial<CursorBody> | null
  if (
    !b ||
    typeof b !== 'object' ||
    typeof b.l !== 'string' ||
    typeof b.s !== 'string' ||
    typeof b.q !== 'string' ||
    !Array.isArray(b.k)
  )
    return bad('not a cursor this listing gave out')
  if (b.l !== expect.l) return bad('it belongs to another listing')
  if (b.k.length !== arity || !b.k.every((v) => typeof v === 'string' || typeof v === 'number'))
    return bad('not a cursor this listing gave out')
  if (b.s !== expect.s || b.q !== expect.q)
    return bad(`it belongs to another sort or search (made for sort "${b.s}", search "${b.q}")`)
  return b.k
}

export interface ListModelsOptions {
  search?: string
  includeArchived?: boolean
  sort?: ModelSort
  limit?: number
  cursor?: string
}

export interface Page<T> {
  rows: T[]
  nextCursor: string | null
  total: number
}

/**
 * Models, a page at a time: most recently changed first (or by name), archived ones only when
 * asked for. Keyset paging on the index of migration 012, so page 500 costs what page 1 does.
 */
export function listModels(
  db: Database.Database,
  options: ListModelsOptions = {},
): Page<ModelSummary> {
  const term = options.search?.trim() ?? ''
  const sort: ModelSort = options.sort ?? 'updated'
  const where: string[] = []
  const params: (string | number)[] = []
  if (!options.includeArchived) where.push('archived_at IS NULL')
  if (term) {
    where.push(`(name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')`)
    params.push(likeTerm(term), likeTerm(term))
  }
  const filter = where.length ? where.join(' AND ') : '1'
  const total = (
    db.prepare(`SELECT COUNT(*) AS n FROM models WHERE ${filter}`).get(...params) as { n: number }
  ).n
  const scope = { l: 'models', s: sort, q: term }
  const after: string[] = []
  const afterParams: (string | number)[] = []
  if (options.cursor) {
    const k = decodeCursor(options.cursor, scope, 2)
    if (sort === 'updated') {
      after.push('(updated_at < ? OR (updated_at = ? AND name > ?))')
      afterParams.push(k[0] ?? '', k[0] ?? '', k[1] ?? '')
    } else {
      after.push('name > ?')
      afterParams.push(k[1] ?? '')
    }
  }
  const order = sort === 'updated' ? 'updated_at DESC, name' : 'name'
  const limit = options.limit
  const rows = db
    .prepare(
      `SELECT * FROM models WHERE ${[filter, ...after].join(' AND ')} ORDER BY ${order}${limit ? ' LIMIT ?' : ''}`,
    )
    .all(...params, ...afterParams, ...(limit ? [limit + 1] : [])) as ModelRow[]
  const more = limit !== undefined && rows.length > limit
  const page = more ? rows.slice(0, limit) : rows
  const last = page.at(-1)
  return {
    rows: page.map((m) => modelSummary(db, m)),
    nextCursor: more && last ? encodeCursor({ ...scope, k: [last.updated_at, last.name] }) : null,
    total,
  }
}

export interface ListVersionsOptions {
  search?: string
  sort?: VersionSort
  limit?: number
  cursor?: string
}

/**
 * A model's versions, a page at a time, archived ones included. A search that is a version number
 * (`12`, `v12`) finds that version (or an alias or tag value spelled exactly so); any other text
 * matches part of an alias, a tag key, value or `key=value`, the file name, the code version or
 * the description.
 */
export function listVersions(
  db: Database.Database,
  model: ModelRow,
  options: ListVersionsOptions = {},
): Page<VersionSummary> {
  const term = options.search?.trim() ?? ''
  const sort: VersionSort = options.sort ?? 'newest'
  const where = ['v.model_id = ?']
  const params: (string | number)[] = [model.id]
  if (term) {
    const numeric = /^v?(\d{1,15})$/i.exec(term)
    if (numeric) {
      // `12` or `v12` names a version: that one, or an alias or tag value spelled exactly so.
      where.push(`(v.version = ?
        OR EXISTS (SELECT 1 FROM aliases a WHERE a.version_id = v.id AND a.alias = ?)
        OR EXISTS (SELECT 1 FROM tags t WHERE t.version_id = v.id AND t.value = ?))`)
      params.push(Number(numeric[1]), term, term)
    } else {
      const text = [
        'v.file_name',
        'v.description',
        'v.code_version',
        'a.alias',
        't.key',
        't.value',
        "t.key || '=' || t.value",
      ].map((column) => `${column} LIKE ? ESCAPE '\\'`)
      const [file, description, code, alias, ...tag] = text
      where.push(
        `(${file} OR ${description} OR ${code}
          OR EXISTS (SELECT 1 FROM aliases a WHERE a.version_id = v.id AND ${alias})
          OR EXISTS (SELECT 1 FROM tags t WHERE t.version_id = v.id AND (${tag.join(' OR ')})))`,
      )
      params.push(...text.map(() => likeTerm(term)))
    }
  }
  const filter = where.join(' AND ')
  const scope = { l: `versions:${model.id}`, s: sort, q: term }
  const total = (
    db.prepare(`SELECT COUNT(*) AS n FROM model_versions v WHERE ${filter}`).get(...params) as {
      n: number
    }
  ).n
  const after: string[] = []
  if (options.cursor) {
    const k = decodeCursor(options.cursor, scope, 1)
    after.push(sort === 'newest' ? 'v.version < ?' : 'v.version > ?')
    params.push(Number(k[0]))
  }
  const limit = options.limit
  if (limit) params.push(limit + 1)
  // The search reads only the covering index of migration 012 (a version's row also holds its
  // ONNX summary, too wide to scan 10,000 of); the rows of the one page are read by id after.
  const ids = (
    db
      .prepare(
        `SELECT v.id FROM model_versions v WHERE ${[filter, ...after].join(' AND ')}
         ORDER BY v.version ${sort === 'newest' ? 'DESC' : 'ASC'}${limit ? ' LIMIT ?' : ''}`,
      )
      .all(...params) as { id: number }[]
  ).map((r) => r.id)
  const more = limit !== undefined && ids.length > limit
  const pageIds = more ? ids.slice(0, limit) : ids
  const byId = new Map<number, VersionRow>()
  const read = db.prepare('SELECT * FROM model_versions WHERE id = ?')
  for (const id of pageIds) {
    const row = read.get(id) as VersionRow | undefined
    if (row) byId.set(id, row)
  }
  const page = pageIds.flatMap((id) => byId.get(id) ?? [])
  const last = page.at(-1)
  return {
    rows: page.map((v) => toVersionSummary(db, v, model.name)),
    nextCursor: more && last ? encodeCursor({ ...scope, k: [last.version] }) : null,
    total,
  }
}

export function modelDetail(
  db: Database.Database,
  name: string,
  versionLimit?: number,
): ModelDetail {
  const model = requireModel(db, name)
  const versions = versionLimit === 0 ? [] : listVersions(db, model, { limit: versionLimit }).rows
  return {
    ...modelSummary(db, model),
    versions,
    aliasHistory: aliasHistory(db, model.id),
  }
}
