// Registering a model version: store the bytes once, inspect and load-check the ONNX, record
// lineage, and write every row in one transaction; a failure leaves no row and no blob.
import type { z } from 'zod'
import type { FileRef } from '../../api/common'
import { SlipwayError } from '../../api/errors'
import type { RegisterInput, RegisterResult } from '../../api/registry'
import type { OnnxInfo } from '../../api/registry'
import { leaseBlob, releaseBlob, type LeasedBlob } from '../artifacts/leases'
import { consumedUploadError } from '../artifacts/uploads'
import { appendAudit } from '../governance/audit'
import type { Actor, CallContext, CoreContext } from '../context'
import { importDataset, refuseRetired } from '../data/import'
import { inspectOnnxFile } from '../onnx'
import { findModel, type ModelRow, type VersionRow } from './registry'
import { requireApprovalToMove } from '../governance/requests'
import { canonicalJson, toSignable } from '../governance/canonical'
import { createHash } from 'node:crypto'
import type { registryCalls } from '../../api/registry'

type ParsedRegisterInput = z.output<(typeof registryCalls)['registry:register']['input']>

/** An alias points at a live version: an archived version, or one of an archived model, is refused. */
function refuseArchivedTarget(db: CoreContext['db'], model: ModelRow, versionId: number): void {
  if (model.archived_at)
    throw new SlipwayError(
      'CONFLICT',
      `Model "${model.name}" is archived: restore it first (\`slipway model archive ${model.name} --undo\`) before an alias points at one of its versions`,
    )
  const version = db
    .prepare('SELECT version, archived_at FROM model_versions WHERE id = ?')
    .get(versionId) as { version: number; archived_at: string | null } | undefined
  if (version?.archived_at)
    throw new SlipwayError(
      'CONFLICT',
      `${model.name} v${version.version} is archived: restore it first (\`slipway version archive ${model.name}@${version.version} --undo\`) before an alias points at it`,
    )
}

export function setAliasInTx(
  core: CoreContext,
  actor: Actor,
  modelId: number,
  alias: string,
  versionId: number | null,
): { from: number | null; requestId: string | null } {
  const { db } = core
  const now = new Date().toISOString()
  const current = db
    .prepare('SELECT version_id FROM aliases WHERE model_id = ? AND alias = ?')
    .get(modelId, alias) as { version_id: number } | undefined
  const from = current?.version_id ?? null
  if (from === versionId) return { from, requestId: null }
  const model = db.prepare('SELECT * FROM models WHERE id = ?').get(modelId) as ModelRow
  if (versionId !== null) refuseArchivedTarget(db, model, versionId)
  const target =
    versionId === null
      ? null
      : (db
          .prepare('SELECT id, version, sha256 FROM model_versions WHERE id = ?')
          .get(versionId) as {
          id: number
          version: number
          sha256: string
        })
  // In a team home a protected alias moves only under an approved request (APPROVAL_REQUIRED).
  const requestId = requireApprovalToMove(db, model, alias, target)
  if (versionId === null)
    db.prepare('DELETE FROM aliases WHERE model_id = ? AND alias = ?').run(modelId, alias)
  else
    db.prepare(
      `INSERT INTO aliases (model_id, alias, version_id, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (model_id, alias) DO UPDATE SET version_id = excluded.version_id, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ).run(modelId, alias, versionId, now, actor.name)
  db.prepare(
    'INSERT INTO alias_events (model_id, alias, from_version_id, to_version_id, at, by, by_fingerprint, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    modelId,
    alias,
    from,
    versionId,
    now,
    actor.name,
    core.identity ? (actor.fingerprint ?? core.identity.info.fingerprint) : null,
    requestId,
  )
  db.prepare('UPDATE models SET updated_at = ? WHERE id = ?').run(now, modelId)
  appendAudit(core, actor, {
    action: versionId === null ? 'alias.remove' : 'alias.set',
    modelId,
    versionId: versionId ?? from,
    details: { alias, fromVersionId: from, toVersionId: versionId },
    body:
      target === null
        ? { model: model.name, alias }
        : {
            model: model.name,
            alias,
            versionSha256: target.sha256,
            localVersion: target.version,
            requestId,
          },
  })
  return { from, requestId }
}

/**
 * Aliases and tags are labels, not lineage: registering bytes that are already a version still
 * moves the alias and sets the tags on that version, so a deployment script can be re-run.
 * Lineage (code version, data, parameters, parent) stays as first recorded.
 */
function applyLabelsInTx(
  core: CoreContext,
  actor: Actor,
  modelId: number,
  versionId: number,
  labels: { alias?: string; tags: { key: string; value: string }[] },
  existing: boolean,
): RegisterResult['alias'] {
  const tag = core.db.prepare(
    'INSERT INTO tags (version_id, key, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
  )
  for (const t of labels.tags) {
    tag.run(versionId, t.key, t.value)
    if (existing)
      appendAudit(core, actor, {
        action: 'tag.set',
        modelId,
        versionId,
        details: { key: t.key, value: t.value },
      })
  }
  if (!labels.alias) return null
  const { from } = setAliasInTx(core, actor, modelId, labels.alias, versionId)
  const fromVersion =
    from === null
      ? null
      : ((
          core.db.prepare('SELECT version FROM model_versions WHERE id = ?').get(from) as
            { version: number } | undefined
        )?.version ?? null)
  return { name: labels.alias, fromVersion }
}

function existingResult(
  row: VersionRow,
  model: string,
  alias: RegisterResult['alias'],
): RegisterResult {
  return {
    alias,
    model,
    version: row.version,
    sha256: row.sha256,
    size: row.size,
    fileName: row.file_name,
    existing: true,
    onnx: JSON.parse(row.onnx_json) as OnnxInfo,
  }
}

/**
 * A key given twice is a typo or a script bug; keeping the last value silently would record
 * lineage nobody asked for, so the registration is refused before anything is read or written.
 */
export function refuseRepeatedKeys(
  pairs: readonly { key: string; value: string }[],
  what: string,
): void {
  const seen = new Map<string, string>()
  for (const { key, value } of pairs) {
    const first = seen.get(key)
    if (first !== undefined)
      throw new SlipwayError(
        'INVALID_INPUT',
        `${what} "${key}" is given twice (${key}=${first} and ${key}=${value}); give each key once`,
      )
    seen.set(key, value)
  }
}

export async function registerVersion(
  core: CoreContext,
  input: ParsedRegisterInput,
  call: CallContext,
): Promise<RegisterResult> {
  const { db } = core
  const { actor } = call
  // Both uploads are consumed by this call, even when it fails before reading them.
  const consumedUploads: string[] = []
  if ('uploadId' in input.file) consumedUploads.push(input.file.uploadId)
  if (input.trainingData && 'uploadId' in input.trainingData)
    consumedUploads.push(input.trainingData.uploadId)
  let lease: LeasedBlob | null = null
  try {
    refuseRepeatedKeys(input.hyperparameters, 'Hyperparameter')
    refuseRepeatedKeys(input.tags, 'Tag')
    const file = core.resolveFile(input.file, call)
    const fileName = input.fileName?.trim() || file.fileName
    const stored = await leaseBlob(core, file.path).catch((error: unknown) => {
      throw consumedUploadError(file, error)
    })
    lease = stored
    const model = findModel(db, input.model)
    if (model?.archived_at)
      throw new SlipwayError(
        'CONFLICT',
        `Model "${model.name}" is archived: restore it first (\`slipway model archive ${model.name} --undo\`) to register versions of it`,
      )
    if (model) {
      const existing = db
        .prepare('SELECT * FROM model_versions WHERE model_id = ? AND sha256 = ?')
        .get(model.id, stored.sha256) as VersionRow | undefined
      if (existing) {
        const alias = db
          .transaction(() => applyLabelsInTx(core, actor, model.id, existing.id, input, true))
          .immediate()
        return existingResult(existing, model.name, alias)
      }
    }
    const onnx = await inspectOnnxFile(stored.path, fileName)

    const parentId = parentVersionId(core, model, input)
    const trainingDatasetId = await trainingDataset(core, input, call)

    const write = db.transaction((): RegisterResult => {
      const now = new Date().toISOString()
      const modelRow = findModel(db, input.model) ?? createModelInTx(core, actor, input, onnx, now)
      // Another process may have registered these bytes since we looked.
      const raced = db
        .prepare('SELECT * FROM model_versions WHERE model_id = ? AND sha256 = ?')
        .get(modelRow.id, stored.sha256) as VersionRow | undefined
      if (raced) {
        const alias = applyLabelsInTx(core, actor, modelRow.id, raced.id, input, true)
        return existingResult(raced, modelRow.name, alias)
      }
      return insertVersionInTx(core, actor, input, {
        modelRow,
        stored,
        fileName,
        onnx,
        parentId,
        trainingDatasetId,
        now,
      })
    })
    return write.immediate()
  } finally {
    // The bytes stay when the version was written or another call uses them; else they go.
    if (lease) releaseBlob(core, lease)
    for (const id of consumedUploads) core.uploads.remove(id)
  }
}

/** The id of the version given as the parent, which must exist in this model. */
function parentVersionId(
  core: CoreContext,
  model: ModelRow | undefined,
  input: ParsedRegisterInput,
): number | null {
  if (input.parentVersion === undefined) return null
  const parent = model
    ? (core.db
        .prepare('SELECT id FROM model_versions WHERE model_id = ? AND version = ?')
        .get(model.id, input.parentVersion) as { id: number } | undefined)
    : undefined
  if (!parent)
    throw new SlipwayError(
      'NOT_FOUND',
      `Parent version ${input.parentVersion} of model "${input.model}" does not exist`,
    )
  return parent.id
}

/** The training data's dataset: one already imported (not retired), or a file imported now. */
async function trainingDataset(
  core: CoreContext,
  input: ParsedRegisterInput,
  call: CallContext,
): Promise<number | null> {
  if (input.trainingDatasetId !== undefined) {
    if (input.trainingData)
      throw new SlipwayError(
        'INVALID_INPUT',
        'Give the training data as a file or as an imported dataset, not both',
      )
    const dataset = core.db
      .prepare('SELECT id, name, retired_at FROM datasets WHERE id = ?')
      .get(input.trainingDatasetId) as
      { id: number; name: string; retired_at: string | null } | undefined
    if (!dataset)
      throw new SlipwayError(
        'NOT_FOUND',
        `Training data: no dataset with id ${input.trainingDatasetId}`,
      )
    refuseRetired(dataset)
    return dataset.id
  }
  if (!input.trainingData) return null
  const dataFile = core.resolveFile(input.trainingData as FileRef, call)
  return (await importDataset(core, dataFile, { actor: call.actor })).id
}

/** The model row of a first registration under a new name, with its creation record. */
function createModelInTx(
  core: CoreContext,
  actor: Actor,
  input: ParsedRegisterInput,
  onnx: OnnxInfo,
  now: string,
): ModelRow {
  const { db } = core
  const task = onnx.metadata.task ?? null
  const id = Number(
    db
      .prepare(
        'INSERT INTO models (name, description, task, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        input.model,
        input.modelDescription ?? '',
        task && task.length <= 64 ? task : null,
        now,
        actor.name,
        now,
      ).lastInsertRowid,
  )
  const created = findModel(db, input.model)
  if (!created) throw new SlipwayError('INTERNAL', `Model "${input.model}" was not created`)
  appendAudit(core, actor, {
    action: 'model.create',
    modelId: id,
    details: { name: input.model },
  })
  return created
}

/** Writes a new version (next number), its hyperparameters, its signed record and its labels. */
function insertVersionInTx(
  core: CoreContext,
  actor: Actor,
  input: ParsedRegisterInput,
  v: {
    modelRow: ModelRow
    stored: LeasedBlob
    fileName: string
    onnx: OnnxInfo
    parentId: number | null
    trainingDatasetId: number | null
    now: string
  },
): RegisterResult {
  const { db } = core
  const { modelRow, stored, fileName, onnx, parentId, trainingDatasetId, now } = v
  const next = (
    db
      .prepare(
        'SELECT COALESCE(MAX(version), 0) + 1 AS next FROM model_versions WHERE model_id = ?',
      )
      .get(modelRow.id) as { next: number }
  ).next
  const versionId = Number(
    db
      .prepare(
        `INSERT INTO model_versions (model_id, version, sha256, size, file_name, description, code_version,
           training_dataset_id, parent_version_id, onnx_json, registered_by, registered_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        modelRow.id,
        next,
        stored.sha256,
        stored.size,
        fileName,
        input.description ?? '',
        input.codeVersion ?? null,
        trainingDatasetId,
        parentId,
        JSON.stringify(onnx),
        actor.name,
        now,
      ).lastInsertRowid,
  )
  const param = db.prepare(
    'INSERT INTO hyperparameters (version_id, key, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
  )
  for (const p of input.hyperparameters) param.run(versionId, p.key, p.value)
  db.prepare('UPDATE models SET updated_at = ? WHERE id = ?').run(now, modelRow.id)
  appendAudit(core, actor, {
    action: 'version.register',
    modelId: modelRow.id,
    versionId,
    details: {
      version: next,
      sha256: stored.sha256,
      size: stored.size,
      fileName,
      codeVersion: input.codeVersion ?? null,
      trainingDatasetId,
      parentVersionId: parentId,
    },
    body: {
      model: modelRow.name,
      versionSha256: stored.sha256,
      localVersion: next,
      size: stored.size,
      lineage: {
        codeVersion: input.codeVersion ?? null,
        trainingDataSha256: trainingDatasetId
          ? (
              db.prepare('SELECT sha256 FROM datasets WHERE id = ?').get(trainingDatasetId) as {
                sha256: string
              }
            ).sha256
          : null,
        params: Object.fromEntries(input.hyperparameters.map((p) => [p.key, p.value])),
        parentSha256: parentId
          ? (
              db.prepare('SELECT sha256 FROM model_versions WHERE id = ?').get(parentId) as {
                sha256: string
              }
            ).sha256
          : null,
        description: input.description ?? '',
      },
      metadataSha256: createHash('sha256')
        .update(canonicalJson(toSignable(onnx)))
        .digest('hex'),
    },
  })
  const alias = applyLabelsInTx(core, actor, modelRow.id, versionId, input, false)
  return {
    alias,
    model: modelRow.name,
    version: next,
    sha256: stored.sha256,
    size: stored.size,
    fileName,
    existing: false,
    onnx,
  }
}

export type { RegisterInput }
