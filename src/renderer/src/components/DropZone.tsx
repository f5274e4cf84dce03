// Files dropped anywhere on the window: the page's drop handlers first (lib/drop-targets), then
// the register dialog for .onnx files and anything else; an overlay shows the window takes them.
import { useEffect, useState } from 'react'
import { describeDrop, routeDroppedFiles } from '../lib/drop-targets'
import { useRegisterDialog } from '../stores/register-dialog'

const carriesFiles = (event: DragEvent): boolean =>
  Array.from(event.dataTransfer?.types ?? []).includes('Files')

export function DropZone() {
  const [over, setOver] = useState(false)
  const openWith = useRegisterDialog((state) => state.openWith)

  useEffect(() => {
    let depth = 0
    const enter = (event: DragEvent): void => {
      if (!carriesFiles(event)) return
      event.preventDefault()
      depth++
      setOver(true)
    }
    const overHandler = (event: DragEvent): void => {
      if (!carriesFiles(event)) return
      // Without this the browser (or Electron) would open the file in place of the app.
      event.preventDefault()
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy'
    }
    const leave = (event: DragEvent): void => {
      if (!carriesFiles(event)) return
      depth = Math.max(0, depth - 1)
      if (depth === 0) setOver(false)
    }
    const drop = (event: DragEvent): void => {
      event.preventDefault()
      depth = 0
      setOver(false)
      const files = routeDroppedFiles(Array.from(event.dataTransfer?.files ?? []))
      if (files.length) openWith(files.map((file) => ({ kind: 'file', file })))
    }
    window.addEventListener('dragenter', enter)
    window.addEventListener('dragover', overHandler)
    window.addEventListener('dragleave', leave)
    window.addEventListener('drop', drop)
    return () => {
      window.removeEventListener('dragenter', enter)
      window.removeEventListener('dragover', overHandler)
      window.removeEventListener('dragleave', leave)
      window.removeEventListener('drop', drop)
    }
  }, [openWith])

  if (!over) return null
  return (
    <div className="drop-overlay" data-testid="drop-overlay">
      <div>
        <div className="drop-title">Drop to add files</div>
        <ul className="drop-kinds">
          {describeDrop().map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </div>
    </div>
  )
}
