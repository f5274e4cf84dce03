// Untrusted text (names, ONNX metadata, doc strings) shown as plain React text, escaped and bounded.
import { useState } from 'react'
import { displayText } from '../../../api/display'

export function Text({ value, max }: { value: string | null | undefined; max?: number }) {
  if (value === null || value === undefined || value === '') return <span className="muted">—</span>
  const shown = displayText(value, max)
  return (
    <span title={shown.length < value.length ? displayText(value, 2000) : undefined}>{shown}</span>
  )
}

/**
 * Long untrusted text (a `feature_names` list) shown cut to `max` with a "Show all" that expands it
 * in place (still escaped, bounded at `limit`).
 */
export function ExpandableText({
  value,
  max,
  limit = 100_000,
  testId,
}: {
  value: string
  max: number
  limit?: number
  testId?: string
}) {
  const [open, setOpen] = useState(false)
  const long = value.length > max
  return (
    <span data-testid={testId}>
      <span className="expandable-text">{displayText(value, open ? limit : max)}</span>
      {long && (
        <>
          {' '}
          <button
            type="button"
            className="link small"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
            data-testid={testId ? `${testId}-toggle` : undefined}
          >
            {open ? 'Show less' : `Show all (${value.length.toLocaleString('en-US')} characters)`}
          </button>
        </>
      )}
    </span>
  )
}
