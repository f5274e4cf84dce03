// One IPC handler per contract call, plus pushed events and the file picker. It depends on a
// small IpcMainLike interface, not on electron, so it is tested in plain Node.
import type { ApiEvent } from '../api/calls'
import { callNames } from '../api/calls'
import type { Result } from '../api/errors'
import { z } from 'zod'
import { ModelName } from '../api/common'
import type { Slipway } from '../core/service'
import { channels } from '../preload/bridge'

export interface IpcInvokeEventLike {
  /** The frame that sent the call; only the app page may call. */
  senderFrame?: { url: string } | null
}

export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown,
  ): void
  removeHandler(channel: string): void
}

export type SlipwayLike = Pick<Slipway, 'invoke' | 'onEvent'>

export interface IpcOptions {
  /** Whether a call from this frame URL is the app's own page (see isAllowedNavigation). */
  isTrustedSender: (url: string) => boolean
}

const refused: Result<never> = {
  ok: false,
  error: { code: 'UNAUTHORIZED', message: 'Calls are accepted from the Slipway window only' },
}

/** Registers every call of the contract; returns a function that removes them again. */
export function registerIpc(
  ipcMain: IpcMainLike,
  slipway: SlipwayLike,
  options: IpcOptions,
): () => void {
  for (const name of callNames) {
    ipcMain.handle(name, async (event, input) => {
      const url = event.senderFrame?.url
      if (typeof url !== 'string' || !options.isTrustedSender(url)) return refused
      return slipway.invoke(name, input, { face: 'electron', readLocalPaths: true })
    })
  }
  return () => {
    for (const name of callNames) ipcMain.removeHandler(name)
  }
}

/** Sends every core event to the window; returns the unsubscribe function. */
export function forwardEvents(
  slipway: SlipwayLike,
  send: (channel: string, event: ApiEvent) => void,
): () => void {
  return slipway.onEvent((event) => send(channels.event, event))
}

export interface OpenDialogLike {
  (options: {
    title: string
    properties: Array<'openFile' | 'multiSelections'>
    filters: Array<{ name: string; extensions: string[] }>
  }): Promise<{ canceled: boolean; filePaths: string[] }>
}

/** `dialog:open-files`: the native picker for .onnx files; main decides which paths exist. */
export function registerFilePicker(
  ipcMain: IpcMainLike,
  showOpenDialog: OpenDialogLike,
  options: IpcOptions,
): () => void {
  ipcMain.handle(channels.openFiles, async (event) => {
    const url = event.senderFrame?.url
    if (typeof url !== 'string' || !options.isTrustedSender(url)) return []
    const result = await showOpenDialog({
      title: 'Register model',
      properties: ['openFile', 'multiSelections'],
      filters: [
        { name: 'ONNX models', extensions: ['onnx'] },
        { name: 'All files', extensions: ['*'] },
      ],
    })
    return result.canceled ? [] : result.filePaths
  })
  return () => ipcMain.removeHandler(channels.openFiles)
}

const CardPdfInput = z.object({ model: ModelName, version: z.number().int().positive() }).strict()

/** Prints self-contained HTML to a PDF file the user picks; null when they cancel. */
export type PdfPrinter = (html: string, suggestedName: string) => Promise<string | null>

/** `card:save-pdf`: the model card's HTML export, printed to PDF by the shell. */
export function registerCardPdf(
  ipcMain: IpcMainLike,
  slipway: SlipwayLike,
  printPdf: PdfPrinter,
  options: IpcOptions,
): () => void {
  ipcMain.handle(
    channels.cardPdf,
    async (event, input): Promise<Result<{ saved: string | null }>> => {
      const url = event.senderFrame?.url
      if (typeof url !== 'string' || !options.isTrustedSender(url)) return refused
      const parsed = CardPdfInput.safeParse(input)
      if (!parsed.success)
        return {
          ok: false,
          error: { code: 'INVALID_INPUT', message: 'Name the model and version of the card' },
        }
      const html = await slipway.invoke(
        'cards:export',
        { model: parsed.data.model, ref: parsed.data.version, format: 'html' },
        { face: 'electron', readLocalPaths: true },
      )
      if (!html.ok) return html
      try {
        const saved = await printPdf(
          html.value.content,
          html.value.fileName.replace(/\.html$/, '.pdf'),
        )
        return { ok: true, value: { saved } }
      } catch (error) {
        return {
          ok: false,
          error: {
            code: 'INTERNAL',
            message: `Could not print the card: ${error instanceof Error ? error.message : String(error)}`,
          },
        }
      }
    },
  )
  return () => ipcMain.removeHandler(channels.cardPdf)
}
