// A version's lineage as typed in a form (the register dialog, the version page's "Edit lineage…"):
// the text fields, and the values the registry takes, or the problem to show.

export interface LineageDraft {
  codeVersion: string
  description: string
  datasetId: number | null
  /** "2" or "v2"; empty for none. */
  parent: string
  /** key=value, one per line. */
  params: string
}

export const emptyLineageDraft: LineageDraft = {
  codeVersion: '',
  description: '',
  datasetId: null,
  parent: '',
  params: '',
}

export interface LineageValues {
  codeVersion: string | null
  description: string
  trainingDatasetId: number | null
  parentVersion: number | null
  hyperparameters: { key: string; value: string }[]
}

export function parseLineageDraft(
  draft: LineageDraft,
): { ok: true; value: LineageValues } | { ok: false; problem: string } {
  const pairs = draft.params
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
  const bad = pairs.find((line) => !line.includes('=') || !line.slice(0, line.indexOf('=')).trim())
  if (bad !== undefined) return { ok: false, problem: `Hyperparameter "${bad}" is not key=value` }
  const parent = draft.parent.trim().replace(/^v/i, '')
  if (parent && (!/^\d+$/.test(parent) || Number(parent) < 1))
    return { ok: false, problem: `Parent "${draft.parent.trim()}" is not a version number` }
  return {
    ok: true,
    value: {
      codeVersion: draft.codeVersion.trim() || null,
      description: draft.description,
      trainingDatasetId: draft.datasetId,
      parentVersion: parent ? Number(parent) : null,
      hyperparameters: pairs.map((line) => ({
        key: line.slice(0, line.indexOf('=')).trim(),
        value: line.slice(line.indexOf('=') + 1).trim(),
      })),
    },
  }
}
