// The bar that says what was just archived or removed, with Undo.
import { useUndo } from '../stores/undo'

export function UndoBar() {
  const { notice, error, dismiss, runUndo } = useUndo()
  if (!notice) return null
  return (
    <div className="undo-bar" role="status" data-testid="undo-bar">
      <span data-testid="undo-message">{notice.message}</span>
      {notice.undo && (
        <button type="button" onClick={() => void runUndo()} data-testid="undo-button">
          Undo
        </button>
      )}
      <button type="button" className="link" onClick={dismiss} aria-label="Dismiss">
        ×
      </button>
      {error && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
    </div>
  )
}
