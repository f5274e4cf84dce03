// Registry view: models list → a model's versions → one version's details.
import { ModelPage } from '../components/registry/ModelPage'
import { ModelsList } from '../components/registry/ModelsList'
import { VersionPage } from '../components/registry/VersionPage'
import type { ViewDefinition, ViewProps } from './types'

function RegistryView({ segments }: ViewProps) {
  const [model, version] = segments
  if (!model) return <ModelsList />
  const number = version ? Number(version.replace(/^v/i, '')) : NaN
  if (version && Number.isInteger(number) && number > 0)
    return <VersionPage name={model} version={number} />
  return <ModelPage name={model} />
}

export const registryView: ViewDefinition = {
  id: 'registry',
  title: 'Models',
  icon: '◆',
  component: RegistryView,
}
