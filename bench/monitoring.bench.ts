// What the monitoring sections add to a drift run, on 500,000 reference vs 500,000 current rows ×
// 30 float columns. Baseline: today's drift run without a model, in the worker's steps: read both
// CSV files (loadTable) and compare every column (compareColumn). Extra: PCA reconstruction (fit on
// the reference, errors for both sides, reference chunks) plus CBPE on a binary classifier's
// float32 scores (realised metrics on the reference and its 10 chunks, isotonic calibration, the
// estimate on current data). Goal: the extra costs at most 25% of the run, timed in this run on
// this machine; the share of the comparison step alone is printed too.
import fs from 'node:fs'
import path from 'node:path'
import { DriftSettings } from '../src/api/drift'
import { compareColumn, numericSample, planChunks } from '../src/core/drift/engine'
import {
  estimatedSection,
  multivariateSection,
  type LabelledSide,
} from '../src/core/drift/monitoring'
import { loadTable } from '../src/core/data/load'
import type { NumericColumn } from '../src/core/data/table'
import { allRows } from '../src/core/evaluation/metrics'
import { dataDir, normals, prng } from './data'

const COLUMNS = 30
const ROWS = 500_000

/** Columns in correlated pairs (so the PCA has structure to keep), current slightly shifted. */
function table(rand: () => number, shift: number): Float64Array[] {
  const out: Float64Array[] = []
  for (let c = 0; c < COLUMNS; c += 2) {
    const a = normals(rand, ROWS, c + shift, 1 + c / 10)
    const noise = normals(rand, ROWS, 0, 1)
    const b = new Float64Array(ROWS)
    for (let i = 0; i < ROWS; i++) b[i] = 0.8 * a[i]! + 0.6 * noise[i]!
    out.push(a, b)
  }
  return out
}

/** A binary classifier's float32 scores (as ONNX gives them) and labels drawn from them. */
function scored(rand: () => number, tilt: number): LabelledSide {
  const proba = new Float32Array(ROWS * 2)
  const predicted = new Int32Array(ROWS)
  const truth = new Int32Array(ROWS)
  for (let r = 0; r < ROWS; r++) {
    const s = Math.min(1, Math.max(0, rand() ** tilt))
    proba[2 * r] = 1 - s
    proba[2 * r + 1] = s
    predicted[r] = proba[2 * r + 1]! > 0.5 ? 1 : 0
    truth[r] = rand() < s ? 1 : 0
  }
  return {
    rowCount: ROWS,
    classifier: { classes: ['0', '1'], predicted, proba, positive: 1 },
    prediction: null,
    truth: null,
    truthCodes: truth,
    labelled: ROWS,
  }
}

/** Writes a side once to bench/.data as CSV (6 decimals); the name carries the generator's version. */
function writeCsv(file: string, columns: Float64Array[]): void {
  if (fs.existsSync(file)) return
  fs.mkdirSync(dataDir, { recursive: true })
  const fd = fs.openSync(`${file}.part`, 'w')
  fs.writeSync(fd, `${columns.map((_, c) => `x${c}`).join(',')}\n`)
  let lines: string[] = []
  for (let r = 0; r < ROWS; r++) {
    lines.push(columns.map((col) => col[r]!.toFixed(6)).join(','))
    if (lines.length === 10_000) {
      fs.writeSync(fd, `${lines.join('\n')}\n`)
      lines = []
    }
  }
  if (lines.length) fs.writeSync(fd, `${lines.join('\n')}\n`)
  fs.closeSync(fd)
  fs.renameSync(`${file}.part`, file)
}

async function main(): Promise<void> {
  const rand = prng(20261203)
  const files = ['reference', 'current'].map((side) =>
    path.join(dataDir, `monitoring-v1-${side}-${ROWS}x${COLUMNS}.csv`),
  )
  if (!files.every((f) => fs.existsSync(f))) {
    console.log('generating the monitoring bench CSV files …')
    writeCsv(files[0]!, table(rand, 0))
    writeCsv(files[1]!, table(rand, 0.05))
  }
  const refScores = scored(rand, 1)
  const curScores = scored(rand, 1.3)
  const settings = DriftSettings.parse({})

  global.gc?.()
  const t0 = performance.now()
  const [refTable, curTable] = [await loadTable(files[0]!), await loadTable(files[1]!)]
  const tRead = performance.now()
  const reference = refTable.columns.map((c) => (c as NumericColumn).values)
  const current = curTable.columns.map((c) => (c as NumericColumn).values)
  for (let c = 0; c < COLUMNS; c++)
    compareColumn(`x${c}`, numericSample(reference[c]!), numericSample(current[c]!), {
      settings,
      referenceCount: ROWS,
    })
  const baseline = (performance.now() - t0) / 1000
  const comparing = (performance.now() - tRead) / 1000

  global.gc?.()
  const chunks = planChunks(ROWS, settings.referenceChunks).map((w) => w.rows)
  const names = reference.map((_, c) => `x${c}`)
  const t1 = performance.now()
  const pca = multivariateSection(names, reference, current, chunks, null, settings.pcaVariance)
  const t2 = performance.now()
  const cbpe = estimatedSection(
    refScores,
    { ...curScores, truthCodes: null, labelled: 0 },
    chunks,
    null,
    settings,
    allRows(ROWS),
    allRows(ROWS),
  )
  const t3 = performance.now()
  if (typeof pca === 'string' || typeof cbpe === 'string') throw new Error('a section was skipped')
  const pcaSeconds = (t2 - t1) / 1000
  const cbpeSeconds = (t3 - t2) / 1000
  const ratio = (pcaSeconds + cbpeSeconds) / baseline
  const n = ROWS.toLocaleString('en-US')
  console.log(`monitoring: ${COLUMNS} float columns, ${n} reference vs ${n} current rows`)
  console.log(
    `  baseline  drift run without a model: read both CSVs ${(baseline - comparing).toFixed(2)} s + compare ${COLUMNS} columns ${comparing.toFixed(2)} s = ${baseline.toFixed(2)} s`,
  )
  console.log(
    `  PCA reconstruction (${pca.components} of ${COLUMNS} components, both sides): ${pcaSeconds.toFixed(2)} s`,
  )
  console.log(
    `  CBPE (reference metrics, 10 chunks, calibration, estimate): ${cbpeSeconds.toFixed(2)} s`,
  )
  console.log(`  ratio     extra / drift run = ${(ratio * 100).toFixed(1)}% (goal ≤ 25%)`)
  console.log(
    `            extra / comparison step alone = ${(((pcaSeconds + cbpeSeconds) / comparing) * 100).toFixed(1)}%`,
  )
  if (ratio > 0.25) {
    console.error('  the monitoring sections cost more than 25% of the drift run')
    process.exitCode = 1
  }
}

void main()
