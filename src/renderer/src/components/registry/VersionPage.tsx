// One model version: signature, aliases and tags (editable), lineage, ONNX facts, alias history.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import type { TensorInfo, VersionDetail } from '../../../../api/registry'
import { formatBytes, formatCount, formatShape, formatTime } from '../../lib/format'
import { hrefFor } from '../../stores/route'
import { useRegistry } from '../../stores/registry'
import { useDatasets } from '../../stores/datasets'
import { useUndo } from '../../stores/undo'
import { ErrorNote } from '../ErrorNote'
import { ConfirmButton } from '../shared/ConfirmButton'
import { VersionEvaluationPanel } from '../gates/VersionEvaluationPanel'
import { ExpandableText, Text } from '../Text'
import { AliasHistoryTable } from './ModelPage'
import { ModelCardEditor, PromotionPanel } from '../governance/PromotionPanel'
import { useGovernance } from '../../stores/governance'
import { ProtectedLock } from '../governance/LockIcon'
import { emptyLineageDraft, parseLineageDraft, type LineageDraft } from '../../lib/lineage-draft'
import { LineageFields } from '../shared/LineageFields'

export function VersionPage({ name, version }: { name: string; version: number }) {
  const { version: detail, versionStatus, versionError, loadVersion } = useRegistry()

  useEffect(() => {
    void loadVersion(name, version)
  }, [name, version, loadVersion])

  const shown = detail && detail.model === name && detail.version === version ? detail : null
  return (
    <section>
      <nav className="breadcrumb">
        <a href={hrefFor('registry')}>Models</a> /{' '}
        <a href={hrefFor('registry', name)}>
          <Text value={name} max={80} />
        </a>{' '}
        / v{version}
      </nav>
      <ErrorNote message={versionError} testId="version-error" />
      {versionStatus === 'loading' && <p className="muted">Loading…</p>}
      {shown && <VersionDetailView detail={shown} />}
    </section>
  )
}

function VersionDetailView({ detail }: { detail: VersionDetail }) {
  const { onnx } = detail
  return (
    <div data-testid="version-page">
      <header className="page-header">
        <h1 data-testid="version-title">
          <Text value={detail.model} max={80} />{' '}
          <span className="version-number">v{detail.version}</span>
        </h1>
        <span>
          {detail.aliases.map((alias) => (
            <span key={alias} className="badge">
              <ProtectedLock alias={alias} />
              <Text value={alias} max={64} />
            </span>
          ))}
          {detail.archivedAt && (
            <span className="badge archived" data-testid="version-archived">
              archived {formatTime(detail.archivedAt)}
            </span>
          )}
        </span>
        <span className="spacer" />
        <ArchiveVersion detail={detail} />
      </header>
      <p className="facts muted">
        <Text value={detail.fileName} max={80} /> · {formatBytes(detail.size)} · registered by{' '}
        <Text value={detail.registeredBy} max={64} /> on {formatTime(detail.registeredAt)} ·{' '}
        <span className="mono" title={detail.sha256}>
          sha256 {detail.sha256.slice(0, 16)}…
        </span>
      </p>

      <div className="grid two">
        <div className="card">
          <h2>Inputs</h2>
          <SignatureTable tensors={onnx.inputs} testId="signature-inputs" />
        </div>
        <div className="card">
          <h2>Outputs</h2>
          <SignatureTable tensors={onnx.outputs} testId="signature-outputs" />
        </div>
      </div>

      <VersionEvaluationPanel model={detail.model} version={detail.version} />
      <div className="grid two">
        <PromotionPanel model={detail.model} version={detail.version} />
        <ModelCardEditor model={detail.model} version={detail.version} />
      </div>

      <div className="grid two">
        <div className="card">
          <h2>Aliases</h2>
          <AliasEditor detail={detail} />
        </div>
        <div className="card">
          <h2>Tags</h2>
          <TagEditor detail={detail} />
        </div>
      </div>

      <div className="grid two">
        <div className="card">
          <h2>Lineage</h2>
          <TrainingDataOffer detail={detail} />
          <LineageFacts detail={detail} />
          <LineageEditor detail={detail} />
        </div>
        <div className="card">
          <h2>ONNX model</h2>
          <OnnxFacts onnx={onnx} />
        </div>
      </div>

      {Object.keys(onnx.metadata).length > 0 && (
        <div className="card">
          <h2>Metadata</h2>
          <KeyValueTable entries={Object.entries(onnx.metadata)} testId="onnx-metadata" />
        </div>
      )}

      {onnx.warnings.length > 0 && (
        <div className="card">
          <h2>Warnings</h2>
          <ul className="warnings">
            {onnx.warnings.map((warning, index) => (
              <li key={index}>
                <Text value={warning} max={500} />
              </li>
            ))}
          </ul>
        </div>
      )}

      <div className="card">
        <h2>Alias history</h2>
        {detail.aliasHistory.length === 0 ? (
          <p className="muted">No alias changes yet.</p>
        ) : (
          <AliasHistoryTable events={detail.aliasHistory} />
        )}
      </div>
    </div>
  )
}

function SignatureTable({ tensors, testId }: { tensors: TensorInfo[]; testId: string }) {
  if (tensors.length === 0) return <p className="muted">None</p>
  return (
    <table className="data compact" data-testid={testId}>
      <thead>
        <tr>
          <th>Name</th>
          <th>Type</th>
          <th>Shape</th>
        </tr>
      </thead>
      <tbody>
        {tensors.map((tensor, index) => (
          <tr key={`${tensor.name}-${index}`}>
            <td className="mono">
              <Text value={tensor.name} max={80} />
              {tensor.docString && (
                <div className="muted small">
                  <Text value={tensor.docString} max={200} />
                </div>
              )}
            </td>
            <td className="mono">
              <Text value={tensor.type} max={80} />
            </td>
            <td className="mono">
              <Text value={formatShape(tensor.shape)} max={120} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function KeyValueTable({ entries, testId }: { entries: Array<[string, string]>; testId?: string }) {
  return (
    <table className="data compact" data-testid={testId}>
      <tbody>
        {entries.map(([key, value]) => (
          <tr key={key}>
            <th className="key">
              <Text value={key} max={80} />
            </th>
            <td className="wrap">
              <ExpandableText value={value} max={300} testId={`value-${key}`} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  )
}

/**
 * A model whose metadata carries `training_data_sha256` names its training data by hash: when an
 * imported dataset has those bytes and no training data is linked yet, offer the link.
 */
function TrainingDataOffer({ detail }: { detail: VersionDetail }) {
  const { datasets, loadList } = useDatasets()
  const updateLineage = useRegistry((state) => state.updateLineage)
  const [problem, setProblem] = useState<string | null>(null)
  const wanted = detail.onnx.metadata.training_data_sha256?.trim().toLowerCase()
  useEffect(() => {
    if (wanted) void loadList()
  }, [wanted, loadList])
  if (!wanted || detail.lineage.trainingDataset) return null
  const match = datasets.find((dataset) => dataset.sha256 === wanted)
  if (!match) return null
  return (
    <div className="note" data-testid="training-data-offer">
      The model&rsquo;s metadata names its training data by hash; dataset{' '}
      <Text value={match.name} max={80} /> has exactly those bytes.{' '}
      <button
        type="button"
        onClick={() =>
          void updateLineage({
            model: detail.model,
            version: detail.version,
            trainingDatasetId: match.id,
          }).then(setProblem)
        }
        data-testid="training-data-link"
      >
        Link it as the training data
      </button>
      <ErrorNote message={problem} />
    </div>
  )
}

/** "Edit lineage…": code version, description, training data, parent and parameters. */
function LineageEditor({ detail }: { detail: VersionDetail }) {
  const updateLineage = useRegistry((state) => state.updateLineage)
  const loadList = useDatasets((state) => state.loadList)
  const { lineage } = detail
  const [open, setOpen] = useState(false)
  const [draft, setDraft] = useState<LineageDraft>(emptyLineageDraft)
  const [problem, setProblem] = useState<string | null>(null)
  if (!open)
    return (
      <button
        type="button"
        onClick={() => {
          setDraft({
            codeVersion: lineage.codeVersion ?? '',
            description: lineage.description,
            datasetId: lineage.trainingDataset?.id ?? null,
            parent: lineage.parentVersion === null ? '' : String(lineage.parentVersion),
            params: Object.entries(lineage.hyperparameters)
              .map(([key, value]) => `${key}=${value}`)
              .join('\n'),
          })
          setProblem(null)
          setOpen(true)
          void loadList()
        }}
        data-testid="lineage-edit"
      >
        Edit lineage…
      </button>
    )
  const onSubmit = (event: FormEvent): void => {
    event.preventDefault()
    const parsed = parseLineageDraft(draft)
    if (!parsed.ok) return setProblem(parsed.problem)
    void updateLineage({ model: detail.model, version: detail.version, ...parsed.value }).then(
      (error) => {
        setProblem(error)
        if (!error) setOpen(false)
      },
    )
  }
  return (
    <form className="form-grid lineage-form" onSubmit={onSubmit} data-testid="lineage-form">
      <p className="muted small wide">
        Each change is recorded in the audit trail with who made it.
      </p>
      <LineageFields
        draft={draft}
        onChange={(patch) => setDraft({ ...draft, ...patch })}
        testIdPrefix="lineage"
      />
      <div className="wide inline-form">
        <button type="submit" className="primary" data-testid="lineage-save">
          Save lineage
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      <ErrorNote message={problem} testId="lineage-error" />
    </form>
  )
}

function LineageFacts({ detail }: { detail: VersionDetail }) {
  const { lineage } = detail
  const dataset = lineage.trainingDataset
  const hyperparameters = Object.entries(lineage.hyperparameters)
  return (
    <>
      <dl className="facts-list" data-testid="lineage">
        <Fact label="Code version">
          <span className="mono">
            <Text value={lineage.codeVersion} max={120} />
          </span>
        </Fact>
        <Fact label="Parent version">
          {lineage.parentVersion !== null ? (
            <a href={hrefFor('registry', detail.model, lineage.parentVersion)}>
              v{lineage.parentVersion}
            </a>
          ) : (
            <span className="muted">—</span>
          )}
        </Fact>
        <Fact label="Description">
          <Text value={lineage.description} max={2000} />
        </Fact>
        <Fact label="Training data">
          {dataset ? (
            <>
              <Text value={dataset.name} max={120} />
              <div className="muted small">
                {formatCount(dataset.rows)} rows · {dataset.columns.length} columns ·{' '}
                <span className="mono" title={dataset.sha256}>
                  sha256 {dataset.sha256.slice(0, 12)}…
                </span>
              </div>
              <div className="muted small">
                <Text value={dataset.columns.join(', ')} max={300} />
              </div>
            </>
          ) : (
            <span className="muted">—</span>
          )}
        </Fact>
      </dl>
      <h3>Hyperparameters</h3>
      {hyperparameters.length === 0 ? (
        <p className="muted">None recorded.</p>
      ) : (
        <KeyValueTable entries={hyperparameters} testId="hyperparameters" />
      )}
    </>
  )
}

function OnnxFacts({ onnx }: { onnx: VersionDetail['onnx'] }) {
  const opTypes = Object.entries(onnx.opTypes).sort(
    (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
  )
  return (
    <>
      <dl className="facts-list" data-testid="onnx-facts">
        <Fact label="Producer">
          <Text value={`${onnx.producer.name} ${onnx.producer.version}`.trim()} max={120} />
        </Fact>
        <Fact label="IR version">{onnx.irVersion}</Fact>
        <Fact label="Opsets">
          {Object.entries(onnx.opsets).map(([domain, version]) => (
            <span key={domain} className="tag">
              <Text value={domain} max={60} /> {version}
            </span>
          ))}
        </Fact>
        <Fact label="Parameters">
          {formatCount(onnx.parameterCount)} in {formatCount(onnx.initializerCount)} initializers
        </Fact>
        <Fact label="Nodes">{formatCount(onnx.nodeCount)}</Fact>
        {onnx.graphName && (
          <Fact label="Graph">
            <Text value={onnx.graphName} max={120} />
          </Fact>
        )}
        {onnx.domain && (
          <Fact label="Domain">
            <Text value={onnx.domain} max={120} />
          </Fact>
        )}
        <Fact label="Model version">{String(onnx.modelVersion)}</Fact>
        {onnx.labelColumn && (
          <Fact label="Label column">
            <Text value={onnx.labelColumn} max={120} />
          </Fact>
        )}
        {onnx.docString && (
          <Fact label="Doc string">
            <Text value={onnx.docString} max={1000} />
          </Fact>
        )}
      </dl>
      {opTypes.length > 0 && (
        <>
          <h3>Operators</h3>
          <table className="data compact" data-testid="op-types">
            <tbody>
              {opTypes.map(([op, count]) => (
                <tr key={op}>
                  <td className="mono">
                    <Text value={op} max={80} />
                  </td>
                  <td className="num">{formatCount(count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  )
}

/** Archive (asked first, undoable), or bring an archived version back. */
function ArchiveVersion({ detail }: { detail: VersionDetail }) {
  const archiveVersion = useRegistry((state) => state.archiveVersion)
  const label = `${detail.model} v${detail.version}`
  if (detail.archivedAt)
    return (
      <button
        type="button"
        onClick={() => void archiveVersion(detail.model, detail.version, false)}
        data-testid="version-restore"
      >
        Restore version
      </button>
    )
  const held = detail.aliases
  return (
    <ConfirmButton
      className=""
      label="Archive version…"
      question={`Archive ${label}? It is marked archived; its file, results and history stay.`}
      confirmLabel="Archive"
      disabled={held.length > 0}
      disabledReason={
        held.length
          ? `It holds ${held.length === 1 ? 'the alias' : 'the aliases'} ${held.join(', ')}: move or remove ${held.length === 1 ? 'it' : 'them'} before archiving.`
          : undefined
      }
      onConfirm={async () => {
        const problem = await archiveVersion(detail.model, detail.version, true)
        if (!problem)
          useUndo
            .getState()
            .show(`Archived ${label}.`, () =>
              useRegistry.getState().archiveVersion(detail.model, detail.version, false),
            )
        return problem
      }}
      testId="version-archive"
    />
  )
}

function AliasEditor({ detail }: { detail: VersionDetail }) {
  const { setAlias, removeAlias } = useRegistry()
  const [alias, setAliasText] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    if (!alias.trim()) return setError('Type an alias, e.g. champion')
    setBusy(true)
    const problem = await setAlias(detail.model, detail.version, alias.trim())
    // A move under an approved request marks it applied.
    if (!problem) void useGovernance.getState().loadRequests()
    setBusy(false)
    setError(problem)
    if (!problem) setAliasText('')
  }
  // Asked first (ConfirmButton); undone by pointing the alias back at this version.
  const remove = async (name: string): Promise<string | null> => {
    const problem = await removeAlias(detail.model, name)
    if (!problem)
      useUndo
        .getState()
        .show(`Removed alias ${name} from ${detail.model} v${detail.version}.`, () =>
          useRegistry.getState().setAlias(detail.model, detail.version, name),
        )
    return problem
  }

  return (
    <>
      {detail.aliases.length === 0 ? (
        <p className="muted">No alias points to this version.</p>
      ) : (
        <ul className="chips" data-testid="aliases">
          {detail.aliases.map((name) => (
            <li key={name} className="badge">
              <ProtectedLock alias={name} />
              <Text value={name} max={64} />
              <ConfirmButton
                label="×"
                ariaLabel={`Remove alias ${name}`}
                question={`Remove alias ${name}? Whatever deploys “${detail.model}@${name}” will no longer find a version.`}
                confirmLabel="Remove alias"
                onConfirm={() => remove(name)}
                disabled={busy}
                testId="alias-remove"
              />
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form" onSubmit={(event) => void submit(event)}>
        <input
          value={alias}
          onChange={(event) => setAliasText(event.target.value)}
          placeholder="champion"
          aria-label="Alias"
          data-testid="alias-input"
        />
        <button type="submit" disabled={busy} data-testid="alias-submit">
          Set alias
        </button>
      </form>
      <ErrorNote message={error} testId="alias-error" />
    </>
  )
}

function TagEditor({ detail }: { detail: VersionDetail }) {
  const { setTag, removeTag } = useRegistry()
  const [key, setKey] = useState('')
  const [value, setValue] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const tags = Object.entries(detail.tags)

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    if (!key.trim()) return setError('Type a tag key, e.g. team')
    setBusy(true)
    const problem = await setTag(detail.model, detail.version, key.trim(), value)
    setBusy(false)
    setError(problem)
    if (!problem) {
      setKey('')
      setValue('')
    }
  }
  const remove = async (tagKey: string, tagValue: string): Promise<string | null> => {
    const problem = await removeTag(detail.model, detail.version, tagKey)
    if (!problem)
      useUndo
        .getState()
        .show(`Removed tag ${tagKey} from ${detail.model} v${detail.version}.`, () =>
          useRegistry.getState().setTag(detail.model, detail.version, tagKey, tagValue),
        )
    return problem
  }

  return (
    <>
      {tags.length === 0 ? (
        <p className="muted">No tags.</p>
      ) : (
        <table className="data compact" data-testid="tags">
          <tbody>
            {tags.map(([tagKey, tagValue]) => (
              <tr key={tagKey}>
                <th className="key">
                  <Text value={tagKey} max={80} />
                </th>
                <td className="wrap">
                  <Text value={tagValue} max={300} />
                </td>
                <td className="actions">
                  <ConfirmButton
                    label="Remove"
                    ariaLabel={`Remove tag ${tagKey}`}
                    question={`Remove tag ${tagKey}?`}
                    confirmLabel="Remove tag"
                    onConfirm={() => remove(tagKey, tagValue)}
                    disabled={busy}
                    testId="tag-remove"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="inline-form" onSubmit={(event) => void submit(event)}>
        <input
          value={key}
          onChange={(event) => setKey(event.target.value)}
          placeholder="key"
          aria-label="Tag key"
          data-testid="tag-key"
        />
        <input
          value={value}
          onChange={(event) => setValue(event.target.value)}
          placeholder="value"
          aria-label="Tag value"
          data-testid="tag-value"
        />
        <button type="submit" disabled={busy} data-testid="tag-submit">
          Add tag
        </button>
      </form>
      <ErrorNote message={error} testId="tag-error" />
    </>
  )
}
