// Untrusted text (names, ONNX metadata, doc strings) shown as plain React text, escaped and bounded.
import { displayText } from '../../../api/display'

export function Text({ value, max }: { value: string | null | undefined; max?: number }) {
  if (value === null || value === undefined || value === '') return <span className="muted">—</span>
  const shown = displayText(value, max)
  return (
    <span title={shown.length < value.length ? displayText(value, 2000) : undefined}>{shown}</span>
  )
}
