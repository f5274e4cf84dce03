// Opens the registry for one CLI command and always closes it; parses the CLI's small notations.
import fs from 'node:fs'
import path from 'node:path'
import { AliasName } from '../api/common'
import { SlipwayError, isSlipwayError } from '../api/errors'
import { busyError, isBusyError } from '../core/db/busy'
import { resolveHome } from '../core/home'
import { Slipway } from '../core/service'
import type { Command } from 'commander'
import type { GlobalOptions } from './output'
import { printJson, reportError } from './output'

/** Checks the home before opening it, so a typo fails with its name and not deep in SQLite. */
function openRegistry(options: GlobalOptions): Slipway {
  // `--home "$DIR"` with DIR unset must not fall back to the user's real registry.
  if (options.home !== undefined && !options.home.trim())
    throw new SlipwayError(
      'INVALID_INPUT',
      '--home is empty: give a directory, or leave --home out to use $SLIPWAY_HOME or the default',
    )
  const home = resolveHome(options.home)
  let stat: fs.Stats | undefined
  try {
    stat = fs.statSync(home)
  } catch {
    stat = undefined // a home that does not exist yet is created
  }
  if (stat && !stat.isDirectory())
    throw new SlipwayError('BAD_FILE', `${home}: the registry home is not a directory`)
  try {
    return new Slipway({ home: options.home })
  } catch (error) {
    if (isSlipwayError(error)) throw error
    if (isBusyError(error)) throw busyError('Opening the registry')
    const reason = error instanceof Error ? error.message : String(error)
    throw new SlipwayError(
      'BAD_FILE',
      `Cannot open the registry ${path.join(home, 'registry.sqlite')}: ${reason}`,
    )
  }
}

/** Runs `fn` with an open registry; errors are printed and turn into exit code 1. */
export async function withSlipway(
  options: GlobalOptions,
  fn: (slipway: Slipway) => Promise<void>,
): Promise<void> {
  let slipway: Slipway | undefined
  try {
    slipway = openRegistry(options)
    await fn(slipway)
  } catch (error) {
    reportError(error, options.json)
  } finally {
    slipway?.close()
  }
}

/**
 * The `.action` of a command that makes one call and shows its answer: `json(answer)` with
 * --json, else `print(answer)`. `arg` is the command's positional argument, if it has one.
 */
export function showAnswer<T, O extends object = object>(
  call: (slipway: Slipway, opts: GlobalOptions & O, arg: string | undefined) => Promise<T>,
  print: (answer: T, opts: GlobalOptions & O, arg: string | undefined) => void,
  json: (answer: T) => unknown = (answer) => answer,
): (...params: unknown[]) => Promise<void> {
  return async (...params) => {
    // Commander passes the positional arguments, then the options, then the command.
    const cmd = params[params.length - 1] as Command
    const arg = params.length > 2 ? (params[0] as string | undefined) : undefined
    const opts = cmd.optsWithGlobals<GlobalOptions & O>()
    await withSlipway(opts, async (slipway) => {
      const answer = await call(slipway, opts, arg)
      if (opts.json) printJson(json(answer))
      else print(answer, opts, arg)
    })
  }
}

function badRef(message: string): never {
  throw new SlipwayError('INVALID_INPUT', message)
}

/**
 * Parses `MODEL@REF` (REF: a version number, `vN`, an alias or `latest`). A bare `MODEL` means
 * its latest version unless `requireRef` is set: moving an alias or setting a tag must name the
 * version, so a forgotten `@3` never silently acts on whatever was registered last.
 */
export function parseModelRef(
  text: string,
  { requireRef = false }: { requireRef?: boolean } = {},
): { model: string; ref: string | number } {
  const parts = text.split('@')
  if (parts.length > 2)
    badRef(`"${text}" has more than one "@": write MODEL@VERSION or MODEL@ALIAS`)
  const model = parts[0] ?? ''
  const ref = parts[1]?.trim()
  if (!model.trim()) badRef(`"${text}": the model name before "@" is missing`)
  if (ref === undefined) {
    if (requireRef)
      badRef(`"${text}": name the version, e.g. ${text}@3, ${text}@latest or ${text}@champion`)
    return { model, ref: 'latest' }
  }
  if (!ref) badRef(`"${text}": the version or alias after "@" is missing`)
  const numeric = /^v?(-?\d+)$/i.exec(ref)
  if (numeric) {
    const version = Number(numeric[1])
    if (version < 1) badRef(`"${text}": versions are numbered from 1`)
    // Beyond a safe integer no version can exist; the registry says so by name.
    return { model, ref: Number.isSafeInteger(version) ? version : ref }
  }
  if (ref.toLowerCase() === 'latest') return { model, ref: 'latest' }
  if (!AliasName.safeParse(ref).success)
    badRef(`"${text}": "${ref}" is neither a version (3 or v3), latest, nor an alias name`)
  return { model, ref }
}

/** Parses `--parent`: a version number, `3` or `v3`. */
export function parseVersionNumber(text: string, option: string): number {
  const numeric = /^v?(\d+)$/i.exec(text.trim())
  const version = numeric ? Number(numeric[1]) : NaN
  if (!Number.isSafeInteger(version) || version < 1)
    throw new SlipwayError(
      'INVALID_INPUT',
      `${option} "${text}": give a version number, e.g. 3 or v3`,
    )
  return version
}

/** Parses repeated `KEY=VALUE` options. */
export function parseKeyValues(
  pairs: string[] | undefined,
  what: string,
): { key: string; value: string }[] {
  return (pairs ?? []).map((pair) => {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new SlipwayError('INVALID_INPUT', `${what} "${pair}" is not KEY=VALUE`)
    return { key: pair.slice(0, eq), value: pair.slice(eq + 1) }
  })
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

/** Reads a list of paths, one a line (blank lines skipped), from a file or `-` for stdin. */
export function readFileList(source: string, option: string): string[] {
  let text: string
  try {
    text = fs.readFileSync(source === '-' ? 0 : source, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : code
    throw new SlipwayError(
      'BAD_FILE',
      `${option} ${source === '-' ? '- (standard input)' : source}: cannot read the list (${reason ?? String(error)})`,
    )
  }
  return text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '')
}

/**
 * Expands the files a command was given: a folder stands for every file with one of `extensions`
 * directly inside it (sorted by name); files are kept as given. A folder with none is refused.
 */
export function expandFolders(paths: string[], extensions: string[], what: string): string[] {
  const files: string[] = []
  for (const given of paths) {
    let stat: fs.Stats | undefined
    try {
      stat = fs.statSync(given)
    } catch {
      stat = undefined // a missing file is reported by the command, naming it
    }
    if (!stat?.isDirectory()) {
      files.push(given)
      continue
    }
    const inside = fs
      .readdirSync(given, { withFileTypes: true })
      .filter((entry) => !entry.isDirectory())
      .map((entry) => entry.name)
      .filter((name) => extensions.some((ext) => name.toLowerCase().endsWith(ext)))
      .sort()
    if (!inside.length)
      throw new SlipwayError(
        'INVALID_INPUT',
        `${given}: the folder holds no ${what} (${extensions.join(', ')} files directly inside)`,
      )
    for (const name of inside) files.push(path.join(given, name))
  }
  return files
}
