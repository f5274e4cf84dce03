// Safe display of untrusted text (ONNX metadata, names, file names) in the UI and terminal:
// control characters shown escaped, long values truncated. Pure: no Node, no DOM.

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g

export function escapeControl(value: string): string {
  return value.replace(CONTROL, (ch) => {
    if (ch === '\n') return '\\n'
    if (ch === '\t') return '\\t'
    if (ch === '\r') return '\\r'
    return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`
  })
}

/** Escapes control characters, then cuts to `max` characters with a count of what was cut. */
export function displayText(value: string, max = 200): string {
  const escaped = escapeControl(value)
  if (escaped.length <= max) return escaped
  return `${escaped.slice(0, max)}… (${escaped.length - max} more characters)`
}
