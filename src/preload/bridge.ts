// The shape of `window.slipway`, shared by the preload (which builds it) and the renderer (which uses it).
import type { Api, ApiEvent } from '../api/calls'
import type { Result } from '../api/errors'

/** Commands the native menu sends to the page. */
export type MenuCommand = 'register-model'

export const channels = {
  event: 'slipway:event',
  menu: 'slipway:menu',
  openFiles: 'dialog:open-files',
  cardPdf: 'card:save-pdf',
  /** Main → page: .onnx files the OS asked the app to open, for the register dialog. */
  openedFiles: 'slipway:opened-files',
} as const

export type SlipwayBridge = Api & {
  onEvent(listener: (event: ApiEvent) => void): () => void
  onMenuCommand(listener: (command: MenuCommand) => void): () => void
  /** Files the OS asked the app to open (file association, `open-file`, a second start). */
  onOpenedFiles(listener: (paths: string[]) => void): () => void
  /** The local path of a dropped or picked file (Electron's webUtils.getPathForFile). */
  pathForFile(file: File): string
  /** The native file picker for .onnx files; the paths the user chose, or none. */
  openFiles(): Promise<string[]>
  /** Prints a version's model card to PDF (printToPDF) and asks where to save it. */
  saveCardPdf(model: string, version: number): Promise<Result<{ saved: string | null }>>
}
