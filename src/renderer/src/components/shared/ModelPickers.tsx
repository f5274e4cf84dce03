// Pickers for a registered model and one of its versions, shared by the Evaluate, Compare and
// Drift forms so a version reads the same everywhere.
import { displayText } from '../../../../api/display'
import type { ModelDetail, VersionSummary } from '../../../../api/registry'

/** "v3 (champion, production)": the version with its aliases. */
export function versionLabel(version: Pick<VersionSummary, 'version' | 'aliases'>): string {
  const aliases = version.aliases.length
    ? ` (${version.aliases.map((alias) => displayText(alias, 30)).join(', ')})`
    : ''
  return `v${version.version}${aliases}`
}

export function ModelSelect({
  models,
  value,
  onChange,
  testId,
  noneLabel,
  emptyLabel,
}: {
  models: readonly { id: number; name: string }[]
  value: string
  onChange: (name: string) => void
  testId: string
  /** A first choice that picks no model, always offered. */
  noneLabel?: string
  /** The only choice while no model is registered. */
  emptyLabel?: string
}) {
  return (
    <select value={value} onChange={(event) => onChange(event.target.value)} data-testid={testId}>
      {noneLabel !== undefined && <option value="">{noneLabel}</option>}
      {emptyLabel !== undefined && models.length === 0 && <option value="">{emptyLabel}</option>}
      {models.map((model) => (
        <option key={model.id} value={model.name}>
          {displayText(model.name, 60)}
        </option>
      ))}
    </select>
  )
}

/** A model's aliases (each naming its version) and then its versions, newest first. */
export function VersionOptions({ model }: { model: ModelDetail | null }) {
  if (!model) return null
  const aliases = Object.entries(model.aliases).sort((a, b) => a[0].localeCompare(b[0]))
  return (
    <>
      {aliases.length > 0 && (
        <optgroup label="Aliases">
          {aliases.map(([alias, version]) => (
            <option key={alias} value={alias}>
              {displayText(alias, 40)} → v{version}
            </option>
          ))}
        </optgroup>
      )}
      <optgroup label="Versions">
        {[...model.versions]
          .sort((a, b) => b.version - a.version)
          .map((version) => (
            <option key={version.id} value={String(version.version)}>
              {versionLabel(version)}
            </option>
          ))}
      </optgroup>
    </>
  )
}
