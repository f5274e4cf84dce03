// onnxruntime-node 1.30 segfaults creating an InferenceSession in a process whose command line is
// longer than about 28 KB (e.g. `slipway register models/*.onnx` with a thousand files). A CLI
// process with a long command line therefore does no work itself: it writes its arguments to a
// private temporary file and runs itself again with only that file's path, and the child reads the
// arguments back. The child's command line is short, so its sessions are safe.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { argvTooLong } from '../core/onnx/argv-limit'

/** The flag (first argument) that tells the child where its real arguments are. */
export const ARGV_FILE_FLAG = '--slipway-argv-file'

/**
 * In the child: when started with the flag, replaces `argv`'s user arguments with the ones in the
 * file and deletes the file. Returns the arguments to parse.
 */
export function restoreArgv(argv: string[]): string[] {
  const [node, script, flag, file] = argv
  if (
    flag !== ARGV_FILE_FLAG ||
    argv.length !== 4 ||
    node === undefined ||
    script === undefined ||
    file === undefined
  )
    return argv
  let args: unknown
  try {
    args = JSON.parse(fs.readFileSync(file, 'utf8'))
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true })
  }
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string'))
    throw new Error(`${file} does not hold a list of arguments`)
  return [node, script, ...(args as string[])]
}

/**
 * In the parent: when the command line is too long for ONNX Runtime, runs the same script again
 * with the arguments passed through a file, and resolves with the child's exit code (a child killed
 * by a signal re-raises it here). Resolves `undefined` when no relaunch was needed.
 */
export function relaunchIfLong(
  argv: string[] = process.argv,
  execArgv: string[] = process.execArgv,
): Promise<number> | undefined {
  const script = argv[1]
  if (!argvTooLong(argv, execArgv) || argv[2] === ARGV_FILE_FLAG || script === undefined)
    return undefined
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-argv-'))
  const file = path.join(folder, 'argv.json')
  fs.writeFileSync(file, JSON.stringify(argv.slice(2)), { mode: 0o600 })
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...execArgv, script, ARGV_FILE_FLAG, file], {
      stdio: 'inherit',
    })
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal)
    }
    process.on('SIGTERM', forward)
    process.on('SIGINT', forward)
    process.on('SIGHUP', forward)
    const cleanUp = (): void => {
      process.off('SIGTERM', forward)
      process.off('SIGINT', forward)
      process.off('SIGHUP', forward)
      fs.rmSync(folder, { recursive: true, force: true })
    }
    child.on('error', (error) => {
      cleanUp()
      process.stderr.write(
        `slipway: could not start a child for the long command line: ${error.message}\n`,
      )
      resolve(1)
    })
    child.on('exit', (code, signal) => {
      cleanUp()
      // Die the way the child did, so whoever started us sees the same signal.
      if (signal) process.kill(process.pid, signal)
      resolve(code ?? 1)
    })
  })
}
