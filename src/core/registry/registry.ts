// Registry reads: models, versions, aliases, tags, lineage; and resolving MODEL@REF.
import type Database from 'better-sqlite3'
import { SlipwayError } from '../../api/errors'
import type { BlobStore } from '../artifacts/blobs'
import type {
  AliasEvent,
  ModelDetail,
  ModelSummary,
  OnnxInfo,
  VersionDetail,
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
    .prepare(
      'SELECT COUNT(*) AS n, MAX(version) AS latest, MAX(registered_at) AS last FROM model_versions WHERE model_id = ?',
    )
    .get(model.id) as { n: number; latest: number | null; last: string | null }
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
  }
}

export function listModels(db: Database.Database, search?: string): ModelSummary[] {
  const term = search?.trim()
  const rows = term
    ? (db
        .prepare(
          `SELECT * FROM models WHERE name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\' ORDER BY updated_at DESC, name`,
        )
        .all(...Array(2).fill(`%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)) as ModelRow[])
    : (db.prepare('SELECT * FROM models ORDER BY updated_at DESC, name').all() as ModelRow[])
  return rows.map((m) => modelSummary(db, m))
}

export function modelDetail(db: Database.Database, name: string): ModelDetail {
  const model = requireModel(db, name)
  const versions = db
    .prepare('SELECT * FROM model_versions WHERE model_id = ? ORDER BY version DESC')
    .all(model.id) as VersionRow[]
  return {
    ...modelSummary(db, model),
    versions: versions.map((v) => toVersionSummary(db, v, model.name)),
    aliasHistory: aliasHistory(db, model.id),
  }
}
