// A button for a change that needs a second look: the first click asks, in place, what will happen;
// only "Yes" runs it. A refusal from the registry is shown right there.
import { useState, type ReactNode } from 'react'
import { ErrorNote } from '../ErrorNote'

export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  testId,
  disabled = false,
  disabledReason,
  className = 'link',
  confirmClassName = 'danger',
  ariaLabel,
}: {
  /** The button's name for assistive technology when its label is a symbol (×). */
  ariaLabel?: string
  label: ReactNode
  question: ReactNode
  confirmLabel: string
  /** Runs the change; resolves with the problem to show, or null when done. */
  onConfirm: () => Promise<string | null>
  testId: string
  disabled?: boolean
  /** Said beside a disabled button: why it cannot be used now. */
  disabledReason?: string
  className?: string
  /** The confirming button's style: `danger` for what removes, `primary` for what puts back. */
  confirmClassName?: string
}) {
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)
  if (!asking)
    return (
      <span className="confirm-action">
        <button
          type="button"
          className={className}
          disabled={disabled}
          title={disabled ? disabledReason : undefined}
          aria-label={ariaLabel}
          onClick={() => {
            setProblem(null)
            setAsking(true)
          }}
          data-testid={testId}
        >
          {label}
        </button>
        {disabled && disabledReason && ' '}
        {disabled && disabledReason && (
          <span className="muted small" data-testid={`${testId}-why`}>
            {disabledReason}
          </span>
        )}
      </span>
    )
  return (
    <span className="confirm-box" role="group" data-testid={`${testId}-confirm`}>
      <span>{question}</span>{' '}
      <button
        type="button"
        className={confirmClassName}
        disabled={busy}
        onClick={() => {
          setBusy(true)
          void onConfirm().then((error) => {
            setBusy(false)
            setProblem(error)
            if (!error) setAsking(false)
          })
        }}
        data-testid={`${testId}-yes`}
      >
        {confirmLabel}
      </button>{' '}
      <button type="button" disabled={busy} onClick={() => setAsking(false)}>
        Cancel
      </button>
      <ErrorNote message={problem} testId={`${testId}-error`} />
    </span>
  )
}
