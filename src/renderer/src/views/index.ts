// The app's views, in nav order. Adding a view: one file in this folder, one import, one entry.
import { compareView } from './compare'
import { datasetsView } from './datasets'
import { driftView } from './drift'
import { evaluateView } from './evaluate'
import { governanceView } from './governance'
import { registryView } from './registry'
import { remotesView } from './remotes'
import { trashView } from './trash'
import type { ViewDefinition } from './types'

export const views: ViewDefinition[] = [
  registryView,
  datasetsView,
  evaluateView,
  compareView,
  driftView,
  governanceView,
  remotesView,
  trashView,
]

/** The view an unknown or empty address opens. */
export const defaultView: ViewDefinition = registryView

export type { ViewDefinition, ViewProps } from './types'
