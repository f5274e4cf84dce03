// Deletes in the window are undone from the trash: after a delete the Undo bar offers to restore
// the item (trash:restore, same id) and reloads what lists it. The item stays restorable from the
// trash for 30 days, so closing the window before pressing Undo loses nothing: the Trash view
// lists what is there and restores any of it.
import { create } from 'zustand'
import type { TrashEntry } from '../../../api/trash'
import { client } from '../transport/client'
import { useUndo } from './undo'

export function offerRestore(message: string, trashId: number, reload: () => Promise<void>): void {
  useUndo.getState().show(message, async () => {
    const result = await client().call('trash:restore', { id: trashId })
    if (!result.ok) return result.error.message
    await reload()
    return null
  })
}

export interface TrashState {
  entries: TrashEntry[] | null
  error: string | null
  load(): Promise<void>
  /** Puts one back; resolves with the problem to show, or null. */
  restore(id: number): Promise<string | null>
}

export const initialTrashState = {
  entries: null as TrashEntry[] | null,
  error: null as string | null,
}

export const useTrash = create<TrashState>()((set, get) => ({
  ...initialTrashState,
  async load() {
    const result = await client().call('trash:list', {})
    if (result.ok) set({ entries: result.value, error: null })
    else set({ error: result.error.message })
  },
  async restore(id) {
    const result = await client().call('trash:restore', { id })
    if (!result.ok) return result.error.message
    await get().load()
    useUndo.getState().show(`Restored ${result.value.title}.`)
    return null
  },
}))
