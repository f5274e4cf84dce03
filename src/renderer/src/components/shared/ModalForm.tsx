// The frame of a modal form (the register and import dialogs): a backdrop, a labelled dialog that
// takes the focus when it opens and gives it back when it closes, and Escape to close. The page
// behind it is inert (see AppFrame).
import { useEffect, useRef, type FormEvent, type ReactNode } from 'react'

export function ModalForm({
  titleId,
  title,
  onSubmit,
  onClose,
  testId,
  children,
}: {
  titleId: string
  title: ReactNode
  onSubmit: () => void
  /** Escape; the dialog decides whether it can close now (not while it runs). */
  onClose: () => void
  testId: string
  children: ReactNode
}) {
  const dialog = useRef<HTMLFormElement>(null)
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') onClose()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null
    const first = dialog.current?.querySelector<HTMLElement>(
      'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])',
    )
    ;(first ?? dialog.current)?.focus()
    return () => {
      if (before?.isConnected) before.focus()
    }
  }, [])
  return (
    <div className="modal-backdrop">
      <form
        ref={dialog}
        tabIndex={-1}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onSubmit={(event: FormEvent) => {
          event.preventDefault()
          onSubmit()
        }}
        data-testid={testId}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
      </form>
    </div>
  )
}
