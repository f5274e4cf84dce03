// Which dataset column feeds each model input, for models without feature names whose columns
// could not be matched automatically; saved per model with `eval:set-mapping`.
import type { TensorInfo } from '../../../../api/registry'
import { displayText } from '../../../../api/display'
import { useEvaluation } from '../../stores/evaluation'
import { ErrorNote } from '../ErrorNote'

interface Slot {
  key: string
  label: string
}

/**
 * The inputs to map: each feature of a single 2-D input (`[N, F]`, keys `0`…`F-1`, named by the
 * model's feature names when known), or each input of width 1 (keys = input names).
 */
export function mappingSlots(
  inputs: TensorInfo[],
  featureNames: string[] | null,
  mapped: number,
): Slot[] {
  const [only] = inputs
  if (only && inputs.length === 1) {
    const width = only.shape?.[1]
    const count = typeof width === 'number' ? width : Math.max(mapped + 1, 1)
    return Array.from({ length: count }, (_, i) => ({
      key: String(i),
      label: `${only.name}[${i}]${featureNames?.[i] ? ` · ${featureNames[i]}` : ''}`,
    }))
  }
  return inputs.map((input) => ({ key: input.name, label: input.name }))
}

export function MappingEditor({ columns }: { columns: string[] }) {
  const {
    versionDetail,
    mapping,
    mappingError,
    setMappingEntry,
    saveMapping,
    closeMappingEditor,
    start,
  } = useEvaluation()
  const inputs = versionDetail?.onnx.inputs ?? []
  const slots = mappingSlots(
    inputs,
    versionDetail?.onnx.featureNames ?? null,
    Object.keys(mapping).length,
  )
  const saveAndRun = async (): Promise<void> => {
    if (await saveMapping()) await start()
  }
  return (
    <div className="mapping" data-testid="mapping-editor">
      <h3>Column mapping</h3>
      <p className="muted small">
        Choose the dataset column for each model input. The mapping is saved with the model and used
        for its next evaluations.
      </p>
      {columns.length === 0 && <p className="muted">Choose a dataset first to see its columns.</p>}
      <table className="data compact">
        <tbody>
          {slots.map((slot) => (
            <tr key={slot.key}>
              <th className="key mono">{displayText(slot.label, 80)}</th>
              <td>
                <select
                  value={mapping[slot.key] ?? ''}
                  onChange={(event) => setMappingEntry(slot.key, event.target.value)}
                  data-testid="mapping-select"
                  aria-label={`Column for ${slot.label}`}
                >
                  <option value="">—</option>
                  {columns.map((column) => (
                    <option key={column} value={column}>
                      {displayText(column, 60)}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorNote message={mappingError} testId="mapping-error" />
      <div className="modal-actions">
        <button type="button" onClick={closeMappingEditor}>
          Close
        </button>
        <button type="button" onClick={() => void saveMapping()} data-testid="mapping-save">
          Save mapping
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => void saveAndRun()}
          data-testid="mapping-save-run"
        >
          Save and evaluate
        </button>
      </div>
    </div>
  )
}
