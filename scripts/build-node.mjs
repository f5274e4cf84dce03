// Bundles the plain-Node faces (CLI, web-mode server) and the job worker into out/node.
// Native packages stay external: they are loaded from node_modules at run time.
import { build } from 'esbuild'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export async function buildNode() {
  await build({
    absWorkingDir: root,
    entryPoints: {
      cli: 'src/cli/index.ts',
      server: 'src/server/main.ts',
      worker: 'src/core/jobs/worker.ts',
    },
    outdir: 'out/node',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    logLevel: 'warning',
    external: ['better-sqlite3', 'onnxruntime-node', '@duckdb/node-api', 'electron'],
  })
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildNode()
}
