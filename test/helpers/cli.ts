// Runs the built CLI (out/node/cli.cjs, built by the global setup) as a child process.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { tempHome } from './home'

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

/** Runs the CLI in one home; fails the test with the output when the exit code is not `expect`. */
export function cliIn(home: string) {
  return (args: string[], expectStatus: number | null = 0): CliRun => {
    const run = runCli(['--home', home, ...args])
    if (expectStatus !== null && run.status !== expectStatus)
      throw new Error(
        `slipway ${args.join(' ')} exited ${run.status}, expected ${expectStatus}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`,
      )
    return run
  }
}

/**
 * The CLI in the home `home()` names at each call (a test file's fresh home per test): `cli` runs a
 * command whatever its exit code, `ok` one that must succeed (failing the test with its output).
 */
export function cliOnHome(home: () => string): {
  cli: (...args: string[]) => CliRun
  ok: (...args: string[]) => CliRun
} {
  return {
    cli: (...args) => cliIn(home())(args, null),
    ok: (...args) => cliIn(home())(args),
  }
}

/**
 * A fresh home for each test of the calling file (its hooks registered here, removed after the
 * test) and the CLI on it: `home.dir` is the running test's home.
 */
export function useCliHome(prefix?: string): {
  home: { readonly dir: string }
  cli: (...args: string[]) => CliRun
  ok: (...args: string[]) => CliRun
} {
  let current: { dir: string; cleanup: () => void } | undefined
  beforeEach(() => {
    current = tempHome(prefix)
  })
  afterEach(() => current?.cleanup())
  const home = {
    get dir(): string {
      if (!current) throw new Error('useCliHome: no test is running')
      return current.dir
    },
  }
  return { home, ...cliOnHome(() => home.dir) }
}

export function json<T>(run: CliRun): T {
  return JSON.parse(run.stdout) as T
}
