// A run's data, copied into its fresh working directory under a name with the right extension:
// a dataset, the newest file of a folder, or a monitor's newest file after its reference rows;
// and, when the recipe asks for it, the last share of the rows held out for evaluation.
import fs from 'node:fs'
import path from 'node:path'
import type { DatasetRef } from '../../api/datasets'
import type { FileRef } from '../../api/common'
import type { Monitor } from '../../api/drift'
import type { RecipeTrainData } from '../../api/retraining'
import { SlipwayError } from '../../api/errors'
import type { CallContext, CoreContext } from '../context'
import { detectFormat } from '../data/load'
import { folderFiles, listMonitors } from '../drift/monitors'
import { findDataset, resolveSource } from '../drift/service'

export interface RunDataSource {
  /** What the user knows it by: a dataset name, a file name, "monitor #3: march.csv". */
  name: string
  /** Files to train on, in order; more than one are joined (reference, then current). */
  files: { path: string; name: string }[]
  /** `path|size|mtime` of a folder's newest file, so the new-data trigger knows it was used. */
  folderKey: string | null
}

export const fileKey = (f: { file: string; size: number; mtimeMs: number }): string =>
  `${f.file}|${f.size}|${f.mtimeMs}`

/** The newest data file of a folder, or null when it has none. */
export function newestFile(dir: string): { file: string; size: number; mtimeMs: number } | null {
  const files = folderFiles(dir)
  return files.at(-1) ?? null
}

function checkFolder(dir: string, what: string): string {
  const absolute = path.resolve(dir)
  let stat: fs.Stats
  try {
    stat = fs.statSync(absolute)
  } catch {
    throw new SlipwayError('BAD_FILE', `${what} ${dir}: no such folder`)
  }
  if (!stat.isDirectory()) throw new SlipwayError('BAD_FILE', `${what} ${dir}: is not a folder`)
  try {
    fs.accessSync(absolute, fs.constants.R_OK | fs.constants.X_OK)
  } catch {
    throw new SlipwayError('BAD_FILE', `${what} ${dir}: cannot be read (permission denied)`)
  }
  return absolute
}

export { checkFolder }

function monitorOf(core: CoreContext, id: number, model: string): Monitor {
  const monitor = listMonitors(core).find((m) => m.id === id)
  if (!monitor) throw new SlipwayError('NOT_FOUND', `No drift monitor #${id}`)
  if (monitor.model.toLowerCase() !== model.toLowerCase())
    throw new SlipwayError(
      'INVALID_INPUT',
      `Drift monitor #${id} watches ${monitor.model}, not ${model}: a recipe trains on its own model's data`,
    )
  return monitor
}

/** Checks a recipe's training data when the recipe is saved (the folder may still be empty). */
export function checkTrainData(core: CoreContext, model: string, data: RecipeTrainData): void {
  if ('dataset' in data) findDataset(core, data.dataset)
  else if ('folder' in data) checkFolder(data.folder, 'Training-data folder')
  else monitorOf(core, data.monitor, model)
}

export function resolveTrainData(
  core: CoreContext,
  model: string,
  data: RecipeTrainData | FileRef | { dataset: DatasetRef },
  call: CallContext | 'internal',
): RunDataSource {
  if ('dataset' in data) {
    const row = resolveSource(core, { dataset: data.dataset }, 'internal')
    return { name: row.name, files: [{ path: row.path, name: row.name }], folderKey: null }
  }
  if ('path' in data || 'uploadId' in data) {
    const file = resolveSource(core, { file: data }, call)
    return { name: file.name, files: [{ path: file.path, name: file.name }], folderKey: null }
  }
  if ('folder' in data) {
    const dir = checkFolder(data.folder, 'Training-data folder')
    const newest = newestFile(dir)
    if (!newest)
      throw new SlipwayError('NOT_FOUND', `Training-data folder ${dir} has no CSV or Parquet file`)
    const name = path.basename(newest.file)
    return { name, files: [{ path: newest.file, name }], folderKey: fileKey(newest) }
  }
  const monitor = monitorOf(core, data.monitor, model)
  const dir = monitor.source.kind === 'folder' ? monitor.source.path : null
  const current = dir ? newestFile(dir) : { file: monitor.source.path }
  if (!current || !fs.existsSync(current.file))
    throw new SlipwayError(
      'NOT_FOUND',
      `Drift monitor #${monitor.id} has no data file at ${monitor.source.path} yet`,
    )
  const reference = resolveSource(core, monitor.reference, 'internal')
  const currentName = path.basename(current.file)
  return {
    name: `${reference.name} + ${currentName}`,
    files: [
      { path: reference.path, name: reference.name },
      { path: current.file, name: currentName },
    ],
    folderKey: null,
  }
}

/** CSV records (a quoted field may hold line breaks), without their line endings. */
export function csvRecords(text: string): string[] {
  const records: string[] = []
  let start = 0
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) quoted = !quoted
    else if (!quoted && (c === 10 || c === 13)) {
      records.push(text.slice(start, i))
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++
      start = i + 1
    }
  }
  if (start < text.length) records.push(text.slice(start))
  return records.filter((r) => r.length > 0)
}

function readCsvRecords(file: { path: string; name: string }): {
  header: string
  rows: string[]
} {
  if (detectFormat(file.path, file.name) !== 'csv')
    throw new SlipwayError(
      'DATA_INVALID',
      `${file.name}: is Parquet; joining files and holdout splits need CSV (use a dataset for evaluation instead)`,
    )
  const records = csvRecords(fs.readFileSync(file.path, 'utf8').replace(/^\uFEFF/, ''))
  const [header] = records
  if (header === undefined || records.length < 2)
    throw new SlipwayError('DATA_INVALID', `${file.name}: has no data rows`)
  return { header, rows: records.slice(1) }
}

const extensionOf = (file: { path: string; name: string }): string =>
  detectFormat(file.path, file.name) === 'parquet' ? '.parquet' : '.csv'

/** A name safe for the working directory, keeping the user's name readable. */
const safeBase = (name: string): string =>
  path
    .basename(name)
    .replace(/\.(csv|parquet|pq)$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(0, 80) || 'data'

export interface PreparedRunData {
  /** The file given to the program as {data}. */
  train: { path: string; name: string }
  /** The held-out rows, when the recipe asks for a holdout. */
  holdout: { path: string; name: string; rows: number } | null
}

/** Writes the training file (and the holdout) into the working directory. */
export function prepareRunData(
  source: RunDataSource,
  workdir: string,
  holdout: number | null,
): PreparedRunData {
  const [first, ...rest] = source.files
  const last = source.files.at(-1)
  if (!first || !last) throw new SlipwayError('INTERNAL', `${source.name}: no files to train on`)
  const base = safeBase(last.name)
  if (rest.length === 0 && holdout === null) {
    const target = path.join(workdir, `${base}${extensionOf(first)}`)
    fs.copyFileSync(first.path, target)
    return { train: { path: target, name: source.name }, holdout: null }
  }
  const { header, rows } = readCsvRecords(first)
  for (const more of rest) {
    const extra = readCsvRecords(more)
    if (extra.header !== header)
      throw new SlipwayError(
        'DATA_INVALID',
        `${more.name} and ${first.name} have different columns (${extra.header.slice(0, 200)} vs ${header.slice(0, 200)}); they cannot be joined for training`,
      )
    rows.push(...extra.rows)
  }
  let trainRows = rows
  let held: string[] = []
  if (holdout !== null) {
    const n = Math.max(1, Math.round(rows.length * holdout))
    if (rows.length - n < 1)
      throw new SlipwayError(
        'DATA_INVALID',
        `${source.name}: ${rows.length} rows are too few to hold out ${Math.round(holdout * 100)}% for evaluation`,
      )
    trainRows = rows.slice(0, rows.length - n)
    held = rows.slice(rows.length - n)
  }
  const trainPath = path.join(workdir, `${base}.csv`)
  fs.writeFileSync(trainPath, `${[header, ...trainRows].join('\n')}\n`)
  let holdoutOut: PreparedRunData['holdout'] = null
  if (holdout !== null) {
    const holdoutPath = path.join(workdir, `${base}-holdout.csv`)
    fs.writeFileSync(holdoutPath, `${[header, ...held].join('\n')}\n`)
    holdoutOut = { path: holdoutPath, name: `${base}-holdout.csv`, rows: held.length }
  }
  return {
    train: { path: trainPath, name: holdout !== null ? `${base}-train.csv` : `${base}.csv` },
    holdout: holdoutOut,
  }
}
