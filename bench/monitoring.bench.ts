// What the monitoring sections add to a drift run, measured inside one real drift job: 500,000
// labelled reference rows against 500,000 unlabelled current rows × 30 float features, with the
// benches' 30-feature logistic model, through the service and its worker. The job reports the
// time its monitoring sections took (CBPE: reference metrics and chunks, isotonic calibration, the
// estimate; PCA: fit, errors for both sides, reference chunks; target drift) apart from the rest
// of the run (reading both files, running the model on both, comparing every column). Goal: the
// sections cost at most 25% on top of the rest, in this run on this machine.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import type { DriftReport } from '../src/api/drift'
import { Slipway } from '../src/core/service'
import { csvFile, dataDir, generateCsv, makeModel, modelFile } from './data'

const HALF = 500_000
const referenceFile = path.join(dataDir, `monitoring-v2-reference-${HALF}.csv`)
const currentFile = path.join(dataDir, `monitoring-v2-current-${HALF}-unlabelled.csv`)

/** The shared CSV's first half (with labels) and second half (label column dropped). */
async function split(): Promise<void> {
  if (fs.existsSync(referenceFile) && fs.existsSync(currentFile)) return
  console.log('splitting the shared CSV into reference and unlabelled current …')
  const ref = fs.openSync(`${referenceFile}.part`, 'w')
  const cur = fs.openSync(`${currentFile}.part`, 'w')
  const lines = readline.createInterface({ input: fs.createReadStream(csvFile) })
  let row = -1
  let refBuffer: string[] = []
  let curBuffer: string[] = []
  const dropLast = (line: string): string => line.slice(0, line.lastIndexOf(','))
  for await (const line of lines) {
    if (row === -1) {
      refBuffer.push(line)
      curBuffer.push(dropLast(line))
    } else if (row < HALF) refBuffer.push(line)
    else if (row < 2 * HALF) curBuffer.push(dropLast(line))
    row++
    if (refBuffer.length >= 10_000) {
      fs.writeSync(ref, `${refBuffer.join('\n')}\n`)
      refBuffer = []
    }
    if (curBuffer.length >= 10_000) {
      fs.writeSync(cur, `${curBuffer.join('\n')}\n`)
      curBuffer = []
    }
  }
  if (refBuffer.length) fs.writeSync(ref, `${refBuffer.join('\n')}\n`)
  if (curBuffer.length) fs.writeSync(cur, `${curBuffer.join('\n')}\n`)
  fs.closeSync(ref)
  fs.closeSync(cur)
  fs.renameSync(`${referenceFile}.part`, referenceFile)
  fs.renameSync(`${currentFile}.part`, currentFile)
}

async function main(): Promise<void> {
  generateCsv()
  makeModel()
  await split()
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-bench-monitoring-'))
  const slipway = new Slipway({ home, actor: 'bench' })
  try {
    await slipway.call('registry:register', { file: { path: modelFile }, model: 'bench' })
    const job = await slipway.call('drift:start', {
      reference: { file: { path: referenceFile } },
      current: { file: { path: currentFile } },
      model: { model: 'bench', ref: 1 },
    })
    const done = await slipway.core.jobs.wait(job.id)
    if (done.status !== 'done') throw new Error(`drift ${done.status}: ${done.error?.message}`)
    const report = done.result as DriftReport
    const extra = report.monitoringMs!
    const rest = report.durationMs - extra
    const ratio = extra / rest
    const e = report.estimatedPerformance
    const m = report.multivariate
    if (!e || !m) throw new Error('the CBPE or PCA section is missing from the report')
    const n = HALF.toLocaleString('en-US')
    console.log(
      `monitoring: ${n} labelled reference vs ${n} unlabelled current rows × ${report.testedColumns} features, with the model`,
    )
    console.log(
      `  drift run without the sections (read, model on both, compare columns): ${(rest / 1000).toFixed(2)} s`,
    )
    console.log(
      `  monitoring sections (CBPE estimate, PCA with ${m.components} of ${m.columns.length} components, target): ${(extra / 1000).toFixed(2)} s`,
    )
    console.log(
      `  ratio     sections / rest of the run = ${(ratio * 100).toFixed(1)}% (goal ≤ 25%)`,
    )
    console.log(
      `  CBPE estimated accuracy ${e.metrics.accuracy?.toFixed(4)} (reference ${e.reference.accuracy?.toFixed(4)}); PCA error ${m.currentError.toFixed(4)} vs reference ${m.referenceError.toFixed(4)}`,
    )
    if (ratio > 0.25) {
      console.error('  the monitoring sections cost more than 25% of the drift run')
      process.exitCode = 1
    }
  } finally {
    slipway.close()
    fs.rmSync(home, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
