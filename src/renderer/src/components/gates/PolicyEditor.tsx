// The model's promotion policy: metric rules (MLflow MetricThreshold semantics) and a latency p95
// ceiling; edited here or loaded from a JSON file, then saved to the registry.
import { useEffect, useRef } from 'react'
import { displayText } from '../../../../api/display'
import { metricsOfTask } from '../../../../api/metrics'
import { newRule, useGates, type RuleDraft } from '../../stores/gates'
import { ErrorNote } from '../ErrorNote'

/** The model's policy; `task` (the model's) limits the metric choices to those it can have. */
export function PolicyEditor({ model, task }: { model: string; task: string | null }) {
  const {
    draft,
    policy,
    policyError,
    policySaved,
    loadPolicy,
    setDraft,
    savePolicy,
    loadPolicyFile,
  } = useGates()
  const file = useRef<HTMLInputElement>(null)

  useEffect(() => {
    void loadPolicy(model)
  }, [model, loadPolicy])

  const update = (index: number, patch: Partial<RuleDraft>): void =>
    setDraft({
      ...draft,
      rules: draft.rules.map((rule, i) => (i === index ? { ...rule, ...patch } : rule)),
    })
  const offered = metricsOfTask(task)
  const known = new Set([...offered.classification, ...offered.regression].map((m) => m.key))

  return (
    // A form, so Enter in any field saves the policy as the Save button does.
    <form
      className="policy"
      data-testid="policy-editor"
      onSubmit={(event) => {
        event.preventDefault()
        void savePolicy()
      }}
    >
      {draft.rules.length === 0 && (
        <p className="muted">
          {policy
            ? 'The policy has no metric rules.'
            : 'No policy yet: gate checks are refused until the model has one. Add a rule or a latency ceiling and save.'}
        </p>
      )}
      {draft.rules.length > 0 && (
        <table className="data compact policy-rules">
          <thead>
            <tr>
              <th>Metric</th>
              <th>Better when</th>
              <th>Threshold</th>
              <th title="Against the version holding the champion alias">Min. absolute change</th>
              <th title="As a fraction of the champion's value">Min. relative change</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {draft.rules.map((rule, index) => (
              <tr key={index} data-testid="policy-rule">
                <td>
                  <select
                    value={rule.metric}
                    onChange={(event) =>
                      update(index, { ...newRule(event.target.value), ...pickNumbers(rule) })
                    }
                    aria-label={`Metric of rule ${index + 1}`}
                    data-testid="policy-metric"
                  >
                    {!known.has(rule.metric) && (
                      <option value={rule.metric}>{displayText(rule.metric, 40)}</option>
                    )}
                    {offered.classification.length > 0 && (
                      <optgroup label="Classification">
                        {offered.classification.map((m) => (
                          <option key={m.key} value={m.key}>
                            {m.label}
                          </option>
                        ))}
                      </optgroup>
                    )}
                    {offered.regression.length > 0 && (
                      <optgroup label="Regression">
                        {offered.regression.map((m) => (
                          <option key={m.key} value={m.key}>
                            {m.label}
                          </option>
                        ))}
                      </optgroup>
                    )}
                  </select>
                </td>
                <td>
                  <select
                    value={rule.greaterIsBetter ? 'higher' : 'lower'}
                    onChange={(event) =>
                      update(index, { greaterIsBetter: event.target.value === 'higher' })
                    }
                    aria-label={`Direction of rule ${index + 1}`}
                  >
                    <option value="higher">higher</option>
                    <option value="lower">lower</option>
                  </select>
                </td>
                {(['threshold', 'minAbsoluteChange', 'minRelativeChange'] as const).map((field) => (
                  <td key={field}>
                    <input
                      className="number"
                      inputMode="decimal"
                      value={rule[field]}
                      placeholder="—"
                      onChange={(event) => update(index, { [field]: event.target.value })}
                      aria-label={`${field} of rule ${index + 1}`}
                      data-testid={`policy-${field}`}
                    />
                  </td>
                ))}
                <td className="actions">
                  <button
                    type="button"
                    className="link"
                    onClick={() =>
                      setDraft({ ...draft, rules: draft.rules.filter((_, i) => i !== index) })
                    }
                    aria-label={`Remove rule ${index + 1}`}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="inline-form">
        <button
          type="button"
          onClick={() =>
            setDraft({
              ...draft,
              rules: [
                ...draft.rules,
                newRule(offered.classification[0]?.key ?? offered.regression[0]?.key),
              ],
            })
          }
          data-testid="policy-add"
        >
          Add rule
        </button>
        <label className="inline-label">
          Latency p95 ceiling (ms)
          <input
            className="number"
            inputMode="decimal"
            value={draft.latencyP95MaxMs}
            placeholder="none"
            onChange={(event) => setDraft({ ...draft, latencyP95MaxMs: event.target.value })}
            data-testid="policy-latency"
          />
        </label>
        <span className="spacer" />
        <button type="button" onClick={() => file.current?.click()} data-testid="policy-load">
          Load JSON…
        </button>
        <input
          ref={file}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="policy-file"
          onChange={(event) => {
            const chosen = event.target.files?.[0]
            event.target.value = ''
            if (chosen) void loadPolicyFile(chosen)
          }}
        />
        <button type="submit" className="primary" data-testid="policy-save">
          Save policy
        </button>
      </div>
      <ErrorNote message={policyError} testId="policy-error" />
      {policySaved && (
        <p className="ok-text small" role="status" data-testid="policy-saved">
          Policy saved.
        </p>
      )}
    </form>
  )
}

const pickNumbers = (rule: RuleDraft): Partial<RuleDraft> => ({
  threshold: rule.threshold,
  minAbsoluteChange: rule.minAbsoluteChange,
  minRelativeChange: rule.minRelativeChange,
})
