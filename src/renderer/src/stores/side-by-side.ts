// Side-by-side slice: the evaluations picked on a model page and their stored results, fetched
// once each, for the comparison table.
import { create } from 'zustand'
import type { Evaluation } from '../../../api/evaluation'
import { client } from '../transport/client'

export interface SideBySideState {
  /** The model whose evaluations are picked; picking on another model's page starts afresh. */
  model: string | null
  picked: number[]
  loaded: Record<number, Evaluation>
  error: string | null
  forModel(model: string): void
  toggle(id: number): Promise<void>
  clear(): void
}

export const initialSideBySideState = {
  model: null as string | null,
  picked: [] as number[],
  loaded: {} as Record<number, Evaluation>,
  error: null as string | null,
}

export const useSideBySide = create<SideBySideState>()((set, get) => ({
  ...initialSideBySideState,
  forModel(model) {
    if (get().model !== model) set({ ...initialSideBySideState, model })
  },
  async toggle(id) {
    const { picked, loaded } = get()
    if (picked.includes(id)) return set({ picked: picked.filter((p) => p !== id), error: null })
    set({ picked: [...picked, id], error: null })
    if (loaded[id]) return
    const result = await client().call('eval:get', { id })
    if (!result.ok) {
      set({ picked: get().picked.filter((p) => p !== id), error: result.error.message })
      return
    }
    set({ loaded: { ...get().loaded, [id]: result.value } })
  },
  clear() {
    set({ picked: [], error: null })
  },
}))
