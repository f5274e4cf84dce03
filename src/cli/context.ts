// Opens the registry for one CLI command and always closes it.
import { SlipwayError } from '../api/errors'
import { Slipway } from '../core/service'
import type { GlobalOptions } from './output'
import { reportError } from './output'

/** Runs `fn` with an open registry; errors are printed and turn into exit code 1. */
export async function withSlipway(
  options: GlobalOptions,
  fn: (slipway: Slipway) => Promise<void>,
): Promise<void> {
  let slipway: Slipway | undefined
  try {
    slipway = new Slipway({ home: options.home })
    await fn(slipway)
  } catch (error) {
    reportError(error, options.json)
  } finally {
    slipway?.close()
  }
}

/** Parses `MODEL@REF` (REF: a version number, `vN`, an alias or `latest`; default `latest`). */
export function parseModelRef(text: string): { model: string; ref: string | number } {
  const at = text.lastIndexOf('@')
  const model = at < 0 ? text : text.slice(0, at)
  const ref = at < 0 ? 'latest' : text.slice(at + 1)
  const numeric = /^v?(\d+)$/i.exec(ref)
  return { model, ref: numeric ? Number(numeric[1]) : ref }
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
