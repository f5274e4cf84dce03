// The trash: deleted evaluations, comparisons, drift runs and datasets, restorable by the id of
// their entry until they are purged 30 days after the delete.
import { z } from 'zod'
import { Timestamp } from './common'

export const TrashKind = z.enum(['evaluation', 'comparison', 'drift-run', 'dataset'])
export type TrashKind = z.infer<typeof TrashKind>

export const TrashEntry = z.object({
  id: z.number(),
  kind: TrashKind,
  /** The id the item had, and has again once restored. */
  itemId: z.number(),
  /** What it was, as "Evaluation 3 (churn v2 on reference)". */
  title: z.string(),
  deletedAt: Timestamp,
  deletedBy: z.string(),
  /** When the purge drops it for good. */
  purgeAfter: Timestamp,
})
export type TrashEntry = z.infer<typeof TrashEntry>

/** What a delete answers: the item's id and the trash entry that restores it. */
export const Removed = z.object({
  id: z.number(),
  removed: z.literal(true),
  trashId: z.number(),
})
export type Removed = z.infer<typeof Removed>

export const trashCalls = {
  'trash:list': {
    input: z.object({}).strict(),
    output: z.array(TrashEntry),
  },
  /** Puts a deleted item back with its id; refused (naming why) when what it belongs to is gone. */
  'trash:restore': {
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: TrashEntry,
  },
} as const
