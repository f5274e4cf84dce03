// The benchmarks' shared input: one generated CSV of 1,000,000 rows × 30 float features + label,
// made once into bench/.data and reused by the ingest and evaluation benches.
import fs from 'node:fs'
import path from 'node:path'

export const ROWS = 1_000_000
export const FEATURES = 30
export const dataDir = path.join(process.cwd(), 'bench', '.data')
// The name carries a version: a change to the generator must change it, or old caches are read.
export const csvFile = path.join(dataDir, `ingest-v2-${ROWS}x${FEATURES}.csv`)

/** Deterministic features written with 6 decimals, as exported feature tables usually are. */
export function generateCsv(): void {
  if (fs.existsSync(csvFile)) return
  fs.mkdirSync(dataDir, { recursive: true })
  console.log(`generating ${csvFile} …`)
  // mulberry32: 32-bit integer arithmetic, so the stream stays exact (no float LCG collapse).
  let seed = 12345
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const tmp = `${csvFile}.part`
  const fd = fs.openSync(tmp, 'w')
  fs.writeSync(
    fd,
    `${[...Array.from({ length: FEATURES }, (_, i) => `f${i}`), 'label'].join(',')}\n`,
  )
  let lines: string[] = []
  for (let r = 0; r < ROWS; r++) {
    const cells: string[] = []
    let sum = 0
    for (let j = 0; j < FEATURES; j++) {
      const v = (random() + random() + random() - 1.5) * (j + 1)
      sum += v
      cells.push(v.toFixed(6))
    }
    cells.push(sum > 0 ? '1' : '0')
    lines.push(cells.join(','))
    if (lines.length === 10_000) {
      fs.writeSync(fd, `${lines.join('\n')}\n`)
      lines = []
    }
  }
  if (lines.length) fs.writeSync(fd, `${lines.join('\n')}\n`)
  fs.closeSync(fd)
  fs.renameSync(tmp, csvFile)
}

/** mulberry32: small, fast, seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function normals(rand: () => number, n: number, mean: number, sd: number): Float64Array {
  const out = new Float64Array(n)
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rand()
    const v = rand()
    const r = Math.sqrt(-2 * Math.log(u))
    out[i] = mean + sd * r * Math.cos(2 * Math.PI * v)
    if (i + 1 < n) out[i + 1] = mean + sd * r * Math.sin(2 * Math.PI * v)
  }
  return out
}
