// One model version: signature, aliases and tags (editable), lineage, ONNX facts, alias history.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import type { TensorInfo, VersionDetail } from '../../../../api/registry'
import { formatBytes, formatCount, formatShape, formatTime } from '../../lib/format'
import { hrefFor } from '../../stores/route'
import { useRegistry } from '../../stores/registry'
import { ErrorNote } from '../ErrorNote'
import { VersionEvaluationPanel } from '../gates/VersionEvaluationPanel'
import { Text } from '../Text'
import { AliasHistoryTable } from './ModelPage'
import { ModelCardEditor, PromotionPanel } from '../governance/PromotionPanel'
import { useGovernance } from '../../stores/governance'
import { ProtectedLock } from '../governance/LockIcon'

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
        </span>
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
          <LineageFacts detail={detail} />
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
              <Text value={value} max={500} />
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
  const remove = async (name: string): Promise<void> => {
    setBusy(true)
    setError(await removeAlias(detail.model, name))
    setBusy(false)
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
              <button
                type="button"
                className="link"
                disabled={busy}
                onClick={() => void remove(name)}
                aria-label={`Remove alias ${name}`}
              >
                ×
              </button>
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
  const remove = async (tagKey: string): Promise<void> => {
    setBusy(true)
    setError(await removeTag(detail.model, detail.version, tagKey))
    setBusy(false)
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
                  <button
                    type="button"
                    className="link"
                    disabled={busy}
                    onClick={() => void remove(tagKey)}
                    aria-label={`Remove tag ${tagKey}`}
                  >
                    Remove
                  </button>
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
