// How the CLI prints: JSON for pipelines (--json), plain aligned text for people, and errors
// that name the file and the reason, with the exit code a pipeline can branch on.
import { SlipwayError, isSlipwayError, type ErrorCode } from '../api/errors'
import { displayText, localTime } from '../api/display'

export interface GlobalOptions {
  home?: string
  json?: boolean
}

export const EXIT_ERROR = 1

/** Terminal-safe text: control characters shown escaped, long values cut. */
export const safe = (value: unknown, max = 200): string => displayText(String(value ?? ''), max)

/** A stored UTC time as the window shows it: local, to the minute. */
export const when = (iso: string): string => localTime(iso)

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  if (rows.length === 0) return
  const cells = rows.map((row) => columns.map((c) => safe(row[c] ?? '', 80)))
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]?.length ?? 0)))
  const line = (values: string[]): string =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  process.stdout.write(`${line(columns.map((c) => c.toUpperCase()))}\n`)
  for (const row of cells) process.stdout.write(`${line(row)}\n`)
}

export function errorOf(error: unknown): { code: ErrorCode; message: string } {
  if (isSlipwayError(error)) return { code: error.code, message: error.message }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) }
}

/** Prints the error (JSON on stdout with --json, else a line on stderr) and sets the exit code. */
export function reportError(
  error: unknown,
  json: boolean | undefined,
  exitCode = EXIT_ERROR,
): void {
  const { code, message } = errorOf(error)
  if (json) printJson({ error: { code, message } })
  else process.stderr.write(`slipway: ${safe(message, 2000)}\n`)
  process.exitCode = exitCode
}

export const fail = (code: ErrorCode, message: string): never => {
  throw new SlipwayError(code, message)
}
