// "Register model…": Electron's native picker, or the page's own file input in web mode.
import { useRef } from 'react'
import { useRegisterDialog } from '../stores/register-dialog'
import { client } from '../transport/client'

export function RegisterButton() {
  const input = useRef<HTMLInputElement>(null)
  const openWith = useRegisterDialog((state) => state.openWith)

  const pick = async (): Promise<void> => {
    const openFiles = client().openFiles
    if (!openFiles) {
      input.current?.click()
      return
    }
    const paths = await openFiles()
    if (paths.length) openWith(paths.map((path) => ({ kind: 'path', path })))
  }

  return (
    <>
      <button
        type="button"
        className="primary"
        onClick={() => void pick()}
        aria-label="Register model…"
        title="Register model…"
        data-testid="register-button"
      >
        <span className="nav-icon" aria-hidden="true">
          +
        </span>
        <span className="label">Register model…</span>
      </button>
      <input
        ref={input}
        type="file"
        multiple
        accept=".onnx"
        hidden
        data-testid="register-input"
        onChange={(event) => {
          const files = Array.from(event.target.files ?? [])
          event.target.value = ''
          if (files.length) openWith(files.map((file) => ({ kind: 'file', file })))
        }}
      />
    </>
  )
}

/** Opens the picker programmatically (the native menu's File → Register model…). */
export function openRegisterPicker(): void {
  document.querySelector<HTMLButtonElement>('[data-testid="register-button"]')?.click()
}
