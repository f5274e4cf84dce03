// Files the OS asks the app to open (.onnx association): from the command line at start-up and in
// `second-instance` (Windows, Linux), or from `open-file` events (macOS). They go to the window's
// register dialog, listed. Like ipc.ts this depends on small *Like interfaces, not on electron, so
// it is tested in plain Node with a stand-in app.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { argvTooLong } from '../core/onnx/argv-limit'

/** The flag a relaunched app is given instead of a long list of paths (see relaunchArgs). */
export const OPEN_LIST_FLAG = '--slipway-open-list'

/** The extension the app is associated with. */
export const OPEN_EXTENSIONS = ['.onnx']

/** Flags of ours that take a value, so the value is not mistaken for a file. */
const FLAGS_WITH_VALUE = new Set(['--home', OPEN_LIST_FLAG])

/**
 * The model files among command-line arguments (the program itself and, unpackaged, the app path
 * left out by the caller): arguments that are not flags and end in .onnx, made absolute against
 * the folder the command was given in.
 */
export function openedPathsFromArgv(args: readonly string[], cwd: string): string[] {
  const paths: string[] = []
  const rest = args.values()
  for (const arg of rest) {
    if (FLAGS_WITH_VALUE.has(arg)) {
      rest.next() // the flag's value
      continue
    }
    if (arg.startsWith('-')) continue
    if (!OPEN_EXTENSIONS.some((ext) => arg.toLowerCase().endsWith(ext))) continue
    paths.push(path.resolve(cwd, arg))
  }
  return paths
}

/** The arguments the user gave: argv without the executable and, unpackaged, the app path. */
export const userArgs = (argv: readonly string[], isPackaged: boolean): string[] =>
  argv.slice(isPackaged ? 1 : 2)

/** Where the list of a relaunched app is: the value of OPEN_LIST_FLAG, if given. */
export function openListFile(args: readonly string[]): string | undefined {
  const at = args.indexOf(OPEN_LIST_FLAG)
  return at >= 0 ? args[at + 1] : undefined
}

/** Reads (and deletes) the list a long command line was moved into. */
export function readOpenList(file: string): string[] {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'))
    return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string') : []
  } catch {
    return []
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true })
  }
}

/**
 * When the app was started with a command line too long for ONNX Runtime (many files opened from
 * the OS), writes the files to a private temporary list and returns the short arguments to relaunch
 * with: the app path when unpackaged, --home if given, and the list's flag. Undefined otherwise.
 */
export function relaunchArgs(
  argv: readonly string[],
  isPackaged: boolean,
  cwd: string,
): string[] | undefined {
  if (!argvTooLong(argv)) return undefined
  const args = userArgs(argv, isPackaged)
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-open-'))
  const list = path.join(folder, 'files.json')
  fs.writeFileSync(list, JSON.stringify(openedPathsFromArgv(args, cwd)), { mode: 0o600 })
  const keep: string[] = isPackaged ? [] : argv.slice(1, 2)
  const home = args.indexOf('--home')
  const homeValue = home >= 0 ? args[home + 1] : undefined
  if (homeValue !== undefined) keep.push('--home', homeValue)
  for (const arg of args) if (arg.startsWith('--home=')) keep.push(arg)
  return [...keep, OPEN_LIST_FLAG, list]
}

/**
 * Holds opened files until the window can show them, then sends each batch once. The window is
 * ready after its page has loaded; a new window (macOS re-activation) must call `notReady` first.
 */
export class OpenedFiles {
  private pending: string[] = []
  private isReady = false

  constructor(private readonly send: (paths: string[]) => void) {}

  add(paths: readonly string[]): void {
    if (!paths.length) return
    for (const file of paths) if (!this.pending.includes(file)) this.pending.push(file)
    this.flush()
  }

  ready(): void {
    this.isReady = true
    this.flush()
  }

  notReady(): void {
    this.isReady = false
  }

  private flush(): void {
    if (!this.isReady || !this.pending.length) return
    const batch = this.pending
    this.pending = []
    this.send(batch)
  }
}

/** The parts of Electron's `app` this module listens to. */
export interface AppLike {
  on(
    event: 'open-file',
    listener: (event: { preventDefault(): void }, file: string) => void,
  ): unknown
  on(
    event: 'second-instance',
    listener: (event: unknown, argv: string[], workingDirectory: string) => void,
  ): unknown
}

/**
 * Routes the OS's requests into `opened`: macOS `open-file` events, and the command line of a second
 * start (Windows, Linux), whose paths are relative to the folder it was started in.
 */
export function routeOpenedFiles(app: AppLike, opened: OpenedFiles, isPackaged: boolean): void {
  app.on('open-file', (event, file) => {
    event.preventDefault()
    opened.add([path.resolve(file)])
  })
  app.on('second-instance', (_event, argv, workingDirectory) => {
    opened.add(openedPathsFromArgv(userArgs(argv, isPackaged), workingDirectory))
  })
}
