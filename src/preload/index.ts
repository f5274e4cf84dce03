// Preload: exposes one function per contract call, events, file paths and the file picker.
// Sandboxed, so it is bundled with its only import, the contract.
import { contextBridge, ipcRenderer, webUtils } from 'electron'
import type { IpcRendererEvent } from 'electron'
import type { Api, ApiEvent } from '../api/calls'
import { callNames } from '../api/calls'
import { channels, type MenuCommand, type SlipwayBridge } from './bridge'

// One function per call, generated so a new call in the contract needs no change here.
const api = Object.fromEntries(
  callNames.map((name) => [name, (input: unknown) => ipcRenderer.invoke(name, input ?? {})]),
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
  pathForFile: (file: File): string => webUtils.getPathForFile(file),
  openFiles: (): Promise<string[]> => ipcRenderer.invoke(channels.openFiles),
  saveCardPdf: (model: string, version: number) =>
    ipcRenderer.invoke(channels.cardPdf, { model, version }),
} satisfies SlipwayBridge

contextBridge.exposeInMainWorld('slipway', bridge)
