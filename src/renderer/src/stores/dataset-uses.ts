// Dataset-uses slice: the stored evaluations and comparisons computed on a dataset (they keep it:
// it cannot be deleted while they exist), and deleting the dataset together with them — all to the
// trash, restored together by one Undo.
import { create } from 'zustand'
import type { EvaluationSummary, ShadowComparison } from '../../../api/evaluation'
import { client } from '../transport/client'
import { useUndo } from './undo'

export interface DatasetUses {
  datasetId: number
  evaluations: EvaluationSummary[]
  comparisons: Omit<ShadowComparison, 'result'>[]
}

export interface DatasetUsesState {
  uses: DatasetUses | null
  error: string | null
  load(datasetId: number): Promise<void>
  /** Deletes the results, then the dataset; resolves with the problem to show, or null. */
  removeWithResults(
    datasetId: number,
    name: string,
    reload: () => Promise<void>,
  ): Promise<string | null>
  /** Deletes the dataset's data (to the trash) and keeps its results; resolves with a problem or null. */
  removeKeepingResults(
    datasetId: number,
    name: string,
    reload: () => Promise<void>,
  ): Promise<string | null>
}

export const initialDatasetUsesState = {
  uses: null as DatasetUses | null,
  error: null as string | null,
}

export const useDatasetUses = create<DatasetUsesState>()((set, get) => ({
  ...initialDatasetUsesState,
  async load(datasetId) {
    const [evaluations, comparisons] = await Promise.all([
      client().call('eval:list', {}),
      client().call('shadow:list', {}),
    ])
    if (!evaluations.ok) return set({ error: evaluations.error.message })
    if (!comparisons.ok) return set({ error: comparisons.error.message })
    set({
      error: null,
      uses: {
        datasetId,
        evaluations: evaluations.value.filter((e) => e.dataset.id === datasetId),
        comparisons: comparisons.value.filter((c) => c.dataset.id === datasetId),
      },
    })
  },
  async removeKeepingResults(datasetId, name, reload) {
    const removed = await client().call('datasets:remove', { id: datasetId, keepResults: true })
    if (!removed.ok) return removed.error.message
    await reload()
    useUndo.getState().show(`Dataset "${name}" deleted; its results kept.`, async () => {
      const restored = await client().call('trash:restore', { id: removed.value.trashId })
      if (!restored.ok) return restored.error.message
      await reload()
      return null
    })
    return null
  },
  async removeWithResults(datasetId, name, reload) {
    const uses = get().uses
    if (!uses || uses.datasetId !== datasetId)
      return 'The results of this dataset are not loaded yet'
    const trashed: number[] = []
    // Put back whatever was deleted when a later step is refused, so nothing is half done.
    const rollBack = async (): Promise<void> => {
      for (const id of [...trashed].reverse()) await client().call('trash:restore', { id })
    }
    for (const evaluation of uses.evaluations) {
      const result = await client().call('eval:remove', { id: evaluation.id })
      if (!result.ok) return rollBack().then(() => result.error.message)
      trashed.push(result.value.trashId)
    }
    for (const comparison of uses.comparisons) {
      const result = await client().call('shadow:remove', { id: comparison.id })
      if (!result.ok) return rollBack().then(() => result.error.message)
      trashed.push(result.value.trashId)
    }
    const dataset = await client().call('datasets:remove', { id: datasetId })
    if (!dataset.ok) return rollBack().then(() => dataset.error.message)
    trashed.push(dataset.value.trashId)
    await reload()
    const count = trashed.length - 1
    useUndo
      .getState()
      .show(
        `Dataset "${name}" and ${count} ${count === 1 ? 'result' : 'results'} deleted.`,
        async () => {
          // The dataset first: the results point at it.
          for (const id of [...trashed].reverse()) {
            const restored = await client().call('trash:restore', { id })
            if (!restored.ok) return restored.error.message
          }
          await reload()
          return null
        },
      )
    return null
  },
}))
