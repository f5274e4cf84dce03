// The one way the page talks to Slipway, whichever face carries it (Electron IPC or web-mode HTTP).
import type { ApiEvent, CallInput, CallName, CallOutput } from '../../../api/calls'
import type { FileRef } from '../../../api/common'
import type { Result } from '../../../api/errors'
import type { MenuCommand } from '../../../preload/bridge'

export interface ApiClient {
  readonly face: 'electron' | 'web'
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<Result<CallOutput<K>>>
  onEvent(listener: (event: ApiEvent) => void): () => void
  /** Turns a dropped/picked File into what the core accepts: a path (Electron) or an upload (web). */
  uploadOrPath(file: File, onProgress: (fraction: number) => void): Promise<FileRef>
  /** The native file picker (Electron only); null where the page's own <input type=file> is used. */
  readonly openFiles: (() => Promise<string[]>) | null
  /** Prints a model card to PDF and saves it (Electron only: printToPDF); absent in web mode. */
  readonly saveCardPdf?: (
    model: string,
    version: number,
  ) => Promise<Result<{ saved: string | null }>>
  onMenuCommand(listener: (command: MenuCommand) => void): () => void
  /** Files the OS asked the desktop app to open (never in web mode). */
  onOpenedFiles(listener: (paths: string[]) => void): () => void
}

let current: ApiClient | null = null

export function setClient(client: ApiClient): void {
  current = client
}

export function client(): ApiClient {
  if (!current) throw new Error('The API client is not set up yet')
  return current
}
