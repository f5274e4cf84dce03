// Undo slice: the last destructive-but-reversible change (an archive, a removed alias or tag) and
// the action that reverses it, shown in a bar at the bottom of the window until dismissed.
import { create } from 'zustand'

export interface UndoNotice {
  message: string
  /** Reverses the change; resolves with the problem to show, or null. */
  undo: (() => Promise<string | null>) | null
}

export interface UndoState {
  notice: UndoNotice | null
  error: string | null
  show(message: string, undo?: () => Promise<string | null>): void
  dismiss(): void
  runUndo(): Promise<void>
}

export const initialUndoState = { notice: null as UndoNotice | null, error: null as string | null }

export const useUndo = create<UndoState>()((set, get) => ({
  ...initialUndoState,
  show(message, undo) {
    set({ notice: { message, undo: undo ?? null }, error: null })
  },
  dismiss() {
    set({ ...initialUndoState })
  },
  async runUndo() {
    const undo = get().notice?.undo
    if (!undo) return
    const problem = await undo()
    if (problem) set({ error: problem })
    else set({ notice: { message: 'Undone.', undo: null }, error: null })
  },
}))
