// Picks the transport at start-up: the preload bridge in Electron, HTTP in web mode.
import type { SlipwayBridge } from '../../../preload/bridge'
import type { ApiClient } from './client'
import { createHttpClient, tokenFromLocation } from './http'
import { createIpcClient } from './ipc'

declare global {
  interface Window {
    slipway?: SlipwayBridge
  }
}

export function createClient(): ApiClient {
  if (window.slipway) return createIpcClient(window.slipway)
  return createHttpClient(tokenFromLocation(window.location.search))
}

export { client, setClient, type ApiClient } from './client'
