// Stored bytes are checked when used: a model version or dataset whose blob was changed on disk is
// refused with INTEGRITY naming it, and `slipway doctor` finds (and, where safe, repairs) what is
// wrong with a registry home.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DoctorReport } from '../../src/api/app'
import type { Job } from '../../src/api/jobs'
import { Slipway } from '../../src/core/service'
import { runCli } from '../helpers/cli'
import { blobFiles, fixture, registerChurnPair, tempHome } from '../helpers/home'

let home: { dir: string; cleanup: () => void }
let slipway: Slipway
beforeEach(async () => {
  home = tempHome()
  slipway = new Slipway({ home: home.dir, actor: 'tester' })
  await registerChurnPair(slipway)
})
afterEach(() => {
  slipway.close()
  home.cleanup()
})

const blobOf = (sha256: string): string => path.join(home.dir, 'blobs', sha256.slice(0, 2), sha256)
const versionSha = (version: number): string =>
  (
    slipway.core.db.prepare('SELECT sha256 FROM model_versions WHERE version = ?').get(version) as {
      sha256: string
    }
  ).sha256
const count = (table: string): number =>
  (slipway.core.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n

async function evaluate(ref: number, dataset: unknown): Promise<Job> {
  const job = await slipway.call('eval:start', { model: 'churn', ref, dataset })
  return slipway.core.jobs.wait(job.id)
}

async function importEval(): Promise<number> {
  const job = await slipway.call('datasets:add', {
    file: { path: fixture('data', 'linear_binary-eval.csv') },
    name: 'churn-eval',
  })
  const done = await slipway.core.jobs.wait(job.id)
  return (done.result as { id: number }).id
}

describe('bytes checked when used', () => {
  it('refuses to evaluate a version whose blob holds another model, naming the version', async () => {
    const datasetId = await importEval()
    // v1's blob replaced with v2's bytes: the same inputs, so it would run and store a wrong result.
    fs.copyFileSync(fixture('models', 'tree_ensemble.onnx'), blobOf(versionSha(1)))
    const evaluations = count('evaluations')
    const job = await evaluate(1, { datasetId })
    expect(job.status).toBe('failed')
    expect(job.error).toEqual({
      code: 'INTEGRITY',
      message: expect.stringMatching(
        /^churn v1: the stored file does not match its recorded SHA-256 \(expected [0-9a-f]{12}…, found [0-9a-f]{12}…\).*slipway doctor/,
      ),
    })
    expect(count('evaluations')).toBe(evaluations)
    // The untouched version still runs.
    expect((await evaluate(2, { datasetId })).status).toBe('done')
  })

  it('refuses to evaluate on a dataset whose blob was changed, naming the dataset', async () => {
    const datasetId = await importEval()
    const sha = (
      slipway.core.db.prepare('SELECT sha256 FROM datasets WHERE id = ?').get(datasetId) as {
        sha256: string
      }
    ).sha256
    const file = blobOf(sha)
    const text = fs.readFileSync(file, 'utf8').split('\n')
    // One label flipped: a silently different evaluation without the check.
    text[1] = text[1]!.replace(/,0$/, ',9').replace(/,1$/, ',0')
    fs.chmodSync(file, 0o644)
    fs.writeFileSync(file, text.join('\n'))
    const job = await evaluate(1, { datasetId })
    expect(job.status).toBe('failed')
    expect(job.error).toEqual({
      code: 'INTEGRITY',
      message: expect.stringContaining('Dataset "churn-eval": the stored file does not match'),
    })
  })
})

describe('slipway doctor', () => {
  const doctor = (...args: string[]): { status: number | null; report: DoctorReport } => {
    const run = runCli(['doctor', '--home', home.dir, '--json', ...args])
    return { status: run.status, report: run.json() as DoctorReport }
  }

  it('finds nothing wrong in a sound registry', async () => {
    await importEval()
    const { status, report } = doctor()
    expect(status).toBe(0)
    expect(report).toMatchObject({
      databaseIntegrity: ['ok'],
      versionsChecked: 2,
      datasetsChecked: 1,
      problems: [],
      healthy: true,
    })
    expect(report.bytesHashed).toBeGreaterThan(0)
  })

  it('reports tampered and missing blobs, and repairs orphans and leftovers only', async () => {
    const datasetId = await importEval()
    const v1 = versionSha(1)
    const datasetSha = (
      slipway.core.db.prepare('SELECT sha256 FROM datasets WHERE id = ?').get(datasetId) as {
        sha256: string
      }
    ).sha256
    slipway.close()
    fs.appendFileSync(blobOf(v1), Buffer.from([0]))
    fs.rmSync(blobOf(datasetSha))
    const orphanBytes = Buffer.from('nothing refers to me')
    const orphan = createHash('sha256').update(orphanBytes).digest('hex')
    fs.mkdirSync(path.dirname(blobOf(orphan)), { recursive: true })
    fs.writeFileSync(blobOf(orphan), orphanBytes)
    const dead = path.join(home.dir, 'blobs', 'tmp', 'p99999999-1-dead.part')
    fs.writeFileSync(dead, 'half a copy')
    const leftover = path.join(home.dir, 'blobs', 'tmp', 'stray-copy')
    fs.writeFileSync(leftover, 'not a temporary file of ours')
    slipway = new Slipway({ home: home.dir })
    // A dead writer's temporary file goes at start-up already; doctor reports the rest.
    expect(fs.existsSync(dead)).toBe(false)

    const checked = doctor()
    expect(checked.status).toBe(1)
    const kinds = (report: DoctorReport): string[][] =>
      report.problems.map((p) => [p.kind, p.subject, String(p.repaired)])
    expect(kinds(checked.report)).toEqual([
      ['hash-mismatch', 'churn v1', 'false'],
      ['missing-blob', `dataset "churn-eval" (id ${datasetId})`, 'false'],
      ['orphan-blob', orphan, 'false'],
      ['temporary-file', 'stray-copy', 'false'],
    ])
    // Checking changes nothing.
    expect(fs.existsSync(blobOf(orphan))).toBe(true)
    expect(fs.existsSync(leftover)).toBe(true)

    const repaired = doctor('--repair')
    expect(repaired.status).toBe(1) // the tampered and missing blobs remain
    expect(kinds(repaired.report)).toEqual([
      ['hash-mismatch', 'churn v1', 'false'],
      ['missing-blob', `dataset "churn-eval" (id ${datasetId})`, 'false'],
      ['orphan-blob', orphan, 'true'],
      ['temporary-file', 'stray-copy', 'true'],
    ])
    expect(fs.existsSync(blobOf(orphan))).toBe(false)
    expect(fs.existsSync(leftover)).toBe(false)
    expect(blobFiles(home.dir).map((f) => path.basename(f))).toContain(v1)

    // In words, without --json.
    const text = runCli(['doctor', '--home', home.dir])
    expect(text.status).toBe(1)
    expect(text.stdout).toMatch(/PROBLEM +churn v1: its stored file does not match/)
    expect(text.stdout).toMatch(/2 problem\(s\) left that doctor cannot repair/)
  })
})
