// Runs the built CLI (out/node/cli.cjs, built by the global setup) as a child process.
import { spawnSync } from 'node:child_process'
import path from 'node:path'

export interface CliRun {
  status: number | null
  stdout: string
  stderr: string
  json: () => unknown
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const cli = path.resolve(__dirname, '..', '..', 'out', 'node', 'cli.cjs')
  const run = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, SLIPWAY_USER: 'ci-user', ...env },
    timeout: 120_000,
  })
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    json: () => JSON.parse(run.stdout) as unknown,
  }
}
