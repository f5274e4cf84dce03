// App slice: which Slipway, face and registry folder this window is showing.
import type { AppInfo } from '../../../api/app'
import { create } from 'zustand'
import { client } from '../transport/client'

export interface AppState {
  info: AppInfo | null
  error: string | null
  load(): Promise<void>
}

export const initialAppState = { info: null as AppInfo | null, error: null as string | null }

export const useApp = create<AppState>()((set) => ({
  ...initialAppState,
  async load() {
    const result = await client().call('app:info', {})
    if (result.ok) set({ info: result.value, error: null })
    else set({ error: result.error.message })
  },
}))
