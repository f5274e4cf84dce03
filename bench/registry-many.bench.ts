// Registering 10,000 small ONNX models in one command (`slipway register DIR`): files per second,
// and whether the cost per file stays flat as the registry grows. Each file's cost is the time
// between its result line and the one before it on the CLI's standard output.
// SLIPWAY_BENCH_MANY=N registers N files instead (at least 240).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { writeCopies } from '../test/helpers/onnx-copies'
import { goal } from './goals'

const COUNT = Math.max(240, Number(process.env.SLIPWAY_BENCH_MANY ?? 10_000))
const WINDOW = 10
const cli = path.resolve('out', 'node', 'cli.cjs')

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

async function main(): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-bench-many-'))
  const home = path.join(scratch, 'home')
  const dir = path.join(scratch, 'models')
  try {
    const base = fs.readFileSync(path.resolve('test', 'fixtures', 'models', 'linear_binary.onnx'))
    writeCopies(base, dir, COUNT)
    const stamps: number[] = []
    const start = performance.now()
    const child = spawn(
      process.execPath,
      [cli, 'register', dir, '--model', 'many', '--home', home],
      {
        env: { ...process.env, SLIPWAY_USER: 'bench' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    let pending = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      const now = performance.now()
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) if (line.includes(': registered many v')) stamps.push(now)
    })
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    const total = (performance.now() - start) / 1000
    if (code !== 0 || stamps.length !== COUNT)
      throw new Error(`register exited ${code} after ${stamps.length} of ${COUNT} files`)
    // Output arrives in chunks, so one gap can hold several files: the cost per file of a window
    // is the window's span over its files, and each end of the run is the median of ten windows
    // (files 11-110 and the last 100), so a burst of load from elsewhere moves it little.
    const perFile = (from: number): number =>
      ((stamps[from + WINDOW] ?? NaN) - (stamps[from] ?? NaN)) / WINDOW
    const windows = (from: number): number[] =>
      Array.from({ length: 10 }, (_, i) => perFile(from + i * WINDOW))
    const early = median(windows(10))
    const late = median(windows(COUNT - 1 - 10 * WINDOW))
    console.log(`files: ${COUNT} small ONNX models (${base.length + 10} bytes each), one command`)
    console.log(`whole command: ${total.toFixed(1)} s = ${(COUNT / total).toFixed(0)} files/s`)
    console.log(
      `per file, files 11-110: ${early.toFixed(2)} ms; the last 100 files: ${late.toFixed(2)} ms (median of ten ${WINDOW}-file windows each; load average ${os.loadavg()[0]?.toFixed(2)} on ${os.cpus().length} cores)`,
    )
    const ratio = late / early
    goal(`registration: file ${COUNT} costs what file 10 did`, ratio, '≤ 1.5×', ratio <= 1.5)
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}

void main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
