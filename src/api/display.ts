// Safe display of untrusted text (ONNX metadata, names, file names) in the UI and terminal:
// control characters shown escaped, long values truncated. Pure: no Node, no DOM.

/**
 * C0, DEL and C1 controls (terminal escapes), plus the invisible and direction-changing
 * characters that can make text read differently from what it is, and lone surrogates.
 */
const CONTROL =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

function escapeCharacter(ch: string): string {
  if (ch === '\n') return '\\n'
  if (ch === '\t') return '\\t'
  if (ch === '\r') return '\\r'
  const code = ch.charCodeAt(0)
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`
}

export function escapeControl(value: string): string {
  return value.replace(CONTROL, escapeCharacter)
}

/**
 * Escapes control characters, then cuts to at most `max` characters with a count of the
 * original characters left out; never cuts inside an escape or a surrogate pair.
 */
export function displayText(value: string, max = 200): string {
  let shown = ''
  let i = 0
  while (i < value.length) {
    const width = (value.codePointAt(i) ?? 0) > 0xffff ? 2 : 1
    const piece = escapeControl(value.slice(i, i + width))
    if (shown.length + piece.length > max) break
    shown += piece
    i += width
  }
  if (i >= value.length) return shown
  return `${shown}… (${value.length - i} more characters)`
}

/** Text for HTML that Slipway writes itself (audit reports, model cards): no markup gets through. */
export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  )
/**
 * A stored time (ISO-8601, UTC) in the reader's local time zone, to the minute: `2026-12-03 14:05`.
 * The window and the CLI's text output write times so; JSON keeps the ISO UTC string.
 */
export function localTime(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/**
 * A class as people name it: the model's `class_names` entry for the label when it has one
 * (`classNames` from an evaluation or comparison result), else the label itself.
 */
export const classLabel = (label: string, classNames?: Readonly<Record<string, string>>): string =>
  classNames?.[label] ?? label

/** A result whose dataset was deleted with its results kept says so: "dataset x deleted on …; results kept". */
export const retiredDatasetNote = (dataset: { name: string; retiredAt?: string }): string =>
  dataset.retiredAt
    ? `dataset ${displayText(dataset.name, 80)} deleted on ${localTime(dataset.retiredAt)}; results kept`
    : ''
