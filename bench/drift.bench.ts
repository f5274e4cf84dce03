// Drift on 30 float columns × 500,000 reference vs 500,000 current rows: Slipway's per-column
// comparison (KS + Wasserstein + PSI + JS, with everything else a column report holds) against a
// scipy loop (ks_2samp + wasserstein_distance) on the same data, timed inside python without the
// load; plus peak memory of both. Data: seeded PRNG, saved as .npy under bench/.data/.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { DriftSettings } from '../src/api/drift'
import { compareColumn, numericSample } from '../src/core/drift/engine'
import { normals, prng } from './data'

const COLUMNS = 30
const ROWS = 500_000
const dataDir = path.join(process.cwd(), 'bench', '.data')

/** A (COLUMNS, ROWS) float64 C-order .npy file: each column contiguous. */
function writeNpy(file: string, columns: Float64Array[]): void {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${columns.length}, ${columns[0]!.length}), }`
  const total = 10 + header.length + 1
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n'
  const fd = fs.openSync(file, 'w')
  const pre = Buffer.alloc(10)
  Buffer.from('\x93NUMPY', 'latin1').copy(pre, 0)
  pre[6] = 1
  pre[7] = 0
  pre.writeUInt16LE(header.length, 8)
  fs.writeSync(fd, pre)
  fs.writeSync(fd, Buffer.from(header, 'latin1'))
  for (const c of columns) fs.writeSync(fd, new Uint8Array(c.buffer, c.byteOffset, c.byteLength))
  fs.closeSync(fd)
}

function generate(): { reference: Float64Array[]; current: Float64Array[] } {
  const rand = prng(20261125)
  const reference: Float64Array[] = []
  const current: Float64Array[] = []
  for (let c = 0; c < COLUMNS; c++) {
    reference.push(normals(rand, ROWS, c, 1 + c / 10))
    // A third of the columns shift in location, a third in scale, a third stay.
    const kind = c % 3
    current.push(
      normals(rand, ROWS, c + (kind === 0 ? 0.05 : 0), (1 + c / 10) * (kind === 1 ? 1.1 : 1)),
    )
  }
  return { reference, current }
}

const PY = String.raw`
import json, resource, sys, time
import numpy as np
from scipy import stats
ref = np.load(sys.argv[1]); cur = np.load(sys.argv[2])
t0 = time.perf_counter()
out = []
for i in range(ref.shape[0]):
    ks = stats.ks_2samp(ref[i], cur[i])
    wd = stats.wasserstein_distance(ref[i], cur[i])
    out.append([float(ks.statistic), float(ks.pvalue), float(wd)])
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "results": out}))
`

async function main(): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true })
  const refFile = path.join(dataDir, 'drift-reference.npy')
  const curFile = path.join(dataDir, 'drift-current.npy')
  const { reference, current } = generate()
  writeNpy(refFile, reference)
  writeNpy(curFile, current)
  const dataBytes = 2 * COLUMNS * ROWS * 8
  global.gc?.()
  const baseRss = process.memoryUsage().rss
  let peakRss = baseRss
  const settings = DriftSettings.parse({})
  const results: { ks: number; p: number; w: number; psi: number; js: number }[] = []
  const t0 = performance.now()
  for (let c = 0; c < COLUMNS; c++) {
    // The engine's real path: sort each side once, then KS, Wasserstein, bins, PSI, JS in merges.
    const col = compareColumn(`x${c}`, numericSample(reference[c]!), numericSample(current[c]!), {
      settings,
      referenceCount: ROWS,
    })
    results.push({
      ks: col.stats.ks!.statistic,
      p: col.stats.ks!.pValue,
      w: col.stats.wasserstein!,
      psi: col.stats.psi!,
      js: col.stats.jensenShannon!,
    })
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
  }
  const slipwaySeconds = (performance.now() - t0) / 1000

  const py = spawnSync('/usr/bin/python3', ['-c', PY, refFile, curFile], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
  if (py.status !== 0) throw new Error(`scipy baseline failed: ${py.stderr}`)
  const scipy = JSON.parse(py.stdout) as {
    seconds: number
    maxRssKb: number
    results: [number, number, number][]
  }
  // Same data, same numbers: the comparison is only fair if both computed the same statistics.
  let worst = 0
  scipy.results.forEach(([ks, p, w], i) => {
    const r = results[i]!
    worst = Math.max(
      worst,
      Math.abs(r.ks - ks) / Math.max(ks, 1e-300),
      Math.abs(r.p - p) / Math.max(p, 1e-300),
      Math.abs(r.w - w) / w,
    )
  })
  const mb = (b: number): string => `${(b / 1048576).toFixed(0)} MB`
  console.log(
    `drift: ${COLUMNS} float columns, ${ROWS.toLocaleString('en-US')} reference vs ${ROWS.toLocaleString('en-US')} current rows`,
  )
  console.log(
    `  slipway  KS + Wasserstein + PSI + JS (+ histograms, side stats): ${slipwaySeconds.toFixed(2)} s`,
  )
  console.log(
    `  scipy    ks_2samp + wasserstein_distance loop:                    ${scipy.seconds.toFixed(2)} s`,
  )
  console.log(
    `  ratio    scipy / slipway = ${(scipy.seconds / slipwaySeconds).toFixed(2)}× (goal ≥ 3×)`,
  )
  console.log(
    `  largest relative difference from scipy (KS statistic, p-value, Wasserstein): ${worst.toExponential(2)}`,
  )
  console.log(
    `  peak memory: slipway RSS ${mb(peakRss)} (data ${mb(dataBytes)}, +${mb(peakRss - baseRss)} while comparing); scipy max RSS ${mb(scipy.maxRssKb * 1024)}`,
  )
  if (worst > 1e-9) {
    console.error('  results differ from scipy beyond 1e-9')
    process.exitCode = 1
  }
}

/**
 * Optional (DRIFT_BENCH_SCALE=1): the whole job end to end through the built CLI and its worker on
 * 1,000,000 rows × 50 float columns per side (CSV), with its wall time and the process's peak RSS.
 */
function scale(): void {
  const rows = 1_000_000
  const cols = 50
  const files = ['scale-reference.csv', 'scale-current.csv'].map((f) => path.join(dataDir, f))
  files.forEach((file, side) => {
    if (fs.existsSync(file)) return
    const rand = prng(7 + side)
    const out = fs.openSync(file, 'w')
    fs.writeSync(out, `${Array.from({ length: cols }, (_, i) => `x${i}`).join(',')}\n`)
    const chunk: string[] = []
    for (let r = 0; r < rows; r++) {
      const line: string[] = []
      for (let c = 0; c < cols; c++)
        line.push(normals(rand, 1, side * 0.05 * (c % 2), 1)[0]!.toPrecision(5))
      chunk.push(line.join(','))
      if (chunk.length === 10_000) {
        fs.writeSync(out, `${chunk.join('\n')}\n`)
        chunk.length = 0
      }
    }
    fs.closeSync(out)
  })
  const home = fs.mkdtempSync(path.join(dataDir, 'home-'))
  const cli = path.join(process.cwd(), 'out', 'node', 'cli.cjs')
  const t0 = performance.now()
  const run = spawnSync(
    '/usr/bin/time',
    [
      '-v',
      process.execPath,
      cli,
      '--home',
      home,
      'drift',
      '--reference',
      files[0]!,
      '--current',
      files[1]!,
      '--json',
    ],
    {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    },
  )
  const seconds = (performance.now() - t0) / 1000
  fs.rmSync(home, { recursive: true, force: true })
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1]
  if (run.status !== 0) throw new Error(`scale run failed: ${run.stderr.slice(-2000)}`)
  console.log(
    `  end to end, ${rows.toLocaleString('en-US')} × ${cols} per side (CSV → report): ${seconds.toFixed(1)} s, peak RSS ${rss ? `${(Number(rss) / 1024).toFixed(0)} MB` : 'n/a'}`,
  )
}

void main().then(() => {
  if (process.env.DRIFT_BENCH_SCALE) scale()
})
