// A fresh registry home per test, removed afterwards.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { JobManager } from '../../src/core/jobs/manager'
import { Slipway } from '../../src/core/service'

export function tempHome(prefix = 'slipway-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

export const fixture = (...parts: string[]): string =>
  path.resolve(__dirname, '..', 'fixtures', ...parts)

/** Every file under the blob store except temporaries. */
export function blobFiles(home: string): string[] {
  const root = path.join(home, 'blobs')
  if (!fs.existsSync(root)) return []
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
}

/**
 * The champion/challenger pair most evaluation tests start from: model `churn` with v1 the logistic
 * regression (alias `champion`) and v2 the tree ensemble, both on the same four columns.
 */
export async function registerChurnPair(slipway: Slipway): Promise<void> {
  await slipway.call('registry:register', {
    file: { path: fixture('models', 'linear_binary.onnx') },
    model: 'churn',
  })
  await slipway.call('registry:register', {
    file: { path: fixture('models', 'tree_ensemble.onnx') },
    model: 'churn',
  })
  await slipway.call('registry:set-alias', { model: 'churn', version: 1, alias: 'champion' })
}

/**
 * What a failed command must not add: the row count of each table (keyed as given) and the
 * number of blob files, read through a fresh Slipway on the home as another process would.
 */
export function storedCounts(home: string, tables: Record<string, string>): Record<string, number> {
  const slipway = new Slipway({ home })
  try {
    const counts: Record<string, number> = {}
    for (const [key, table] of Object.entries(tables))
      counts[key] = (
        slipway.core.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }
      ).n
    counts.blobs = blobFiles(home).length
    return counts
  } finally {
    slipway.close()
  }
}

/**
 * The app's job manager, for tests of the job machinery (events, cancel, streams) that start
 * stand-in jobs whose kinds and results are not in the contract's job map.
 */
export const standInJobs = (slipway: Slipway): JobManager<Record<string, unknown>> =>
  slipway.core.jobs as unknown as JobManager<Record<string, unknown>>
