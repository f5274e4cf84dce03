// `npm run bench`: bundles each bench/*.ts with esbuild and runs it with node, one at a time,
// so every benchmark and its baseline run on the same machine in the same run.
// `npm run bench -- drift` runs only the benchmarks whose file name contains "drift".
import { build } from 'esbuild'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const filter = process.argv[2] ?? ''
const files = fs
  .readdirSync(path.join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
  .sort()
let failed = 0
for (const file of files) {
  const outfile = path.join(root, 'out', 'bench', file.replace(/\.ts$/, '.cjs'))
  await build({
    absWorkingDir: root,
    entryPoints: [path.join('bench', file)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    external: [
      'better-sqlite3',
      'onnxruntime-node',
      '@duckdb/node-api',
      'electron',
      'playwright-core',
      '@sparticuz/chromium',
    ],
  })
  console.log(`\n=== ${file}`)
  const run = spawnSync(process.execPath, ['--expose-gc', outfile], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, SLIPWAY_WORKER_SCRIPT: path.join(root, 'out', 'node', 'worker.cjs') },
  })
  if (run.status !== 0) failed++
}
if (failed) {
  console.error(`${failed} benchmark(s) failed`)
  process.exit(1)
}
