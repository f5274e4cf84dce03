// Preload: exposes one function per contract call, events, file paths and the file picker.
// Sandboxed, so it is bundled: it takes the call names from a plain list, not the zod contract.
import { contextBridge, ipcRenderer, webUtils } from 'electron'
import type { IpcRendererEvent } from 'electron'
import type { Api, ApiEvent } from '../api/calls'
import { CALL_NAMES } from '../api/call-names'
import { channels, type MenuCommand, type SlipwayBridge } from './bridge'

// One function per call of the contract (CALL_NAMES is checked against apiCalls by a unit test).
const api = Object.fromEntries(
  CALL_NAMES.map((name) => [name, (input: unknown) => ipcRenderer.invoke(name, input ?? {})]),
) as Api

const bridge = {
  ...api,
  onEvent(listener: (event: ApiEvent) => void): () => void {
    const handler = (_event: IpcRendererEvent, payload: ApiEvent): void => listener(payload)
    ipcRenderer.on(channels.event, handler)
    return () => ipcRenderer.removeListener(channels.event, handler)
  },
  onMenuCommand(listener: (command: MenuCommand) => void): () => void {
    const handler = (_event: IpcRendererEvent, command: MenuCommand): void => listener(command)
    ipcRenderer.on(channels.menu, handler)
    return () => ipcRenderer.removeListener(channels.menu, handler)
  },
  onOpenedFiles(listener: (paths: string[]) => void): () => void {
    const handler = (_event: IpcRendererEvent, paths: unknown): void => {
      if (Array.isArray(paths)) listener(paths.filter((p): p is string => typeof p === 'string'))
    }
    ipcRenderer.on(channels.openedFiles, handler)
    return () => ipcRenderer.removeListener(channels.openedFiles, handler)
  },
  pathForFile: (file: File): string => webUtils.getPathForFile(file),
  openFiles: (): Promise<string[]> => ipcRenderer.invoke(channels.openFiles),
  saveCardPdf: (model: string, version: number) =>
    ipcRenderer.invoke(channels.cardPdf, { model, version }),
} satisfies SlipwayBridge

contextBridge.exposeInMainWorld('slipway', bridge)
