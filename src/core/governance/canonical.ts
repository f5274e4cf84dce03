// Canonical JSON (RFC 8785, JCS) for what Slipway signs. Signed documents hold only strings,
// safe integers, booleans, null, arrays and objects, so the number rules of JCS reduce to
// integers; anything else is refused rather than silently written in a second form.

/** A value a signed document may hold. */
export type Signable = string | number | boolean | null | Signable[] | { [key: string]: Signable }

/** The canonical text: keys sorted by UTF-16 code units, no whitespace, JCS string escapes. */
export function canonicalJson(value: unknown, where = '$'): string {
  if (value === null) return 'null'
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new TypeError(`${where}: ${value} is not a safe integer; signed records hold no floats`)
    return Object.is(value, -0) ? '0' : String(value)
  }
  if (Array.isArray(value))
    return `[${value.map((v, i) => canonicalJson(v, `${where}[${i}]`)).join(',')}]`
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown
    if (proto !== Object.prototype && proto !== null)
      throw new TypeError(`${where}: only plain objects can be signed`)
    const entries = Object.entries(value as Record<string, unknown>).filter(
      ([, v]) => v !== undefined,
    )
    // Default sort compares UTF-16 code units, which is what RFC 8785 section 3.2.3 asks for.
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, `${where}.${k}`)}`)
      .join(',')}}`
  }
  throw new TypeError(`${where}: a ${typeof value} cannot be signed`)
}

export const canonicalBytes = (value: unknown): Buffer => Buffer.from(canonicalJson(value), 'utf8')

/**
 * Makes details signable: non-integer numbers (metrics, thresholds) become their decimal
 * text, undefined members are dropped, dates become ISO text. Used for local-only records
 * whose details were plain JSON before records were signed.
 */
export function toSignable(value: unknown): Signable {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : String(value)
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map(toSignable)
  if (typeof value === 'object') {
    const out: Record<string, Signable> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      if (v !== undefined) out[k] = toSignable(v)
    return out
  }
  return String(value)
}
