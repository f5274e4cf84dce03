// Deletes in the window are undone from the trash: after a delete the Undo bar offers to restore
// the item (trash:restore, same id) and reloads what lists it. The item stays restorable from the
// trash for 30 days, so closing the window before pressing Undo loses nothing.
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
