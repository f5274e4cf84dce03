// Handlers of the registry calls.
import type { registryCalls } from '../../api/registry'
import type { CoreContext, HandlersFor } from '../context'

export function createRegistryHandlers(_core: CoreContext): HandlersFor<typeof registryCalls> {
  throw new Error('not yet')
}
