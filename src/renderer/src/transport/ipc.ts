// ApiClient over the preload bridge (`window.slipway`): files travel as local paths.
import type { CallInput, CallName, CallOutput } from '../../../api/calls'
import type { Result } from '../../../api/errors'
import type { SlipwayBridge } from '../../../preload/bridge'
import type { ApiClient } from './client'

export function createIpcClient(bridge: SlipwayBridge): ApiClient {
  return {
    face: 'electron',
    call<K extends CallName>(name: K, input: CallInput<K>): Promise<Result<CallOutput<K>>> {
      const fn = bridge[name] as unknown as (input: CallInput<K>) => Promise<Result<CallOutput<K>>>
      if (typeof fn !== 'function') {
        return Promise.resolve({
          ok: false,
          error: { code: 'INVALID_INPUT', message: `Unknown call ${name}` },
        })
      }
      return fn(input)
    },
    onEvent: (listener) => bridge.onEvent(listener),
    onMenuCommand: (listener) => bridge.onMenuCommand(listener),
    onOpenedFiles: (listener) => bridge.onOpenedFiles(listener),
    async uploadOrPath(file, onProgress) {
      const path = bridge.pathForFile(file)
      if (!path)
        throw new Error(
          `${file.name}: Slipway cannot read this file's location; save it to disk first`,
        )
      onProgress(1)
      return { path }
    },
    openFiles: () => bridge.openFiles(),
    saveCardPdf: (model, version) => bridge.saveCardPdf(model, version),
  }
}
