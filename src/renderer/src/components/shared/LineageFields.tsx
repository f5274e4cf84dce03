// The lineage fields of a version — code version, parent, training data (an imported dataset),
// description, hyperparameters — shared by the register dialog and the version page's editor.
import type { LineageDraft } from '../../lib/lineage-draft'
import { DatasetSelect } from './DataPickers'

export function LineageFields({
  draft,
  onChange,
  testIdPrefix,
}: {
  draft: LineageDraft
  onChange: (patch: Partial<LineageDraft>) => void
  /** `lineage` gives `lineage-code-version`, `lineage-parent`, `lineage-dataset`… */
  testIdPrefix: string
}) {
  return (
    <>
      <label>
        <span>Code version</span>
        <input
          value={draft.codeVersion}
          onChange={(event) => onChange({ codeVersion: event.target.value })}
          placeholder="git commit or tag"
          data-testid={`${testIdPrefix}-code-version`}
        />
      </label>
      <label>
        <span>Parent version</span>
        <input
          value={draft.parent}
          onChange={(event) => onChange({ parent: event.target.value })}
          placeholder="e.g. 2"
          data-testid={`${testIdPrefix}-parent`}
        />
      </label>
      <label>
        <span>Training data</span>
        <DatasetSelect
          value={draft.datasetId}
          onChange={(datasetId) => onChange({ datasetId })}
          testId={`${testIdPrefix}-dataset`}
        />
      </label>
      <label className="wide">
        <span>Description</span>
        <textarea
          rows={2}
          value={draft.description}
          onChange={(event) => onChange({ description: event.target.value })}
          data-testid={`${testIdPrefix}-description`}
        />
      </label>
      <label className="wide">
        <span>Hyperparameters (key=value, one per line)</span>
        <textarea
          rows={3}
          value={draft.params}
          onChange={(event) => onChange({ params: event.target.value })}
          data-testid={`${testIdPrefix}-params`}
        />
      </label>
    </>
  )
}
